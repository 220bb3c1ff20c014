package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
)

func newVersionCommand(streams IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of apiserver-boot and of the Kubernetes libraries it scaffolds",
		Example: "  apiserver-boot version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(streams.Out, "apiserver-boot %s\nkubernetes libraries %s\ncontroller-runtime %s\ngo %s\n",
				release.Current(), project.KubernetesVersion, project.ControllerRuntimeVersion, release.GoVersion())
			return nil
		},
	}
}
