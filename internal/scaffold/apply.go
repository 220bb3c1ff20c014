package scaffold

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
)

// Apply writes the plan's creates and updates under root. All content is
// first written to temporary files next to their targets; only when every one
// of them is written are they renamed into place. On error, temporary files
// and directories created on the way are removed, leaving the tree as it was.
// Deletions come last, once everything else is in place; a directory they
// leave empty is removed too.
func Apply(root string, changes []Change) (err error) {
	// Every path comes from names a PROJECT or a flag gave: none may lead out
	// of root (../, an absolute path), whatever made it.
	for _, c := range changes {
		if !filepath.IsLocal(filepath.FromSlash(c.Path)) {
			return fmt.Errorf("refusing to write %s: it is outside the project", c.Path)
		}
	}
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
	for _, c := range changes {
		if c.Action != Delete {
			continue
		}
		dst := filepath.Join(root, filepath.FromSlash(c.Path))
		if err := os.Remove(dst); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("cannot delete %s: %w", c.Path, err)
		}
		for d := filepath.Dir(dst); d != filepath.Clean(root) && len(d) > len(filepath.Clean(root)); d = filepath.Dir(d) {
			if os.Remove(d) != nil {
				break // not empty
			}
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
