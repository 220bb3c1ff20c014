package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// Version is set at release time with -ldflags "-X .../internal/cli.Version=v1.2.3";
// otherwise the module version from the build info is used (go install …@v1.2.3).
var Version = ""

func newVersionCommand(streams IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of apiserver-boot and of the Kubernetes libraries it scaffolds",
		Example: "  apiserver-boot version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(streams.Out, "apiserver-boot %s\nkubernetes libraries %s\ncontroller-runtime %s\ngo %s\n",
				buildVersion(), project.KubernetesVersion, project.ControllerRuntimeVersion, goVersion())
			return nil
		},
	}
}

func buildVersion() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && (v == "" || v == "(devel)") {
			v = "(devel) " + s.Value
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}

func goVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return info.GoVersion
	}
	return "(unknown)"
}
