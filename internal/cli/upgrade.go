package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/output"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/upgrade"
)

// UpgradeOptions are the flags of `upgrade`.
type UpgradeOptions struct {
	DryRun, Force bool
	Dir           string
	Output        string
	streams       IOStreams
}

// UpgradeResult is `upgrade -o json`.
type UpgradeResult struct {
	output.Status
	// From and To are the apiserver-boot versions.
	From   string `json:"from"`
	To     string `json:"to"`
	DryRun bool   `json:"dryRun"`
	// Files are every file the upgrade changes, with what it does to each:
	// replace, merge, conflict, create, delete, keep, gone, go.mod.
	Files []UpgradeFile `json:"files"`
	// Replaced (unedited), Merged (edited, merged cleanly) and Conflicted
	// (edited where the templates changed: marked) are paths from Files.
	Replaced   []string `json:"replaced"`
	Merged     []string `json:"merged"`
	Conflicted []string `json:"conflicted"`
	// Notes say what the upgrade could not do as usual, and what it did.
	Notes []string `json:"notes"`
	// Changelog holds CHANGELOG.md's sections between the two releases,
	// newest first: [{version, text}].
	Changelog []release.Section `json:"changelog"`
}

// UpgradeFile is one file of an upgrade.
type UpgradeFile struct {
	Path    string          `json:"path"`
	Outcome upgrade.Outcome `json:"outcome"`
	// Conflicts counts the marked regions of a conflicted file.
	Conflicts int `json:"conflicts,omitempty"`
}

func (r *UpgradeResult) fill(p *upgrade.Plan) {
	r.From, r.To = p.From, p.To
	r.Notes = append(r.Notes, p.Notes...)
	r.Changelog = append(r.Changelog, p.Changes...)
	for _, f := range p.Files {
		r.Files = append(r.Files, UpgradeFile{Path: f.Path, Outcome: f.Outcome, Conflicts: f.Conflicts})
		switch f.Outcome {
		case upgrade.Replaced:
			r.Replaced = append(r.Replaced, f.Path)
		case upgrade.Merged:
			r.Merged = append(r.Merged, f.Path)
		case upgrade.Conflicted:
			r.Conflicted = append(r.Conflicted, f.Path)
		}
	}
}

func newUpgradeCommand(streams IOStreams) *cobra.Command {
	o := &UpgradeOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Move the project to this apiserver-boot's templates and Kubernetes libraries, keeping your edits",
		Long: `Upgrade merges, for every file apiserver-boot generated, three versions: what the
release that scaffolded the project generated (recorded in .apiserver-boot/base), what
this release generates for the same PROJECT, and your file. Files you did not edit are
replaced; edited files keep your edits and get the template's changes; where both
changed the same lines, the file gets git-style conflict markers and is listed, and
upgrade exits non-zero until you resolve them and run it again. Files you added are
never touched. Then go.mod moves to the current pins (your own requirements stay),
and the project is tidied, regenerated and built. Running it again changes nothing.

Commit (or back up) your project first, so that you can review the upgrade as a diff.`,
		Example: `  apiserver-boot upgrade --dry-run
  apiserver-boot upgrade`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.Check(o.Output); err != nil {
				return err
			}
			res := &UpgradeResult{DryRun: o.DryRun, Files: []UpgradeFile{}, Replaced: []string{}, Merged: []string{}, Conflicted: []string{}, Notes: []string{}, Changelog: []release.Section{}}
			return output.Run(o.streams.Out, o.Output, res, func() error {
				if err := release.CheckPinnable(); err != nil {
					return err
				}
				dir, err := projectDir(o.Dir)
				if err != nil {
					return err
				}
				out := o.streams.Out
				if o.Output == output.JSON {
					out = io.Discard
				}
				return upgrade.Run(cmd.Context(), upgrade.Options{Dir: dir, DryRun: o.DryRun, Force: o.Force, Out: out, Log: o.streams.ErrOut, Planned: res.fill})
			})
		},
	}
	f := cmd.Flags()
	output.AddFlag(f, &o.Output)
	f.BoolVar(&o.DryRun, "dry-run", false, "print what would change (and the conflicts) and write nothing")
	f.BoolVar(&o.Force, "force", false, "resolve conflicting regions to the new templates' version (your other edits are still kept)")
	return cmd
}
