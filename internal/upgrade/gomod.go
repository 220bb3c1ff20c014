// go.mod: the recorded requirements, tidied, against the current pins.

package upgrade

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/mod/modfile"

	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

// tidiedRequirements is what `go mod tidy` makes of the recorded go.mod with
// the recorded files (the project as the old release generated it, before
// code generation): module path to version.
func tidiedRequirements(ctx context.Context, dir string, base map[string][]byte) (map[string]string, error) {
	tmp, err := os.MkdirTemp("", "apiserver-boot-upgrade-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	files := maps.Clone(base)
	if sum, err := readIfExists(filepath.Join(dir, "go.sum")); err != nil {
		return nil, err
	} else if sum != nil {
		files["go.sum"] = sum // checksums the go command would otherwise look up
	}
	for p, data := range files {
		path := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
	}
	if err := workspace.GoModTidy(ctx, tmp); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(tmp, "go.mod"))
	if err != nil {
		return nil, err
	}
	mf, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range mf.Require {
		out[r.Mod.Path] = r.Mod.Version
	}
	return out, nil
}

// planGoMod moves the project's requirements to the current template's pins
// (never down) and its go directive up to the template's, keeping everything
// the user added; `go mod tidy` then completes it. Indirect requirements at
// the version the old release's project tidied to (derived) came with
// apiserver-boot's templates, not from the user: they are dropped, for tidy
// to work out again from the new templates (a dependency the new release no
// longer has may have raised them). One the user changed is kept.
func planGoMod(dir string, theirs []byte, derived map[string]string) (*File, error) {
	path := filepath.Join(dir, "go.mod")
	ours, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	mf, err := modfile.Parse(path, ours, nil)
	if err != nil {
		return nil, err
	}
	tf, err := modfile.Parse("go.mod (template)", theirs, nil)
	if err != nil {
		return nil, err
	}
	// The requirements as they will be: the project's, less those dropped,
	// with the template's added or raised; then laid out as the go command
	// does (direct ones in the first block), so that a template requirement
	// new to the project lands where a fresh scaffold has it.
	var reqs []*modfile.Require
	index := map[string]*modfile.Require{}
	for _, r := range mf.Require {
		if v, ok := derived[r.Mod.Path]; ok && r.Indirect && v == r.Mod.Version {
			continue
		}
		req := &modfile.Require{Mod: r.Mod, Indirect: r.Indirect}
		reqs = append(reqs, req)
		index[r.Mod.Path] = req
	}
	for _, r := range tf.Require {
		switch req, ok := index[r.Mod.Path]; {
		case !ok:
			reqs = append(reqs, &modfile.Require{Mod: r.Mod})
		case r.Mod.Path == release.Module:
			// apiserver-boot's own pin moves to this release, whichever way
			// (tidy marks a tool's module indirect: that stays tidy's).
			req.Mod.Version = r.Mod.Version
		case semverLess(req.Mod.Version, r.Mod.Version):
			req.Mod.Version, req.Indirect = r.Mod.Version, false
		}
	}
	mf.SetRequireSeparateIndirect(reqs)
	if err := movePin(mf, tf); err != nil {
		return nil, err
	}
	if tf.Go != nil && (mf.Go == nil || semverLess("v"+mf.Go.Version, "v"+tf.Go.Version)) {
		if err := mf.AddGoStmt(tf.Go.Version); err != nil {
			return nil, err
		}
	}
	mf.Cleanup()
	out, err := mf.Format()
	if err != nil {
		return nil, err
	}
	if bytes.Equal(out, ours) {
		return nil, nil
	}
	return &File{Path: "go.mod", Outcome: GoMod, Content: out}, nil
}

// movePin gives the project the template's tool directive for apiserver-boot
// and its replace directive (a development build's checkout), or none: each
// where a fresh scaffold has it, with its comment. Those already right are
// left alone.
func movePin(mf, tf *modfile.File) error {
	for _, t := range tf.Tool {
		if slices.ContainsFunc(mf.Tool, func(m *modfile.Tool) bool { return m.Path == t.Path }) {
			continue
		}
		line := &modfile.Line{Token: []string{"tool", modfile.AutoQuote(t.Path)}, Comments: t.Syntax.Comments}
		// After the go directive, as in a fresh scaffold.
		at := len(mf.Syntax.Stmt)
		if mf.Go != nil {
			if i := slices.Index(mf.Syntax.Stmt, modfile.Expr(mf.Go.Syntax)); i >= 0 {
				at = i + 1
			}
		}
		mf.Syntax.Stmt = slices.Insert(mf.Syntax.Stmt, at, modfile.Expr(line))
		mf.Tool = append(mf.Tool, &modfile.Tool{Path: t.Path, Syntax: line})
	}
	pinReplace := func(f *modfile.File) *modfile.Replace {
		for _, r := range f.Replace {
			if r.Old.Path == release.Module {
				return r
			}
		}
		return nil
	}
	ours, theirs := pinReplace(mf), pinReplace(tf)
	if ours != nil && theirs != nil && ours.Old == theirs.Old && ours.New == theirs.New {
		return nil
	}
	if ours != nil {
		if err := mf.DropReplace(ours.Old.Path, ours.Old.Version); err != nil {
			return err
		}
	}
	if theirs != nil {
		// At the end, with its comment, as in a fresh scaffold.
		tokens := []string{"replace", modfile.AutoQuote(theirs.Old.Path)}
		if theirs.Old.Version != "" {
			tokens = append(tokens, theirs.Old.Version)
		}
		tokens = append(tokens, "=>", modfile.AutoQuote(theirs.New.Path))
		if theirs.New.Version != "" {
			tokens = append(tokens, theirs.New.Version)
		}
		line := &modfile.Line{Token: tokens, Comments: theirs.Syntax.Comments}
		mf.Syntax.Stmt = append(mf.Syntax.Stmt, line)
		mf.Replace = append(mf.Replace, &modfile.Replace{Old: theirs.Old, New: theirs.New, Syntax: line})
	}
	return nil
}
