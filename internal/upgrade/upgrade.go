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
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/semver"
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
	// Planned, if set, is given the plan before it is carried out.
	Planned func(*Plan)
}

// Run upgrades the project in o.Dir: the merge, then go.mod, tidy,
// regeneration and build. It fails while any generated file holds conflict
// markers, and it is a no-op on an upgraded project.
func Run(ctx context.Context, o Options) error {
	plan, err := Compute(ctx, o.Dir, o.Force)
	if err != nil {
		return err
	}
	if o.Planned != nil {
		o.Planned(plan)
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
