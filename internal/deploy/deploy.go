// Package deploy is `run in-cluster`: build and push the image, write and
// render the manifests, apply them with server-side apply and wait until the
// APIServices are Available.
package deploy

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/builder"
	"github.com/apiserver-boot/apiserver-boot/internal/cluster"
	"github.com/apiserver-boot/apiserver-boot/internal/container"
	"github.com/apiserver-boot/apiserver-boot/internal/manifests"
)

// Options configure a deployment.
type Options struct {
	// Generate runs the code generators before the image is built.
	Generate builder.Options
	// Image builds and pushes the image (Image.Image is its reference); nil
	// deploys Manifests.Image as it is.
	Image *container.Options
	// Manifests are written as `build config` writes them; Kustomization is
	// the directory (base or an overlay) rendered and applied.
	Manifests     manifests.Options
	Kustomization string
	// Kubeconfig and Context select the cluster.
	Kubeconfig, Context string
	// DryRun prints the rendered objects to Out instead of applying them,
	// Secrets' values redacted unless ShowSecrets.
	DryRun, ShowSecrets bool
	WaitTimeout         time.Duration
	Out                 io.Writer
}

// InCluster deploys.
func InCluster(ctx context.Context, o Options) error {
	if o.Image != nil && !o.DryRun {
		if err := builder.Generate(o.Generate); err != nil {
			return err
		}
		digest, err := container.Build(ctx, *o.Image)
		if err != nil {
			return err
		}
		// Deploy exactly what was built.
		o.Manifests.Image = o.Image.Image + "@" + digest.String()
	}
	if _, err := manifests.Write(o.Manifests); err != nil {
		return err
	}
	rendered, err := manifests.Render(o.Kustomization)
	if err != nil {
		return err
	}
	if o.DryRun {
		if !o.ShowSecrets {
			if rendered, err = manifests.Redact(rendered); err != nil {
				return err
			}
		}
		_, err := o.Out.Write(rendered)
		return err
	}
	objs, err := manifests.Decode(rendered)
	if err != nil {
		return err
	}
	client, err := cluster.Connect(o.Kubeconfig, o.Context)
	if err != nil {
		return err
	}
	if err := client.Apply(ctx, objs, func(s string) { fmt.Fprintln(o.Out, "applied", s) }); err != nil {
		return err
	}
	report := func(s string) { fmt.Fprintln(o.Out, s) }
	if err := client.WaitRolledOut(ctx, objs, o.WaitTimeout, report); err != nil {
		return err
	}
	names := cluster.APIServiceNames(objs)
	fmt.Fprintf(o.Out, "waiting up to %s for %d APIService(s) to be Available\n", o.WaitTimeout, len(names))
	if err := client.WaitAvailable(ctx, names, o.WaitTimeout); err != nil {
		return err
	}
	for _, n := range names {
		fmt.Fprintf(o.Out, "apiservice %s: Available\n", n)
	}
	return nil
}
