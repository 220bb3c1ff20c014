package pkgdriver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/tools/go/packages"
)

// cacheVersion changes whenever declarationsOnly's output would.
const cacheVersion = "declarations-2"

const (
	// touchAfter: an entry used again after this long gets its time renewed.
	touchAfter = time.Hour
	// trimAfter: entries unused for this long are removed (a Go or
	// Kubernetes upgrade leaves the old versions' files behind).
	trimAfter = 14 * 24 * time.Hour
	// trimEvery: how often a load looks for such entries.
	trimEvery = 24 * time.Hour
)

// cache holds the copies in one flat directory, <root>/<key>-<name>: a
// directory per package made a cold load several times slower (creating the
// first files of a new directory is what costs, on ext4 at least).
type cache struct{ root string }

// openCache returns the cache, or nil when there is none to use: no user
// cache directory, or one that cannot be written. The files are then read
// whole, which is slower and otherwise the same.
func openCache() *cache {
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil
	}
	c := &cache{root: filepath.Join(dir, "apiserver-boot", cacheVersion)}
	if err := os.MkdirAll(c.root, 0o755); err != nil {
		return nil
	}
	c.trim(time.Now())
	return c
}

// declarationsOnly points each package's CompiledGoFiles at cached copies
// without function bodies, making the copies it does not have yet. A file
// that cannot be copied (a full disk, say) is read whole. doc.go files stay:
// gengo reads a package's doc.go by its name (and they hold comments, not
// code). So do files the caller overlays: their content is not on disk.
func (c *cache) declarationsOnly(pkgs []*packages.Package, overlay map[string][]byte) {
	if c == nil {
		return
	}
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, p := range pkgs {
		for i, f := range p.CompiledGoFiles {
			if _, overlaid := overlay[f]; overlaid || filepath.Base(f) == "doc.go" {
				continue
			}
			g.Go(func() error {
				if copied, err := c.copyOf(f); err == nil {
					p.CompiledGoFiles[i] = copied
				}
				return nil
			})
		}
	}
	_ = g.Wait()
}

// copyOf returns the copy of file, writing it if it is not cached.
func (c *cache) copyOf(file string) (string, error) {
	key, err := identity(file)
	if err != nil {
		return "", err
	}
	name := filepath.Join(c.root, key[:32]+"-"+filepath.Base(file))
	if info, err := os.Stat(name); err == nil {
		if now := time.Now(); now.Sub(info.ModTime()) > touchAfter {
			_ = os.Chtimes(name, now, now)
		}
		return name, nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	// Written aside and renamed, so that a concurrent load or an
	// interrupted one never reads half a file.
	tmp, err := os.CreateTemp(c.root, "tmp-")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(declarationsOnly(src))
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	return name, err
}

// identity keys a file by its path, size and modification time:
// dependencies live in the module cache and GOROOT, which are not edited in
// place, and a file that is (a replaced module's) changes its time.
func identity(file string) (string, error) {
	info, err := os.Stat(file)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", file, info.Size(), info.ModTime().UnixNano()))
	return hex.EncodeToString(h[:]), nil
}

// trim removes copies unused for trimAfter (and scratch files left by an
// interrupted load), at most once every trimEvery.
func (c *cache) trim(now time.Time) {
	stamp := filepath.Join(c.root, "trim.txt")
	if info, err := os.Stat(stamp); err == nil && now.Sub(info.ModTime()) < trimEvery {
		return
	}
	if os.WriteFile(stamp, nil, 0o644) != nil || os.Chtimes(stamp, now, now) != nil {
		return
	}
	entries, _ := os.ReadDir(c.root)
	for _, e := range entries {
		if e.Name() == "trim.txt" {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > trimAfter {
			_ = os.RemoveAll(filepath.Join(c.root, e.Name()))
		}
	}
}
