package codegen

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// A stage is a copy of the project that an upstream generator command runs
// in, as it runs in a user's tree: it reads the packages and writes its files
// there, and Generate takes what it wrote back into its own output. The
// project itself is never written to, so --verify writes nothing and a
// failed run leaves no half-written files.
type stage struct {
	project string // the project's directory
	dir     string // the copy's
	// input is what the copy held when the command started, by path relative
	// to dir: what it changed is what differs afterwards.
	input map[string][]byte
}

// newStage copies the project's files into a new directory under parent,
// without its hidden and build-output directories, and lays over them the
// files of overlay (relative paths; nil content removes a file).
func newStage(parent, project string, overlay map[string][]byte) (*stage, error) {
	dir, err := os.MkdirTemp(parent, "stage-")
	if err != nil {
		return nil, err
	}
	s := &stage{project: project, dir: dir, input: map[string][]byte{}}
	err = filepath.WalkDir(project, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(project, path)
		if d.IsDir() {
			name := d.Name()
			if path != project && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "bin" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s.input[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	for rel, data := range overlay {
		if data == nil {
			delete(s.input, rel)
		} else {
			s.input[rel] = data
		}
	}
	if mod, ok := s.input["go.mod"]; ok {
		if s.input["go.mod"], err = absoluteReplaces(project, mod); err != nil {
			return nil, err
		}
	}
	for rel, data := range s.input {
		if err := s.write(rel, data); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *stage) write(rel string, data []byte) error {
	path := filepath.Join(s.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// absoluteReplaces rewrites go.mod's replace directives that name a
// directory relative to the project, which the copy is not beside.
func absoluteReplaces(project string, data []byte) ([]byte, error) {
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return nil, err
	}
	changed := false
	for _, r := range f.Replace {
		if r.New.Version != "" || filepath.IsAbs(r.New.Path) {
			continue
		}
		abs := filepath.Join(project, filepath.FromSlash(r.New.Path))
		if err := f.AddReplace(r.Old.Path, r.Old.Version, abs, ""); err != nil {
			return nil, err
		}
		changed = true
	}
	if !changed {
		return data, nil
	}
	return f.Format()
}

// env is the environment commands run with in the stage: base, with no
// workspace (a go.work beside the project would name its directory, not the
// copy's).
func (s *stage) env(base []string) []string {
	if base == nil {
		base = os.Environ()
	}
	return append(append([]string(nil), base...), "GOWORK=off")
}

// changes returns the files below the package directories dirs (relative to
// the project) that the command created or changed, by absolute path in the
// project, and which of them match keep.
func (s *stage) changes(dirs []string, keep func(rel string) bool) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, d := range dirs {
		entries, err := os.ReadDir(filepath.Join(s.dir, filepath.FromSlash(d)))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			rel := d + "/" + e.Name()
			if !keep(rel) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(rel)))
			if err != nil {
				return nil, err
			}
			if old, ok := s.input[rel]; ok && string(old) == string(data) {
				continue
			}
			out[filepath.Join(s.project, filepath.FromSlash(rel))] = data
		}
	}
	return out, nil
}

// unstage turns the stage's paths in a command's messages into the project's.
func (s *stage) unstage(msg string) string {
	return strings.ReplaceAll(msg, s.dir, s.project)
}

// relDir is a package's directory relative to the project, from its import path.
func relDir(module, pkg string) (string, error) {
	if pkg == module {
		return ".", nil
	}
	rel, ok := strings.CutPrefix(pkg, module+"/")
	if !ok {
		return "", fmt.Errorf("%s is not in the module %s", pkg, module)
	}
	return rel, nil
}
