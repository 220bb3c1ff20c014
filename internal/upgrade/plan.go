// The plan: what happens to each generated file, computed without writing.

package upgrade

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	apiserverboot "github.com/apiserver-boot/apiserver-boot"
	"github.com/apiserver-boot/apiserver-boot/internal/merge"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

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
	Notes []string
	// Changes are CHANGELOG.md's sections between the two releases.
	Changes []release.Section
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
	plan.Changes = release.ChangesBetween(apiserverboot.Changelog, plan.From, plan.To)
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
	if len(p.Changes) > 0 {
		fmt.Fprintf(w, "\nWhat changed in apiserver-boot since %s (CHANGELOG.md):\n", orUnknown(p.From))
		for _, c := range p.Changes {
			fmt.Fprintf(w, "\n## %s\n\n%s\n", c.Version, c.Text)
		}
	}
}

// Write applies the plan to the project in dir (atomically): the merged
// files, go.mod, the new record and PROJECT.
func (p *Plan) Write(dir string) error { return scaffold.Apply(dir, p.changes) }
