package cli

import (
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

// CreateVersionOptions are the flags of `create version`.
type CreateVersionOptions struct {
	CreateOptions
	StorageVersion bool
	Renames        []string
}

func newCreateVersionCommand(streams IOStreams) *cobra.Command {
	o := &CreateVersionOptions{CreateOptions: CreateOptions{streams: streams, next: "apiserver-boot build executables   (generates the conversions)"}}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Add a version to every kind of a group, converted through the internal types",
		Long: `Add a served version to an existing group and to every kind in it. Each kind's
versioned types and defaults are copied from the group's most preferred version, so
the new version starts with the same fields; conversion to and from the internal
(hub) types is generated. Change the new version's types as you like: a field renamed
with --rename-field gets a scaffolded manual conversion and its test. With
--storage-version, objects are written to etcd in the new version from then on.`,
		Example: `  apiserver-boot create version --group insect --version v1beta1

  # spec.description is called spec.summary in v1beta1; store objects as v1beta1
  apiserver-boot create version --group insect --version v1beta1 --rename-field Bee.spec.description=summary --storage-version`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			renames, err := o.renames()
			if err != nil {
				return err
			}
			return o.run(true, func(w *workspace.Workspace) ([]scaffold.Change, error) {
				return w.AddVersionToGroup(o.Group, o.Version, o.StorageVersion, renames, o.options())
			})
		},
	}
	o.addFlags(cmd.Flags(), true)
	cmd.Flags().BoolVar(&o.StorageVersion, "storage-version", false, "store objects in etcd in this version from now on")
	cmd.Flags().StringArrayVar(&o.Renames, "rename-field", nil, "KIND.spec|status.FIELD=NEWNAME: a field named differently in the new version (repeatable)")
	return cmd
}

func (o *CreateVersionOptions) renames() ([]workspace.Rename, error) {
	var out []workspace.Rename
	for _, s := range o.Renames {
		r, err := workspace.ParseRename(s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
