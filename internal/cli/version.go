package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/output"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
)

// VersionResult is `version -o json`.
type VersionResult struct {
	output.Status
	// ApiserverBoot is the release (a tag), a pseudo-version, or "(devel)".
	ApiserverBoot string `json:"apiserverBoot"`
	// Published says whether a module proxy can serve that version, so that
	// a project can pin it without a replace directive.
	Published           bool   `json:"published"`
	KubernetesLibraries string `json:"kubernetesLibraries"`
	ControllerRuntime   string `json:"controllerRuntime"`
	Go                  string `json:"go"`
}

func newVersionCommand(streams IOStreams) *cobra.Command {
	format := output.Text
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of apiserver-boot and of the Kubernetes libraries it scaffolds",
		Example: `  apiserver-boot version
  apiserver-boot version -o json`,
		Args: cobra.ArbitraryArgs, // checked in RunE, so that -o json reports it
		RunE: func(_ *cobra.Command, args []string) error {
			if err := output.Check(format); err != nil {
				return err
			}
			res := &VersionResult{}
			return output.Run(streams.Out, format, res, func() error {
				if len(args) > 0 {
					return fmt.Errorf("version takes no arguments, got %q", args[0])
				}
				*res = VersionResult{
					ApiserverBoot:       release.Current(),
					Published:           release.Published(release.Current()),
					KubernetesLibraries: project.KubernetesVersion,
					ControllerRuntime:   project.ControllerRuntimeVersion,
					Go:                  release.GoVersion(),
				}
				if format == output.Text {
					fmt.Fprintf(streams.Out, "apiserver-boot %s\nkubernetes libraries %s\ncontroller-runtime %s\ngo %s\n",
						res.ApiserverBoot, res.KubernetesLibraries, res.ControllerRuntime, res.Go)
				}
				return nil
			})
		},
	}
	output.AddFlag(cmd.Flags(), &format)
	return cmd
}
