package cli

import (
	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/gobuild"
	"github.com/apiserver-boot/apiserver-boot/internal/localrun"
)

func newRunCommand(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the project",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newRunLocalCommand(streams))
	return cmd
}

// RunLocalOptions are the flags of `run local`.
type RunLocalOptions struct {
	BuildGeneratedOptions
	Build bool
	localrun.Options
}

func newRunLocalCommand(streams IOStreams) *cobra.Command {
	o := &RunLocalOptions{BuildGeneratedOptions: BuildGeneratedOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Run etcd, the apiserver and the controller manager on this machine",
		Long: `Build the project (unless --build=false), then run its extension control plane on
this machine: an etcd embedded in apiserver-boot (or --etcd-servers), the apiserver
on 127.0.0.1 with client-certificate authentication, and the controller manager.
It writes a kubeconfig for an admin user and prints what to run next. Logs of each
process are prefixed ([etcd], [apiserver], [manager]). Ctrl-C stops everything in
reverse order; if one process dies, the others are stopped and the exit code says
which died (3 etcd, 4 apiserver, 5 controller-manager).

Data (etcd, certificates) is kept in .local/run between runs; --reset wipes it.`,
		Example: `  apiserver-boot run local
  kubectl --kubeconfig kubeconfig get bees

  # Without rebuilding, against an external etcd, quietly
  apiserver-boot run local --build=false --etcd-servers http://127.0.0.1:2379 --quiet`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.BuildGeneratedOptions.Complete(); err != nil {
				return err
			}
			if o.Build {
				if err := o.BuildGeneratedOptions.Run(); err != nil {
					return err
				}
				if err := gobuild.Build(cmd.Context(), gobuild.Options{
					Dir: o.BuildGeneratedOptions.Dir, Output: "bin", Out: streams.ErrOut,
					Targets: []gobuild.Target{gobuild.Targets["apiserver"], gobuild.Targets["controller-manager"]},
				}); err != nil {
					return err
				}
			}
			o.Options.Dir = o.BuildGeneratedOptions.Dir
			o.Log, o.Out = streams.ErrOut, streams.Out
			return localrun.Run(cmd.Context(), o.Options)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Build, "build", true, "generate code and build the binaries first")
	f.StringVar(&o.EtcdServers, "etcd-servers", "", "use this etcd (URL) instead of the embedded one")
	f.IntVar(&o.EtcdPort, "etcd-port", 23790, "client port of the embedded etcd (its peer port is this + 1)")
	f.IntVar(&o.SecurePort, "secure-port", 9443, "HTTPS port of the apiserver on 127.0.0.1")
	f.IntVar(&o.ManagerProbePort, "manager-probe-port", 9440, "health probe port of the controller manager")
	f.BoolVar(&o.Manager, "manager", true, "run the controller manager")
	f.BoolVar(&o.Reset, "reset", false, "wipe the data of earlier runs (etcd, certificates) first")
	f.BoolVar(&o.Quiet, "quiet", false, "do not show the processes' logs")
	f.StringVar(&o.Kubeconfig, "kubeconfig", "kubeconfig", "where to write the admin kubeconfig, relative to the project")
	return cmd
}
