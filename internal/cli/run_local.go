package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/localrun"
	"github.com/apiserver-boot/apiserver-boot/internal/manifests"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

func newRunCommand(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the project on this machine or in a cluster",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newRunLocalCommand(streams), newRunInClusterCommand(streams))
	return cmd
}

// RunLocalOptions are the flags of `run local`.
type RunLocalOptions struct {
	ProjectOptions
	Build bool
	localrun.Options
	// Registration flags (--register-into).
	RegisterInto    string
	AdvertiseHost   string
	Name            string
	Namespace       string
	ServiceAccount  string
	RegisterTimeout time.Duration
	TakeOver        bool
}

// Complete loads the project and turns the flags into the run: the build
// first (unless --build=false), the registration (with --register-into).
func (o *RunLocalOptions) Complete() error {
	if err := o.ProjectOptions.Complete(); err != nil {
		return err
	}
	reg, err := o.registration()
	if err != nil {
		return err
	}
	o.Register = reg
	if o.Build {
		b := o.generateOptions(false)
		b.Targets = model.Binaries
		o.Options.Build = &b
	}
	o.Options.Dir = o.ProjectOptions.Dir
	o.Log, o.Out = o.streams.ErrOut, o.streams.Out
	return nil
}

// registration builds the --register-into request, or nil.
func (o *RunLocalOptions) registration() (*localrun.Registration, error) {
	if o.RegisterInto == "" {
		return nil, nil
	}
	project := o.model.Name
	if o.Name == "" {
		o.Name = project + "-apiserver"
	}
	if o.Namespace == "" {
		o.Namespace = project + "-system"
	}
	if o.ServiceAccount == "" {
		o.ServiceAccount = o.Name
	}
	if err := validateDeploymentNames(o.Name, o.Namespace, o.ServiceAccount); err != nil {
		return nil, err
	}
	if _, err := os.Stat(o.RegisterInto); err != nil {
		return nil, fmt.Errorf("--register-into: %w", err)
	}
	return &localrun.Registration{
		Kubeconfig:    o.RegisterInto,
		AdvertiseHost: o.AdvertiseHost,
		Timeout:       o.RegisterTimeout,
		TakeOver:      o.TakeOver,
		Deployment: manifests.Deployment{
			Name: o.Name, Namespace: o.Namespace, ServiceAccount: o.ServiceAccount, Project: o.model,
		},
	}, nil
}

func newRunLocalCommand(streams IOStreams) *cobra.Command {
	o := &RunLocalOptions{ProjectOptions: ProjectOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Run etcd, the apiserver and the controller manager on this machine",
		Long: `Build the project (unless --build=false), then run its extension control plane on
this machine: an etcd embedded in apiserver-boot (or --etcd-servers), the apiserver
on 127.0.0.1 (or the --advertise-host address) with client-certificate authentication, and the controller manager.
It writes a kubeconfig for an admin user and prints what to run next. Logs of each
process are prefixed ([etcd], [apiserver], [manager]). Ctrl-C stops everything in
reverse order; if one process dies, the others are stopped and the exit code says
which died (3 etcd, 4 apiserver, 5 controller-manager).

The embedded etcd serves TLS on 127.0.0.1 and lets in only the apiserver's client
certificate (its own CA, in .local/run/pki), so no other local user or process
reaches the objects behind the apiserver's back.

Data (etcd or SQLite, certificates) is kept in .local/run between runs; --reset
wipes it. With --storage sqlite|postgres|mysql no etcd is started: the apiserver
keeps its objects in that database through the kine it embeds.

With --register-into KUBECONFIG the apiserver is registered into that cluster's
aggregation layer instead of running standalone: the namespace, ServiceAccount and
RBAC of "build config" are applied, the apiserver authenticates and authorizes
requests through the cluster as that ServiceAccount, and a Service (an endpoint at
the --advertise-host address, or an ExternalName for a host name) and the APIServices
point the cluster at it. On exit everything
the run made is removed: the APIServices and the Service, then the ServiceAccount
(its token with it), the RBAC, and the namespace if the run made it. It refuses to
replace APIServices it did not make (a deployed server's) unless --take-over; a
killed run's objects are its own to the next run of the same --name, which
removes them on exit.`,
		Example: `  apiserver-boot run local
  kubectl --kubeconfig kubeconfig get bees

  # Serve the API through a cluster whose kube-apiserver reaches this machine as localhost
  # (one on this machine; see --advertise-host), with its users and RBAC
  apiserver-boot run local --register-into ~/.kube/config
  kubectl get bees

  # kind: its node reaches this machine at the gateway of its network (docker network inspect kind)
  apiserver-boot run local --register-into ~/.kube/config --advertise-host 172.18.0.1

  # No etcd at all: objects in .local/run/kine/state.db, or in a Postgres database
  apiserver-boot run local --storage sqlite
  apiserver-boot run local --storage postgres --storage-dsn postgres://me@127.0.0.1/bees?sslmode=disable

  # Without rebuilding, against an external etcd, quietly
  apiserver-boot run local --build=false --etcd-servers http://127.0.0.1:2379 --quiet`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			return localrun.Run(cmd.Context(), o.Options)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Build, "build", true, "generate code and build the binaries first")
	f.StringVar(&o.Backend, "storage", "etcd", "the apiserver's backend: etcd (embedded, or --etcd-servers), or sqlite, postgres, mysql through kine inside the apiserver (no etcd started)")
	f.StringVar(&o.BackendDSN, "storage-dsn", "", "the database of --storage postgres|mysql (a URL); for sqlite a file (default .local/run/kine/state.db)")
	f.StringVar(&o.EtcdServers, "etcd-servers", "", "use this etcd (URL) instead of the embedded one")
	f.IntVar(&o.EtcdPort, "etcd-port", 23790, "client port of the embedded etcd (its peer port is this + 1)")
	f.IntVar(&o.SecurePort, "secure-port", 9443, "HTTPS port of the apiserver on 127.0.0.1")
	f.IntVar(&o.ManagerProbePort, "manager-probe-port", 9440, "health probe port of the controller manager")
	f.BoolVar(&o.Manager, "manager", true, "run the controller manager")
	f.BoolVar(&o.Reset, "reset", false, "wipe the data of earlier runs (etcd, certificates) first")
	f.BoolVar(&o.Quiet, "quiet", false, "do not show the processes' logs")
	f.StringVar(&o.Kubeconfig, "kubeconfig", "kubeconfig", "where to write the admin kubeconfig, relative to the project")
	f.StringVar(&o.RegisterInto, "register-into", "", "kubeconfig of a cluster to register the apiserver into (aggregation layer, delegated auth)")
	f.StringVar(&o.AdvertiseHost, "advertise-host", "localhost", "with --register-into: how the cluster's kube-apiserver reaches this machine. An address of this machine (for kind, its network's gateway, such as 172.18.0.1; for a remote cluster, this machine's address there): the apiserver listens there only, and the cluster gets a Service with that endpoint, which kube-apiserver routes to with or without --enable-aggregator-routing. A host name (localhost when kube-apiserver runs on this machine): an ExternalName Service, which kube-apiserver cannot route to with --enable-aggregator-routing")
	f.StringVar(&o.Name, "name", "", "with --register-into: name of the Service and prefix of the objects (default <project>-apiserver)")
	f.StringVar(&o.Namespace, "namespace", "", "with --register-into: namespace of the Service and ServiceAccount (default <project>-system)")
	f.StringVar(&o.ServiceAccount, "service-account", "", "with --register-into: the apiserver's identity (default the --name)")
	f.DurationVar(&o.RegisterTimeout, "register-timeout", 2*time.Minute, "with --register-into: how long to wait for the APIServices to be Available")
	f.BoolVar(&o.TakeOver, "take-over", false, "with --register-into: replace APIServices this run did not make (a deployed server's); they are deleted on exit")
	return cmd
}
