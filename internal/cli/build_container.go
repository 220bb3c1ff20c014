package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/apiserver-boot/apiserver-boot/internal/builder"
	"github.com/apiserver-boot/apiserver-boot/internal/container"
)

// BuildContainerOptions are the flags of `build container`.
type BuildContainerOptions struct {
	ProjectOptions
	container.Options
	Platforms string
	Output    string
	Generate  bool
}

func (o *BuildContainerOptions) addFlags(f *pflag.FlagSet, withImage bool) {
	if withImage {
		f.StringVar(&o.Image, "image", "", "image reference, REPO:TAG (required)")
	}
	f.StringVar(&o.Base, "base", container.DefaultBase, "base image (\"scratch\" for none)")
	f.StringVar(&o.Platforms, "platform", "linux/amd64", "platforms to build, comma-separated (several make an image index)")
}

// Complete loads the project and parses the flags.
func (o *BuildContainerOptions) Complete() error {
	if err := o.ProjectOptions.Complete(); err != nil {
		return err
	}
	o.Options.Dir = o.ProjectOptions.Dir
	o.Out = o.streams.ErrOut
	platforms, err := container.ParsePlatforms(o.Platforms)
	if err != nil {
		return err
	}
	o.Options.Platforms = platforms
	if o.Output != "" {
		format, path, ok := strings.Cut(o.Output, ":")
		if !ok || path == "" || (format != container.OCILayout && format != container.Tarball) {
			return fmt.Errorf("invalid --output %q: want oci-layout:PATH or tarball:PATH", o.Output)
		}
		o.OutputFormat, o.OutputPath = format, path
	}
	return nil
}

// Validate checks the flags.
func (o *BuildContainerOptions) Validate() error {
	if o.Image == "" {
		return fmt.Errorf("--image is required (e.g. --image registry.example.com/bees:v0.1.0)")
	}
	if !o.Push && o.Output == "" {
		return fmt.Errorf("nothing to do with the image: give --push, --output, or both")
	}
	return nil
}

func newBuildContainerCommand(streams IOStreams) *cobra.Command {
	o := &BuildContainerOptions{ProjectOptions: ProjectOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "container",
		Short: "Build an OCI image of the apiserver and controller manager, without a Docker daemon",
		Long: `Cross-compile bin/apiserver and bin/controller-manager (static, CGO_ENABLED=0) for each
--platform and put them in one layer on a base image (distroless static by default,
pinned by digest): entrypoint /apiserver, user 65532. Several platforms make an OCI
image index. The build is reproducible: the same sources and base give the same
digest. --push pushes with the credentials of your docker config; --output writes an
OCI layout directory or a tarball instead (or too). Your bin/ is not touched.

The generated project's Dockerfile builds the same image with docker build.`,
		Example: `  apiserver-boot build container --image registry.example.com/bees:v0.1.0 --push
  apiserver-boot build container --image bees:dev --platform linux/amd64,linux/arm64 --output oci-layout:./image`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.addFlags(cmd.Flags(), true)
	cmd.Flags().BoolVar(&o.Push, "push", false, "push the image to its registry")
	cmd.Flags().StringVar(&o.Output, "output", "", "write the image locally: oci-layout:PATH or tarball:PATH (tarball: one platform)")
	cmd.Flags().BoolVar(&o.Generate, "generate", true, "run the code generators first")
	return cmd
}

// Run generates code (unless --generate=false) and builds the image.
func (o *BuildContainerOptions) Run(ctx context.Context) error {
	if o.Generate {
		if err := builder.Generate(o.generateOptions(false)); err != nil {
			return err
		}
	}
	digest, err := container.Build(ctx, o.Options)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.streams.Out, "%s@%s\n", o.Image, digest)
	return nil
}
