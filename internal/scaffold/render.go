package scaffold

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"text/template"

	"golang.org/x/tools/imports"
)

// Renderer executes templates and formats the result.
type Renderer struct {
	// Templates holds the bodies, addressed by File.Template.
	Templates fs.FS
	// Funcs are available to every template.
	Funcs template.FuncMap
	// Boilerplate is the license header put at the top of every Go file
	// (the content of hack/boilerplate.go.txt, already a comment). May be empty.
	Boilerplate string
	// Module is the project's module path: its imports are kept in a group
	// of their own, after the third-party ones (goimports -local).
	Module string
}

// Render produces the content of f.
func (r *Renderer) Render(f File) ([]byte, error) {
	if f.Content != nil {
		return f.Content, nil
	}
	body, err := fs.ReadFile(r.Templates, f.Template)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", f.Template, err)
	}
	t, err := template.New(f.Template).Funcs(r.Funcs).Option("missingkey=error").Parse(string(body))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", f.Template, err)
	}
	var buf bytes.Buffer
	if strings.HasSuffix(f.Path, ".go") && r.Boilerplate != "" {
		buf.WriteString(strings.TrimSpace(r.Boilerplate))
		buf.WriteString("\n\n")
	}
	if err := t.Execute(&buf, f.Data); err != nil {
		return nil, fmt.Errorf("template %s: %w", f.Template, err)
	}
	return FormatIfGo(f.Path, buf.Bytes(), r.Module)
}

// FormatIfGo gofmt-formats and groups the imports of Go source, those of the
// module local last; other files are returned as they are.
func FormatIfGo(p string, src []byte, local string) ([]byte, error) {
	if !strings.HasSuffix(p, ".go") {
		return src, nil
	}
	// goimports takes the local prefix as a package variable, which the code
	// generators' formatting reads too: set it for this call only.
	formatMu.Lock()
	defer formatMu.Unlock()
	saved := imports.LocalPrefix
	imports.LocalPrefix = local
	defer func() { imports.LocalPrefix = saved }()
	// FormatOnly: templates name their imports; resolving missing ones would
	// scan the module cache and make output depend on the machine.
	out, err := imports.Process(p, src, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: true})
	if err != nil {
		return nil, fmt.Errorf("formatting %s: %w", p, err)
	}
	return out, nil
}

var formatMu sync.Mutex
