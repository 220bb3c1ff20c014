// Package workspace performs the scaffolding operations on a project
// directory: init, and adding groups, versions and kinds. Each operation
// validates its request against PROJECT, computes the new PROJECT and the
// complete plan of file changes, and only then writes (or, for a dry run,
// only returns the plan). A failed operation leaves the tree as it was.
package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/layout"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
	"github.com/apiserver-boot/apiserver-boot/templates"
)

// Options apply to every operation.
type Options struct {
	// DryRun computes the plan and writes nothing.
	DryRun bool
	// Force overwrites files that differ from what apiserver-boot would write.
	Force bool
	// replay: Generate is replaying a project's history in a scratch
	// directory, which keeps no record of its own.
	replay bool
}

// Workspace is an initialised project directory.
type Workspace struct {
	Dir         string
	Project     *project.Project
	Boilerplate string
}

// Open loads the project in dir.
func Open(dir string) (*Workspace, error) {
	p, err := project.Load(dir)
	if err != nil {
		return nil, err
	}
	header, err := os.ReadFile(filepath.Join(dir, model.BoilerplateFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return &Workspace{Dir: dir, Project: p, Boilerplate: string(header)}, nil
}

func (w *Workspace) renderer() *scaffold.Renderer {
	return &scaffold.Renderer{Templates: templates.FS, Boilerplate: w.Boilerplate, Funcs: layout.Funcs, Module: w.Project.Module}
}

// InitRequest describes a new project.
type InitRequest struct {
	Dir         string
	Domain      string
	Module      string
	License     string
	Owner       string
	Boilerplate string // rendered license header
	// Tidy runs `go mod tidy` after writing, so that go.sum is complete.
	Tidy bool
}

// Init creates a new project in an empty (or unrelated) directory.
func Init(ctx context.Context, req InitRequest, opts Options) ([]scaffold.Change, error) {
	for _, f := range []string{project.FileName, "go.mod"} {
		if _, err := os.Stat(filepath.Join(req.Dir, f)); err == nil {
			return nil, fmt.Errorf("%s already exists: this directory already holds a project or Go module; run init in an empty directory", f)
		}
	}
	p := &project.Project{
		Layout:            project.Layout,
		Domain:            req.Domain,
		Module:            req.Module,
		KubernetesVersion: project.KubernetesVersion,
		License:           req.License,
		Owner:             req.Owner,
	}
	StampVersions(p)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	w := &Workspace{Dir: req.Dir, Project: p, Boilerplate: req.Boilerplate}
	m := model.New(p)
	projectFile, err := layout.Project(m)
	if err != nil {
		return nil, err
	}
	files := append(layout.Repo(m, req.Boilerplate), layout.Regenerated(m)...)
	changes, err := w.plan(nil, append(files, projectFile), nil, opts)
	if err != nil {
		return nil, err
	}
	if !opts.replay {
		base, err := Generate(ctx, p, req.Boilerplate)
		if err != nil {
			return nil, err
		}
		record, err := BaseChanges(req.Dir, nil, base)
		if err != nil {
			return nil, err
		}
		changes = append(changes, record...)
	}
	if opts.DryRun {
		return changes, nil
	}
	// PROJECT is written last: if tidy fails, running init again redoes it
	// (the files already written are identical, so they are no conflict).
	var first, last []scaffold.Change
	for _, c := range changes {
		if c.Path == project.FileName {
			last = append(last, c)
		} else {
			first = append(first, c)
		}
	}
	if err := scaffold.Apply(req.Dir, first); err != nil {
		return nil, err
	}
	if req.Tidy {
		if err := GoModTidy(ctx, req.Dir); err != nil {
			return nil, err
		}
	}
	if err := scaffold.Apply(req.Dir, last); err != nil {
		return nil, err
	}
	return changes, nil
}

// GoModTidy completes go.mod and go.sum. -e: packages generated later
// (pkg/generated/...) do not exist yet, which must not stop it.
func GoModTidy(ctx context.Context, dir string) error {
	cmd := exec.CommandContext(ctx, "go", "mod", "tidy", "-e")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go mod tidy: %w\n%s", err, strings.TrimSpace(out.String()))
	}
	return nil
}

// KindRequest describes a new kind.
type KindRequest struct {
	Group             string
	Version           string
	Kind              string
	Plural            string // default: the kind's plural
	ShortNames        []string
	Categories        []string
	Namespaced        bool
	StatusSubresource bool
	Controller        bool
	// Store is project.StoreCustom for a kind kept by the user's backend.
	Store    string
	ReadOnly bool
	// Tidy runs `go mod tidy` afterwards: the kind's tests and storage
	// import packages the project did not use before.
	Tidy bool
}

// AddGroup adds a group (if it is new) to the project.
func (w *Workspace) AddGroup(group string, opts Options) ([]scaffold.Change, error) {
	if err := names.ValidateGroup(group, w.Project.Domain); err != nil {
		return nil, err
	}
	next := w.Project.Clone()
	next.AddGroup(group)
	return w.apply(next, layout.Group(model.New(next).Group(group)), nil, opts)
}

// AddGroupAndVersion adds a group and a version (each if it is new) to the project.
func (w *Workspace) AddGroupAndVersion(group, version string, opts Options) ([]scaffold.Change, error) {
	if err := names.ValidateGroup(group, w.Project.Domain); err != nil {
		return nil, err
	}
	if err := names.ValidateVersion(version); err != nil {
		return nil, err
	}
	next := w.Project.Clone()
	next.AddGroup(group)
	next.AddVersion(group, version)
	g := model.New(next).Group(group)
	files := append(layout.Group(g), layout.Version(g.Version(version))...)
	return w.apply(next, files, nil, opts)
}

// AddKind adds a kind (and its group and version if they are new).
func (w *Workspace) AddKind(ctx context.Context, req KindRequest, opts Options) ([]scaffold.Change, error) {
	kind := project.Kind{
		Kind:              req.Kind,
		Package:           names.KindPackage(req.Kind),
		Namespaced:        req.Namespaced,
		ShortNames:        req.ShortNames,
		Categories:        req.Categories,
		StatusSubresource: req.StatusSubresource,
		Controller:        req.Controller,
		Versions:          []string{req.Version},
		Store:             req.Store,
		ReadOnly:          req.ReadOnly,
	}
	if kind.Store == project.StoreRegistry {
		kind.Store = "" // the default, as PROJECT records it
	}
	if err := kind.Validate(); err != nil {
		return nil, err
	}
	if err := w.validateKind(&req); err != nil {
		return nil, err
	}
	kind.Plural = req.Plural
	next := w.Project.Clone()
	next.AddGroup(req.Group)
	next.AddVersion(req.Group, req.Version)
	g := next.Group(req.Group)
	g.Kinds = append(g.Kinds, kind)
	mg := model.New(next).Group(req.Group)
	files := append(layout.Group(mg), layout.Version(mg.Version(req.Version))...)
	kindFiles, inserts := layout.Kind(mg.Kind(req.Kind))
	changes, err := w.apply(next, append(files, kindFiles...), inserts, opts)
	if err != nil || opts.DryRun || !req.Tidy {
		return changes, err
	}
	if err := GoModTidy(ctx, w.Dir); err != nil {
		return changes, fmt.Errorf("the kind was created, but %w", err)
	}
	return changes, nil
}

func (w *Workspace) validateKind(req *KindRequest) error {
	p := w.Project
	if err := names.ValidateGroup(req.Group, p.Domain); err != nil {
		return err
	}
	if err := names.ValidateVersion(req.Version); err != nil {
		return err
	}
	if req.Plural == "" {
		req.Plural = names.Plural(req.Kind)
	}
	if err := names.ValidateResource(req.Plural); err != nil {
		return err
	}
	if req.Plural == names.Singular(req.Kind) {
		return fmt.Errorf("invalid resource %q: the plural must differ from the singular %q (use --resource)", req.Plural, names.Singular(req.Kind))
	}
	for _, s := range req.ShortNames {
		if err := names.ValidateShortName(s); err != nil {
			return err
		}
	}
	for _, c := range req.Categories {
		if err := names.ValidateCategory(c); err != nil {
			return err
		}
	}
	for _, g := range p.Groups {
		for _, k := range g.Kinds {
			switch {
			case strings.EqualFold(k.Kind, req.Kind) && g.Name == req.Group:
				return fmt.Errorf("kind %s already exists in group %s", k.Kind, p.FullGroup(&g))
			case strings.EqualFold(k.Kind, req.Kind):
				return fmt.Errorf("kind %s already exists in group %s: kind names must be unique in a project (they name its samples and controllers)", k.Kind, p.FullGroup(&g))
			case g.Name == req.Group && declares(k.Kind, req.Kind):
				return fmt.Errorf("invalid kind %q: it would clash with the Go types of kind %s, which declares %s in group %s; choose another name", req.Kind, k.Kind, req.Kind, p.FullGroup(&g))
			case g.Name == req.Group && declares(req.Kind, k.Kind):
				return fmt.Errorf("invalid kind %q: its type %s would clash with kind %s in group %s; choose another name", req.Kind, k.Kind, k.Kind, p.FullGroup(&g))
			case g.Name == req.Group && k.Plural == req.Plural:
				return fmt.Errorf("resource %q is already used by kind %s in group %s (use --resource)", req.Plural, k.Kind, p.FullGroup(&g))
			}
			for _, s := range req.ShortNames {
				if slices.Contains(k.ShortNames, s) {
					return fmt.Errorf("short name %q is already used by kind %s", s, k.Kind)
				}
			}
		}
	}
	return nil
}

// apply plans the change from the current PROJECT to next — the given files
// plus every file regenerated from PROJECT — and writes it unless DryRun.
func (w *Workspace) apply(next *project.Project, files []scaffold.File, inserts []scaffold.Insertion, opts Options) ([]scaffold.Change, error) {
	if w.Project.Layout == project.LayoutV1 {
		return nil, project.ErrOlderLayout
	}
	if err := next.Validate(); err != nil {
		return nil, err
	}
	var record []scaffold.Change
	if !opts.replay {
		var err error
		if record, err = w.record(next); err != nil {
			return nil, err
		}
	}
	m := model.New(next)
	projectFile, err := layout.Project(m)
	if err != nil {
		return nil, err
	}
	files = append(files, layout.Regenerated(m)...)
	files = append(files, projectFile)

	// What the current PROJECT renders to is apiserver-boot's own output; an
	// existing regenerated file that differs from it was edited by the user.
	previous := map[string][]byte{}
	for _, f := range layout.Regenerated(model.New(w.Project)) {
		content, err := w.renderer().Render(f)
		if err != nil {
			return nil, err
		}
		previous[f.Path] = content
	}
	if current, err := os.ReadFile(filepath.Join(w.Dir, project.FileName)); err == nil {
		previous[project.FileName] = current
	}
	changes, err := w.plan(previous, files, inserts, opts)
	if err != nil {
		return nil, err
	}
	changes = append(changes, record...)
	if opts.DryRun {
		return changes, nil
	}
	if err := scaffold.Apply(w.Dir, changes); err != nil {
		return nil, err
	}
	w.Project = next
	return changes, nil
}

// record stamps next with this apiserver-boot's versions and plans updating
// the project's record of what apiserver-boot generated (model.BaseDir) to
// what next generates. A record this apiserver-boot would not have written
// for the current PROJECT means another release scaffolded the project: the
// new files would not match the rest, so the user is sent to upgrade first.
// A project from before the record gets one, if its history can be replayed.
func (w *Workspace) record(next *project.Project) ([]scaffold.Change, error) {
	ctx := context.Background()
	old, err := ReadBase(w.Dir)
	if err != nil {
		return nil, err
	}
	header := w.Boilerplate
	if old != nil {
		header = string(old[model.BoilerplateFile])
		if err := w.checkRecord(old); err != nil {
			return nil, err
		}
	}
	StampVersions(next)
	base, err := Generate(ctx, next, header)
	if err != nil {
		if old == nil {
			return nil, nil // an older project whose history cannot be replayed: no record, as before
		}
		return nil, err
	}
	return BaseChanges(w.Dir, old, base)
}

// CheckRecord fails, saying to run upgrade, when another release
// scaffolded the project and this one generates its files differently. A
// project without a record (from before v0.1.0) passes.
func (w *Workspace) CheckRecord() error {
	old, err := ReadBase(w.Dir)
	if err != nil || old == nil {
		return err
	}
	return w.checkRecord(old)
}

func (w *Workspace) checkRecord(old map[string][]byte) error {
	current, err := Generate(context.Background(), w.Project, string(old[model.BoilerplateFile]))
	if err != nil {
		return err
	}
	if diff := differingFiles(old, current); len(diff) > 0 {
		return fmt.Errorf("this project was scaffolded by apiserver-boot %s, and this apiserver-boot, %s, generates %d of its files differently (%s): run `apiserver-boot upgrade` first, so that the project matches what this release writes",
			orUnknown(w.Project.ApiserverBootVersion), release.Current(), len(diff), summarize(diff, 3))
	}
	return nil
}

// StampVersions records in p the apiserver-boot and the libraries that scaffold it now.
func StampVersions(p *project.Project) {
	p.ApiserverBootVersion = release.Current()
	p.ControllerRuntimeVersion = project.ControllerRuntimeVersion
}

func orUnknown(v string) string {
	if v == "" {
		return "(a release from before versions were recorded)"
	}
	return v
}

// summarize lists the first n items and how many more there are.
func summarize(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

func (w *Workspace) plan(previous map[string][]byte, files []scaffold.File, inserts []scaffold.Insertion, opts Options) ([]scaffold.Change, error) {
	return scaffold.Plan(w.Dir, w.renderer(), files, inserts, previous, opts.Force)
}

// declares reports whether kind's Go types include a type or constant named ident.
func declares(kind, ident string) bool {
	for _, suffix := range model.KindTypeSuffixes {
		if strings.EqualFold(ident, kind+suffix) {
			return true
		}
	}
	return false
}
