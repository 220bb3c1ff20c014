package ci

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoFiles are the repository's committed files outside testdata (golden
// projects hold the generators' output, with its headers), by path from the root.
func repoFiles(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("git", "-C", "../..", "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	var files []string
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if f == "" || strings.HasPrefix(f, "testdata/") || strings.Contains(f, "/testdata/") {
			continue
		}
		files = append(files, f)
	}
	return files
}

// A copyright line naming a holder: the project's own files carry none (the
// license templates under boilerplate/ hold placeholders, not holders).
var copyrightLine = regexp.MustCompile(`(?i)copyright\s+(\(c\)\s*)?(19|20)\d\d`)

// TestNoOtherProjectsCopyrightHeaders: no file outside testdata carries
// another project's copyright header (what a copied file brings along).
func TestNoOtherProjectsCopyrightHeaders(t *testing.T) {
	for _, f := range repoFiles(t) {
		data, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			continue // removed in the work tree
		}
		s := bufio.NewScanner(bytes.NewReader(data))
		s.Buffer(make([]byte, 1<<20), 1<<20)
		for n := 1; s.Scan(); n++ {
			if copyrightLine.MatchString(s.Text()) {
				t.Errorf("%s:%d carries a copyright header: %s\n  others' code comes in as a module dependency, not a copy (CONTRIBUTING.md)", f, n, strings.TrimSpace(s.Text()))
			}
		}
	}
}

// TestNoFileCopiedFromAModule: no Go file of the repository is a file of a
// module in its build list, with or without its package clause changed (the
// way the generators used to be copied in).
func TestNoFileCopiedFromAModule(t *testing.T) {
	ours := map[[32]byte]string{}
	for _, f := range repoFiles(t) {
		if !strings.HasSuffix(f, ".go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			continue
		}
		if len(bytes.TrimSpace(data)) < 200 {
			continue // too small to be anyone's in particular
		}
		ours[withoutPackageClause(data)] = f
	}
	cmd := exec.Command("go", "list", "-m", "-json", "all")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	modules := 0
	for {
		var m struct {
			Path, Dir string
			Main      bool
		}
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if m.Main || m.Dir == "" {
			continue // ours, or not downloaded (so not built from)
		}
		modules++
		_ = filepath.WalkDir(m.Dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			if f, ok := ours[withoutPackageClause(data)]; ok {
				rel, _ := filepath.Rel(m.Dir, path)
				t.Errorf("%s is a copy of %s's %s: import the package, or run the command built from the module", f, m.Path, rel)
			}
			return nil
		})
	}
	if modules < 20 {
		t.Fatalf("only %d downloaded modules to compare with", modules)
	}
}

var packageClause = regexp.MustCompile(`(?m)^package \w+`)

func withoutPackageClause(data []byte) [32]byte {
	return sha256.Sum256(packageClause.ReplaceAll(data, nil))
}
