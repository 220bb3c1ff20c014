// Package upstreamcopy checks a package copied from a module in go.mod: the
// generators apiserver-boot runs in-process whose code upstream keeps where
// it cannot be imported as it is (internal/validationgen, internal/protobufgen).
package upstreamcopy

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Copy is a package copied from a directory of a module, its package clause
// renamed.
type Copy struct {
	Module string // module path, as go.mod requires it
	Dir    string // the upstream package's directory in the module
	From   string // upstream's package name
	To     string // the copy's package name
	Files  []string
}

// Check compares the copy in dir with the module go.mod pins: every file
// is upstream's but for the package clause, and no upstream non-test file is
// missed. With update it writes the files anew instead. It returns one
// problem per line, or "".
func (c Copy) Check(dir string, update bool) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", c.Module).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", c.Module, err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), filepath.FromSlash(c.Dir))
	upstream, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil {
		return "", err
	}
	var want, problems []string
	for _, f := range upstream {
		if !strings.HasSuffix(f, "_test.go") {
			want = append(want, filepath.Base(f))
		}
	}
	got := slices.Clone(c.Files)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		problems = append(problems, fmt.Sprintf("upstream's files are %v, the copy has %v", want, got))
	}
	for _, name := range c.Files {
		orig, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return "", err
		}
		wantContent := bytes.Replace(orig, []byte("\npackage "+c.From+"\n"), []byte("\npackage "+c.To+"\n"), 1)
		if bytes.Equal(wantContent, orig) {
			return "", fmt.Errorf("%s: upstream has no package %s clause", name, c.From)
		}
		if update {
			if err := os.WriteFile(filepath.Join(dir, name), wantContent, 0o644); err != nil {
				return "", err
			}
			continue
		}
		copied, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", err
		}
		if !bytes.Equal(copied, wantContent) {
			problems = append(problems, fmt.Sprintf("%s differs from %s (beyond the package clause); run go test with -update", name, filepath.Join(src, name)))
		}
	}
	return strings.Join(problems, "\n"), nil
}
