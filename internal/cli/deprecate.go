package cli

import (
	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/deprecate"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/output"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

func newDeprecateCommand(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deprecate",
		Short: "Mark part of the API deprecated, as Kubernetes marks its own",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newDeprecateVersionCommand(streams))
	return cmd
}

// DeprecateVersionOptions are the flags of `deprecate version`.
type DeprecateVersionOptions struct {
	CreateOptions
	Introduced, Deprecated, Removed, Replacement string
}

func newDeprecateVersionCommand(streams IOStreams) *cobra.Command {
	o := &DeprecateVersionOptions{CreateOptions: CreateOptions{streams: streams, next: "apiserver-boot build generated"}}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Deprecate a served version: every request to it gets the standard deprecation warning",
		Long: `Mark a version deprecated with the tags Kubernetes uses for its own APIs: the version's
doc.go gets +k8s:prerelease-lifecycle-gen=true, and every API type of the version (each
struct with metav1.TypeMeta) gets +k8s:prerelease-lifecycle-gen:introduced, deprecated,
removed and, with --replacement, replacement. The next build generated runs upstream's
prerelease-lifecycle-gen, which writes zz_generated.prerelease-lifecycle.go; the server
then answers every request to the version with the warning kubectl and client-go print:

  Warning: insect.example.com/v1alpha1 Bee is deprecated in v0.3+, unavailable in v0.6+;
  use insect.example.com/v1 Bee

build docs shows the same sentence on each kind of the version. The releases are your
server's (major.minor). The version is still served, converted and
stored as before; migrate storage and the removal of the version are the next steps.
Running it again replaces the tags it wrote; nothing else in the files changes.`,
		Example: `  apiserver-boot deprecate version --group insect --version v1alpha1 --deprecated-in 0.3 --replacement v1
  apiserver-boot deprecate version --group insect --version v1alpha1 --deprecated-in 0.3 --removed-in 1.0 --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return o.run(true, o.deprecate)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Group, "group", "", "API group name without the domain, e.g. insect (required)")
	f.StringVar(&o.Version, "version", "", "the version to deprecate, e.g. v1alpha1 (required)")
	f.StringVar(&o.Deprecated, "deprecated-in", "", "the release of your server (major.minor) that deprecates the version (required)")
	f.StringVar(&o.Removed, "removed-in", "", "the release (major.minor) that stops serving it (default: --deprecated-in plus 3 minor releases)")
	f.StringVar(&o.Introduced, "introduced-in", "0.1", "the release (major.minor) that first served it")
	f.StringVar(&o.Replacement, "replacement", "", "the version of the same group clients should use instead")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the files that would be changed and write nothing")
	output.AddFlag(f, &o.Output)
	return cmd
}

func (o *DeprecateVersionOptions) deprecate(w *workspace.Workspace) ([]scaffold.Change, error) {
	if o.Replacement != "" {
		if err := names.ValidateVersion(o.Replacement); err != nil {
			return nil, err
		}
	}
	d := &deprecate.Options{
		Dir: o.Dir, Project: model.New(w.Project), Group: o.Group, Version: o.Version,
		Introduced: o.Introduced, Deprecated: o.Deprecated, Removed: o.Removed, Replacement: o.Replacement,
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	changes, err := d.Plan()
	if err != nil || o.DryRun {
		return changes, err
	}
	return changes, scaffold.Apply(o.Dir, changes)
}
