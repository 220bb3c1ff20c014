// Package upgrade moves a project to the current apiserver-boot: its
// templates and its pinned Kubernetes libraries, without losing an edit.
//
// For every file apiserver-boot generated it merges three versions:
//   - base: what the apiserver-boot that last scaffolded the project
//     generated, as recorded in .apiserver-boot/base by that release;
//   - theirs: what this apiserver-boot generates for the same PROJECT
//     (workspace.Generate replays it);
//   - ours: the file in the user's tree.
//
// A file the user did not touch is replaced; an edited one is merged line by
// line; where both changed the same lines the file gets git-style markers and
// is listed, and upgrade fails until they are resolved. Files the user added
// are never looked at. Then go.mod moves to the current pins, and the project
// is tidied, regenerated and built.
package upgrade

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/apiserver-boot/apiserver-boot/internal/builder"
	"github.com/apiserver-boot/apiserver-boot/internal/merge"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

// Options of an upgrade.
type Options struct {
	Dir string
	// DryRun prints what would change and writes nothing.
	DryRun bool
	// Force resolves conflicting regions to the new templates' version (the
	// user's side of those regions is dropped; their other edits are kept).
	Force bool
	// Out gets the plan and the results; Log the go tool's output.
	Out, Log io.Writer
}

// Outcome is what upgrade does to one file.
type Outcome string

const (
	Replaced   Outcome = "replace"  // unedited: now the current template's
	Merged     Outcome = "merge"    // edited: the user's edits and the template's changes
	Conflicted Outcome = "conflict" // edited where the template changed: markers to resolve
	Created    Outcome = "create"   // new in the current templates
	Deleted    Outcome = "delete"   // no longer generated, and unedited
	KeptEdited Outcome = "keep"     // no longer generated, but edited: left to the user
	KeptGone   Outcome = "gone"     // deleted by the user: stays deleted
	GoMod      Outcome = "go.mod"   // requirements moved to the current pins
)

// File is one file of the plan.
type File struct {
	Path    string
	Outcome Outcome
	Content []byte
	// Conflicts counts the marked regions (Conflicted only).
	Conflicts int
}

// Plan is the upgrade of a project, computed without writing.
type Plan struct {
	From, To string // apiserver-boot versions
	Files    []File
	// Project is the new PROJECT; changes holds every write, the record included.
	Project *project.Project
	// Notes say what the plan could not do as usual, and what it did instead.
	Notes   []string
	changes []scaffold.Change
}

// ConflictError lists files holding conflict markers.
type ConflictError struct{ Paths []string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%d file(s) have conflicts marked with <<<<<<< … >>>>>>> where your edits and the new templates changed the same lines: %s\nresolve them (keep what you want, remove the markers), then run `apiserver-boot upgrade` again to finish (go.mod, go mod tidy, code generation, build)",
		len(e.Paths), strings.Join(e.Paths, ", "))
}

// ErrNoBase is returned for a project without a record of what was generated.
var ErrNoBase = errors.New("this project has no record of what apiserver-boot generated for it (" + model.BaseDir + "): it was made by an apiserver-boot older than v0.1.0, so there is no base to merge from; scaffold a new project with this apiserver-boot and move your code into it")

// Compute plans the upgrade of the project in dir.
func Compute(ctx context.Context, dir string, force bool) (*Plan, error) {
	w, err := workspace.Open(dir)
	if err != nil {
		return nil, err
	}
	if w.Project.Layout == project.LayoutV1 {
		return nil, project.ErrOlderLayout
	}
	base, err := workspace.ReadBase(dir)
	if err != nil {
		return nil, err
	}
	if base == nil {
		return nil, ErrNoBase
	}
	next := w.Project.Clone()
	next.KubernetesVersion = project.KubernetesVersion
	workspace.StampVersions(next)
	theirs, err := workspace.Generate(ctx, next, string(base[model.BoilerplateFile]))
	if err != nil {
		return nil, err
	}
	plan := &Plan{From: w.Project.ApiserverBootVersion, To: release.Current(), Project: next}
	labels := merge.Labels{
		Ours:   "your edits",
		Base:   "apiserver-boot " + plan.From,
		Theirs: "apiserver-boot " + plan.To,
	}
	paths := map[string]bool{}
	for p := range base {
		paths[p] = true
	}
	for p := range theirs {
		paths[p] = true
	}
	// What the old release's go.mod tidied to, when the release changes:
	// those of the project's indirect requirements are apiserver-boot's,
	// not the user's, and go mod tidy recomputes them from the new templates.
	var derived map[string]string
	if changes(base, theirs) {
		if derived, err = tidiedRequirements(ctx, dir, base); err != nil {
			// Offline without the old release's modules, say: every indirect
			// requirement is then kept, which is safe, if not minimal.
			plan.Notes = append(plan.Notes, fmt.Sprintf("go.mod keeps every indirect requirement: the project as apiserver-boot %s generated it could not be tidied: %s", orUnknown(plan.From), oneLine(err)))
		}
	}
	for p := range paths {
		var f *File
		if p == "go.mod" {
			f, err = planGoMod(dir, theirs[p], derived)
		} else {
			f, err = planFile(dir, p, base[p], theirs[p], labels, force)
		}
		if err != nil {
			return nil, err
		}
		if f != nil {
			plan.Files = append(plan.Files, *f)
		}
	}
	sort.Slice(plan.Files, func(i, j int) bool { return plan.Files[i].Path < plan.Files[j].Path })

	for _, f := range plan.Files {
		switch f.Outcome {
		case Replaced, Merged, Conflicted, GoMod:
			plan.changes = append(plan.changes, scaffold.Change{Path: f.Path, Action: scaffold.Update, Content: f.Content, Mode: 0o644})
		case Created:
			plan.changes = append(plan.changes, scaffold.Change{Path: f.Path, Action: scaffold.Create, Content: f.Content, Mode: 0o644})
		case Deleted:
			plan.changes = append(plan.changes, scaffold.Change{Path: f.Path, Action: scaffold.Delete})
		}
	}
	record, err := workspace.BaseChanges(dir, base, theirs)
	if err != nil {
		return nil, err
	}
	plan.changes = append(plan.changes, record...)
	projectFile, err := next.Marshal()
	if err != nil {
		return nil, err
	}
	projectChange, err := scaffold.Compare(dir, map[string][]byte{model.ProjectFile: projectFile})
	if err != nil {
		return nil, err
	}
	plan.changes = append(plan.changes, projectChange...)
	return plan, nil
}

// planFile merges one generated file; nil when nothing changes.
func planFile(dir, p string, base, theirs []byte, l merge.Labels, force bool) (*File, error) {
	ours, err := readIfExists(filepath.Join(dir, filepath.FromSlash(p)))
	if err != nil {
		return nil, err
	}
	switch {
	case ours == nil && base != nil:
		if theirs != nil && !bytes.Equal(base, theirs) {
			return &File{Path: p, Outcome: KeptGone}, nil
		}
		return nil, nil
	case ours == nil:
		return &File{Path: p, Outcome: Created, Content: theirs}, nil
	case theirs == nil:
		if bytes.Equal(ours, base) {
			return &File{Path: p, Outcome: Deleted}, nil
		}
		return &File{Path: p, Outcome: KeptEdited}, nil
	case bytes.Equal(ours, theirs), bytes.Equal(base, theirs):
		return nil, nil
	case bytes.Equal(ours, base):
		return &File{Path: p, Outcome: Replaced, Content: theirs}, nil
	}
	// base is nil when the user made a file where a new one is generated:
	// every line of both is then an addition, and differing ones conflict.
	r := merge.Three(base, ours, theirs, l, force)
	if r.Conflicts > 0 {
		return &File{Path: p, Outcome: Conflicted, Content: r.Content, Conflicts: r.Conflicts}, nil
	}
	return &File{Path: p, Outcome: Merged, Content: r.Content}, nil
}

// changes reports whether this release generates anything other than the record.
func changes(base, theirs map[string][]byte) bool {
	if len(base) != len(theirs) {
		return true
	}
	for p, data := range base {
		if other, ok := theirs[p]; !ok || !bytes.Equal(data, other) {
			return true
		}
	}
	return false
}

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
		case semverLess(req.Mod.Version, r.Mod.Version):
			req.Mod.Version, req.Indirect = r.Mod.Version, false
		}
	}
	mf.SetRequireSeparateIndirect(reqs)
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

// Conflicts are the plan's files that will hold conflict markers.
func (p *Plan) Conflicts() []string {
	var out []string
	for _, f := range p.Files {
		if f.Outcome == Conflicted {
			out = append(out, f.Path)
		}
	}
	return out
}

// Print writes the plan, one line per file.
func (p *Plan) Print(w io.Writer, dryRun bool) {
	fmt.Fprintf(w, "upgrading from apiserver-boot %s to %s (Kubernetes libraries %s, controller-runtime %s)\n",
		orUnknown(p.From), p.To, project.KubernetesVersion, project.ControllerRuntimeVersion)
	notes := map[Outcome]string{
		Replaced:   "unedited, now the current template's",
		Merged:     "your edits kept, the template's changes merged in",
		Created:    "new in this release",
		Deleted:    "no longer generated and unedited",
		KeptEdited: "no longer generated; kept because you edited it",
		KeptGone:   "you deleted it; the template changed, it stays deleted",
		GoMod:      "requirements moved to the current pins",
	}
	for _, f := range p.Files {
		note := notes[f.Outcome]
		if f.Outcome == Conflicted {
			note = fmt.Sprintf("%d region(s) changed both by you and by the template: marked", f.Conflicts)
		}
		verb := string(f.Outcome)
		if dryRun {
			verb = "would " + verb
		}
		fmt.Fprintf(w, "%-16s %s (%s)\n", verb, f.Path, note)
	}
	if len(p.Files) == 0 {
		fmt.Fprintln(w, "every generated file is up to date")
	}
	for _, n := range p.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// Write applies the plan to the project in dir (atomically): the merged
// files, go.mod, the new record and PROJECT.
func (p *Plan) Write(dir string) error { return scaffold.Apply(dir, p.changes) }

// Run upgrades the project in o.Dir: the merge, then go.mod, tidy,
// regeneration and build. It fails while any generated file holds conflict
// markers, and it is a no-op on an upgraded project.
func Run(ctx context.Context, o Options) error {
	plan, err := Compute(ctx, o.Dir, o.Force)
	if err != nil {
		return err
	}
	plan.Print(o.Out, o.DryRun)
	if o.DryRun {
		if c := plan.Conflicts(); len(c) > 0 {
			return fmt.Errorf("%d file(s) would get conflict markers: %s", len(c), strings.Join(c, ", "))
		}
		return nil
	}
	if err := plan.Write(o.Dir); err != nil {
		return err
	}
	if err := unresolved(o.Dir); err != nil {
		return err
	}
	return finish(ctx, o, plan.Project)
}

// unresolved fails if a generated file still has conflict markers, from
// this run or an earlier one.
func unresolved(dir string) error {
	base, err := workspace.ReadBase(dir)
	if err != nil {
		return err
	}
	var paths []string
	for p := range base {
		data, err := readIfExists(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		if merge.HasConflicts(data) {
			paths = append(paths, p)
		}
	}
	if len(paths) > 0 {
		sort.Strings(paths)
		return &ConflictError{Paths: paths}
	}
	return nil
}

// finish completes go.mod, regenerates and builds, naming what to look at
// when a step fails.
func finish(ctx context.Context, o Options, p *project.Project) error {
	fmt.Fprintln(o.Out, "go mod tidy")
	if err := workspace.GoModTidy(ctx, o.Dir); err != nil {
		return fmt.Errorf("upgrade: the files are merged, but go.mod does not resolve; look at go.mod (your requirements next to the new pins): %w", err)
	}
	m := model.New(p)
	if err := builder.Generate(builder.Options{Dir: o.Dir, Project: m, Generate: true, Out: o.Out, Log: o.Log}); err != nil {
		return fmt.Errorf("upgrade: the files are merged, but code generation fails; look at the API types it names: %w", err)
	}
	// Again: the generated code's imports make some requirements direct.
	// Code generation's up-to-date stamp covers go.mod, so it runs once more
	// if that changed it (writing only the stamp), and a next upgrade is a no-op.
	before := modFiles(o.Dir)
	if err := workspace.GoModTidy(ctx, o.Dir); err != nil {
		return fmt.Errorf("upgrade: go mod tidy after code generation: %w", err)
	}
	if modFiles(o.Dir) != before {
		if err := builder.Generate(builder.Options{Dir: o.Dir, Project: m, Generate: true, Out: io.Discard, Log: io.Discard}); err != nil {
			return err
		}
	}
	fmt.Fprintln(o.Out, "go build ./...")
	cmd := exec.CommandContext(ctx, "go", "build", "./...")
	cmd.Dir = o.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("upgrade: the files are merged and regenerated, but the project does not build; look at the files and lines the compiler names:\n%s", strings.TrimSpace(out.String()))
	}
	fmt.Fprintf(o.Out, "upgraded to apiserver-boot %s; run `make test` (or go test ./...) and look at the merged files\n", release.Current())
	return nil
}

// modFiles is the content of go.mod and go.sum.
func modFiles(dir string) string {
	mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	sum, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
	return string(mod) + "\x00" + string(sum)
}

func readIfExists(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

func orUnknown(v string) string {
	if v == "" {
		return "(unknown)"
	}
	return v
}

// oneLine is an error's lines joined, shortened for a note.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// semverLess compares module versions (the go command's order).
func semverLess(a, b string) bool { return semver.Compare(a, b) < 0 }
