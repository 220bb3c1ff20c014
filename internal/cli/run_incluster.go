package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/deploy"
)

// RunInClusterOptions are the flags of `run in-cluster`.
type RunInClusterOptions struct {
	BuildConfigOptions
	Container   BuildContainerOptions
	BuildImage  bool
	Kubeconfig  string
	Context     string
	DryRun      bool
	WaitTimeout time.Duration
}

func newRunInClusterCommand(streams IOStreams) *cobra.Command {
	o := &RunInClusterOptions{
		BuildConfigOptions: BuildConfigOptions{ProjectOptions: ProjectOptions{streams: streams}},
		Container:          BuildContainerOptions{ProjectOptions: ProjectOptions{streams: streams}},
	}
	cmd := &cobra.Command{
		Use:   "in-cluster",
		Short: "Deploy the apiserver into a cluster and wait until its APIServices are Available",
		Long: `Build the image and push it to --image (as "build container --push" does; skip
with --build-image=false to deploy an image built elsewhere), write the manifests (as
"build config" does), render them, apply them to the cluster
with server-side apply (field manager "apiserver-boot"), wait until every
Deployment and StatefulSet has rolled out (as kubectl rollout status does), then
until every APIService is Available. On timeout, each APIService's condition is printed (for
example FailedDiscoveryCheck with the x509 or connection error) and the exit code is
non-zero. The cluster must be able to pull --image.`,
		Example: `  apiserver-boot run in-cluster --name bees-apiserver --namespace bees --image registry.example.com/bees:v0.1.0

  # Deploy an image built and pushed elsewhere
  apiserver-boot run in-cluster --name bees-apiserver --namespace bees --image registry.example.com/bees:v0.1.0 --build-image=false

  # Show what would be applied
  apiserver-boot run in-cluster --name bees-apiserver --namespace bees --image bees:dev --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.replicasSet, o.hostPortSet = cmd.Flags().Changed("replicas"), cmd.Flags().Changed("host-port")
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	o.addFlags(f)
	f.StringVar(&o.Overlay, "overlay", "", "deploy an overlay instead of the base: cert-manager or external-etcd")
	addClusterFlags(f, &o.Kubeconfig, &o.Context)
	f.BoolVar(&o.DryRun, "dry-run", false, "print the objects that would be applied instead of applying them")
	f.DurationVar(&o.WaitTimeout, "wait-timeout", 3*time.Minute, "how long to wait for the Deployments and StatefulSets to roll out, and then for the APIServices to become Available")
	f.BoolVar(&o.BuildImage, "build-image", true, "build the image and push it to --image first")
	o.Container.addFlags(f, false)
	return cmd
}

// Complete fills in the image build from the deployment flags.
func (o *RunInClusterOptions) Complete() error {
	if err := o.BuildConfigOptions.Complete(); err != nil {
		return err
	}
	if o.BuildImage && !o.DryRun {
		o.Container.Options.Image, o.Container.Push = o.BuildConfigOptions.Image, true
		return o.Container.Complete()
	}
	return nil
}

// Run deploys.
func (o *RunInClusterOptions) Run(ctx context.Context) error {
	d := deploy.Options{
		Generate: o.generateOptions(false), Manifests: o.Options, Kustomization: o.kustomization(),
		Kubeconfig: o.Kubeconfig, Context: o.Context, DryRun: o.DryRun, ShowSecrets: o.ShowSecrets, WaitTimeout: o.WaitTimeout, Out: o.streams.Out,
	}
	if o.BuildImage && !o.DryRun {
		d.Image = &o.Container.Options
	}
	return deploy.InCluster(ctx, d)
}
