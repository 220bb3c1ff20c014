package cli

import (
	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/upgrade"
)

// UpgradeOptions are the flags of `upgrade`.
type UpgradeOptions struct {
	DryRun, Force bool
	Dir           string
	streams       IOStreams
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
			if err := release.CheckPinnable(); err != nil {
				return err
			}
			dir, err := projectDir(o.Dir)
			if err != nil {
				return err
			}
			return upgrade.Run(cmd.Context(), upgrade.Options{Dir: dir, DryRun: o.DryRun, Force: o.Force, Out: o.streams.Out, Log: o.streams.ErrOut})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.DryRun, "dry-run", false, "print what would change (and the conflicts) and write nothing")
	f.BoolVar(&o.Force, "force", false, "resolve conflicting regions to the new templates' version (your other edits are still kept)")
	return cmd
}
