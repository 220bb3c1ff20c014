package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/output"
	"github.com/apiserver-boot/apiserver-boot/internal/uninstall"
)

// UninstallOptions are the flags of `uninstall`.
type UninstallOptions struct {
	ProjectOptions
	OutputDir, Overlay  string
	Kubeconfig, Context string
	DeleteData, DryRun  bool
	WaitTimeout         time.Duration
	Output              string
	res                 UninstallResult
}

// UninstallResult is `uninstall -o json`.
type UninstallResult struct {
	output.Status
	uninstall.Result
	DryRun bool `json:"dryRun"`
}

func newUninstallCommand(streams IOStreams) *cobra.Command {
	o := &UninstallOptions{ProjectOptions: ProjectOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Remove what run in-cluster deployed: APIServices first, data only with --delete-data",
		Long: `Remove from the cluster every object of the deployed layout (config/base, or
--overlay; rendered again from --output-dir, so give the flags of the deployment).
The APIServices go first, and uninstall waits until they are gone: a registered
APIService whose server is gone makes discovery fail for every client and leaves
namespaces stuck Terminating. An APIService that now points at another deployment's
Service is kept. Then the rest, each deleted in the foreground and waited for (a
Deployment until its pods are gone).

The PersistentVolumeClaims holding the server's data (etcd's, SQLite's) and the
namespace that holds them are kept unless --delete-data is given. A database reached
through a DSN is never touched.`,
		Example: `  apiserver-boot uninstall --kubeconfig ~/.kube/config

  # What would go, changing nothing
  apiserver-boot uninstall --dry-run

  # Also delete the stored objects (etcd's or SQLite's volumes) and the namespace
  apiserver-boot uninstall --delete-data`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.Check(o.Output); err != nil {
				return err
			}
			o.res = UninstallResult{Result: uninstall.Result{Deleted: []uninstall.Object{}, Kept: []uninstall.Object{}}, DryRun: o.DryRun}
			return output.Run(o.streams.Out, o.Output, &o.res, func() error {
				if err := o.Complete(); err != nil {
					return err
				}
				if err := o.Validate(); err != nil {
					return err
				}
				return o.Run(cmd.Context())
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.OutputDir, "output-dir", model.ConfigDir, "directory of the kustomize layout that was deployed, relative to the project")
	f.StringVar(&o.Overlay, "overlay", "", "the overlay that was deployed: cert-manager or external-etcd (default the base)")
	addClusterFlags(f, &o.Kubeconfig, &o.Context)
	f.BoolVar(&o.DeleteData, "delete-data", false, "also delete the PersistentVolumeClaims with the stored objects, and the namespace that holds them")
	f.BoolVar(&o.DryRun, "dry-run", false, "print what would be deleted and kept, and delete nothing")
	f.DurationVar(&o.WaitTimeout, "wait-timeout", 3*time.Minute, "how long to wait for the APIServices, and then for the rest, to be gone")
	output.AddFlag(f, &o.Output)
	return cmd
}

// Validate checks the flags.
func (o *UninstallOptions) Validate() error {
	if err := validateOverlay(o.Overlay); err != nil {
		return err
	}
	if o.WaitTimeout <= 0 {
		return fmt.Errorf("invalid --wait-timeout %s: want more than 0", o.WaitTimeout)
	}
	return nil
}

// Run uninstalls.
func (o *UninstallOptions) Run(ctx context.Context) error {
	dir := kustomizationDir(o.Dir, o.OutputDir, o.Overlay)
	log := o.streams.Out
	if o.Output == output.JSON {
		log = o.streams.ErrOut
	}
	return uninstall.Run(ctx, uninstall.Options{
		Kustomization: dir, Kubeconfig: o.Kubeconfig, Context: o.Context,
		DeleteData: o.DeleteData, DryRun: o.DryRun, WaitTimeout: o.WaitTimeout, Out: log,
	}, &o.res.Result)
}
