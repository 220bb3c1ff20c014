// Package scaffold is the engine that turns a list of files (a template, its
// data and what to do if the file exists) into a plan of file changes, and
// applies the plan atomically or prints it (--dry-run).
//
// The rules that keep a user's tree safe live here, once:
//   - everything is rendered and checked before anything is written;
//   - a file the user owns (IfExists Skip) is never touched again;
//   - a file regenerated from PROJECT (IfExists Overwrite) is only replaced if
//     it is still exactly what apiserver-boot wrote last time, so an edit by the
//     user is never lost without --force;
//   - insertions at markers never duplicate a fragment;
//   - writes go to temporary files that are renamed into place at the end.
package scaffold

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"text/template"

	"golang.org/x/tools/imports"
)

// IfExists says what to do when a file to write already exists.
type IfExists int

const (
	// Error refuses to overwrite a different existing file unless forced.
	// Used for files that belong to one new kind: they must not exist yet.
	Error IfExists = iota
	// Skip leaves an existing file alone. Used for files the user owns once
	// they are created (doc.go of a group, defaults.go of a version).
	Skip
	// Overwrite regenerates the file from PROJECT, unless the user edited it.
	Overwrite
)

func (a IfExists) String() string {
	switch a {
	case Skip:
		return "skip"
	case Overwrite:
		return "overwrite"
	default:
		return "error"
	}
}

// File is one file to produce: which template body, with which data, where.
type File struct {
	// Path is the slash-separated path relative to the project root.
	Path string
	// Template names the body in the template file system, e.g. "kind/strategy.go.tmpl".
	Template string
	// Data is the template's input, a small typed struct.
	Data any
	// Content, if set, is written as it is instead of rendering Template
	// (used for PROJECT, which is serialized, not templated).
	Content []byte
	// IfExists says what to do if Path exists.
	IfExists IfExists
}

// Insertion adds code fragments just above a marker line in an existing file
// (or one created by the same plan). A fragment already present is skipped,
// so inserting twice changes nothing.
type Insertion struct {
	Path      string
	Marker    string
	Fragments []string
}

// Action is what a Change does to a file.
type Action string

const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	Kept      Action = "keep" // exists and belongs to the user (IfExists Skip)
)

// Change is one entry of a plan.
type Change struct {
	Path    string
	Action  Action
	Content []byte
	Mode    fs.FileMode
}

// Renderer executes templates and formats the result.
type Renderer struct {
	// Templates holds the bodies, addressed by File.Template.
	Templates fs.FS
	// Funcs are available to every template.
	Funcs template.FuncMap
	// Boilerplate is the license header put at the top of every Go file
	// (the content of hack/boilerplate.go.txt, already a comment). May be empty.
	Boilerplate string
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
	return FormatIfGo(f.Path, buf.Bytes())
}

// FormatIfGo gofmt-formats and groups the imports of Go source; other files
// are returned as they are.
func FormatIfGo(p string, src []byte) ([]byte, error) {
	if !strings.HasSuffix(p, ".go") {
		return src, nil
	}
	// FormatOnly: templates name their imports; resolving missing ones would
	// scan the module cache and make output depend on the machine.
	out, err := imports.Process(p, src, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: true})
	if err != nil {
		return nil, fmt.Errorf("formatting %s: %w", p, err)
	}
	return out, nil
}

// ConflictError lists files that would be overwritten although the user changed them.
type ConflictError struct{ Paths []string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("refusing to overwrite %s: the file exists and differs from what apiserver-boot would write (it was edited or not made by apiserver-boot); use --force to overwrite",
		strings.Join(e.Paths, ", "))
}

// Plan renders files and insertions against the tree at root and returns the
// changes, sorted by path. previous holds, for files regenerated from PROJECT,
// what the previous PROJECT renders to: an existing file equal to that (or to
// the new content) is apiserver-boot's to replace; anything else is a user
// edit and a conflict unless force is set. Plan writes nothing.
func Plan(root string, r *Renderer, files []File, inserts []Insertion, previous map[string][]byte, force bool) ([]Change, error) {
	byPath := map[string]*Change{}
	var conflicts []string
	for _, f := range files {
		if _, dup := byPath[f.Path]; dup {
			return nil, fmt.Errorf("internal error: %s is planned twice", f.Path)
		}
		content, err := r.Render(f)
		if err != nil {
			return nil, err
		}
		existing, err := readIfExists(root, f.Path)
		if err != nil {
			return nil, err
		}
		c := &Change{Path: f.Path, Content: content, Mode: 0o644}
		switch {
		case existing == nil:
			c.Action = Create
		case bytes.Equal(existing, content):
			c.Action = Unchanged
		case f.IfExists == Skip:
			c.Action, c.Content = Kept, existing
		case f.IfExists == Overwrite && (previous[f.Path] != nil && bytes.Equal(existing, previous[f.Path])):
			c.Action = Update
		case force:
			c.Action = Update
		default:
			conflicts = append(conflicts, f.Path)
			continue
		}
		byPath[f.Path] = c
	}
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return nil, &ConflictError{Paths: conflicts}
	}
	for _, ins := range inserts {
		c := byPath[ins.Path]
		if c == nil {
			existing, err := readIfExists(root, ins.Path)
			if err != nil {
				return nil, err
			}
			if existing == nil {
				return nil, fmt.Errorf("%s does not exist, cannot insert at %q", ins.Path, ins.Marker)
			}
			c = &Change{Path: ins.Path, Action: Unchanged, Content: existing, Mode: 0o644}
			byPath[ins.Path] = c
		}
		out, err := Insert(ins.Path, c.Content, ins.Marker, ins.Fragments)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(out, c.Content) {
			c.Content = out
			if c.Action != Create {
				c.Action = Update
			}
		}
	}
	changes := make([]Change, 0, len(byPath))
	for _, c := range byPath {
		changes = append(changes, *c)
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

// Insert puts each fragment that src does not already contain on its own
// line(s) just above the line holding marker, with the marker's indentation.
// Go source is reformatted afterwards.
func Insert(p string, src []byte, marker string, fragments []string) ([]byte, error) {
	lines := strings.SplitAfter(string(src), "\n")
	at := -1
	for i, l := range lines {
		if strings.Contains(l, marker) {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("%s: marker %q not found; it tells apiserver-boot where to add code, put it back (see the file as first generated) or add the code by hand", p, marker)
	}
	indent := lines[at][:len(lines[at])-len(strings.TrimLeft(lines[at], " \t"))]
	var add strings.Builder
	for _, frag := range fragments {
		if containsFragment(string(src), frag) || strings.Contains(add.String(), frag) {
			continue
		}
		for _, l := range strings.Split(strings.TrimRight(frag, "\n"), "\n") {
			if l == "" {
				add.WriteString("\n")
				continue
			}
			add.WriteString(indent + l + "\n")
		}
	}
	if add.Len() == 0 {
		return src, nil
	}
	out := strings.Join(lines[:at], "") + add.String() + strings.Join(lines[at:], "")
	return FormatIfGo(p, []byte(out))
}

// containsFragment reports whether src contains frag, ignoring differences in
// indentation and spacing that gofmt may have introduced.
func containsFragment(src, frag string) bool {
	return strings.Contains(squash(src), squash(frag))
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func readIfExists(root, p string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, syscall.ENOTDIR):
		return nil, fmt.Errorf("cannot write %s: a parent of it is a file", p)
	case errors.Is(err, syscall.EISDIR):
		return nil, fmt.Errorf("cannot write %s: it is a directory", p)
	}
	return nil, err
}

// Compare plans writing files (relative path → content, always overwritten:
// they belong to apiserver-boot) under root: files whose content is already
// on disk are Unchanged, so applying the plan does not touch them.
func Compare(root string, files map[string][]byte) ([]Change, error) {
	var changes []Change
	for rel, content := range files {
		existing, err := readIfExists(root, rel)
		if err != nil {
			return nil, err
		}
		c := Change{Path: rel, Action: Update, Content: content, Mode: 0o644}
		switch {
		case existing == nil:
			c.Action = Create
		case bytes.Equal(existing, content):
			c.Action = Unchanged
		}
		changes = append(changes, c)
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

// Pending reports whether a plan changes anything on disk.
func Pending(changes []Change) bool {
	for _, c := range changes {
		if c.Action == Create || c.Action == Update {
			return true
		}
	}
	return false
}

// Apply writes the plan's creates and updates under root. All content is
// first written to temporary files next to their targets; only when every one
// of them is written are they renamed into place. On error, temporary files
// and directories created on the way are removed, leaving the tree as it was.
func Apply(root string, changes []Change) (err error) {
	type pending struct{ tmp, dst string }
	var written []pending
	var madeDirs []string
	defer func() {
		if err == nil {
			return
		}
		for _, w := range written {
			os.Remove(w.tmp)
		}
		for i := len(madeDirs) - 1; i >= 0; i-- {
			os.Remove(madeDirs[i])
		}
	}()
	for _, c := range changes {
		if c.Action != Create && c.Action != Update {
			continue
		}
		dst := filepath.Join(root, filepath.FromSlash(c.Path))
		dirs, err := mkdirAll(filepath.Dir(dst))
		madeDirs = append(madeDirs, dirs...)
		if err != nil {
			return fmt.Errorf("cannot write %s: %w", c.Path, err)
		}
		tmp, err := os.CreateTemp(filepath.Dir(dst), "."+path.Base(c.Path)+".tmp*")
		if err != nil {
			return fmt.Errorf("cannot write %s: %w", c.Path, err)
		}
		written = append(written, pending{tmp.Name(), dst})
		mode := c.Mode
		if mode == 0 {
			mode = 0o644
		}
		_, werr := tmp.Write(c.Content)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Chmod(tmp.Name(), mode)
		}
		if werr != nil {
			return fmt.Errorf("cannot write %s: %w", c.Path, werr)
		}
	}
	for _, w := range written {
		if err := os.Rename(w.tmp, w.dst); err != nil {
			// Renames into a directory we could write a file into only fail
			// for reasons that hit the first rename (e.g. a directory in the
			// way), so in practice nothing has been replaced yet.
			return fmt.Errorf("cannot write %s: %w", w.dst, err)
		}
	}
	return nil
}

// mkdirAll is os.MkdirAll that reports the directories it created, top first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !os.IsNotExist(err) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil {
			return made, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// Print writes a human-readable plan: one line per file created or updated,
// then a summary. Used for --dry-run and to report what a command did.
func Print(w interface{ Write([]byte) (int, error) }, changes []Change, dryRun bool) {
	verb := map[Action]string{Create: "create", Update: "update"}
	if dryRun {
		verb = map[Action]string{Create: "would create", Update: "would update"}
	}
	n := 0
	for _, c := range changes {
		if v, ok := verb[c.Action]; ok {
			fmt.Fprintf(w, "%-12s %s\n", v, c.Path)
			n++
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "nothing to change")
	}
}
