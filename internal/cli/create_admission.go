package cli

import (
	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/output"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

func newCreateAdmissionCommand(streams IOStreams) *cobra.Command {
	o := &CreateOptions{streams: streams, next: "apiserver-boot build executables"}
	var req workspace.AdmissionRequest
	cmd := &cobra.Command{
		Use:   "admission",
		Short: "Add an admission plugin to the server, acting on a kind",
		Long: `Add an admission plugin that runs inside the server on every create and update of
a kind, like sample-apiserver's BanFlunder: pkg/admission/<name>/admission.go (yours)
with its unit test. It is given the project's clientset and shared informers
(pkg/admission/initializer), so it can decide from other objects of the API.

The server registers it (pkg/admission/plugins.go, regenerated) after NamespaceLifecycle
and before the admission policies and webhooks, enabled by default; the server's
--disable-admission-plugins=<Name> turns it off. --validating (the default) scaffolds a
Validate that refuses a duplicate spec.description; --mutating an Admit that labels
the object. Running the same command again changes nothing.`,
		Example: `  apiserver-boot create admission --name BanDuplicates --kind Bee
  apiserver-boot create admission --name StampOwner --kind Bee --mutating`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return o.execute(func() error {
				if err := o.Complete(); err != nil {
					return err
				}
				req.Group = o.Group
				w, err := o.open()
				if err != nil {
					return err
				}
				warnPin(o.streams.ErrOut, o.Dir, w.Project.ApiserverBootVersion)
				changes, err := w.AddAdmission(req, o.options())
				if err != nil {
					return err
				}
				o.report(changes)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Name, "name", "", "the plugin's name in UpperCamelCase, as in --disable-admission-plugins (required)")
	f.StringVar(&req.Kind, "kind", "", "the kind it admits (required)")
	f.StringVar(&o.Group, "group", "", "the kind's group (kind names are unique in a project, so only a check)")
	f.BoolVar(&req.Mutating, "mutating", false, "scaffold Admit, which may change the object")
	f.BoolVar(&req.Validating, "validating", false, "scaffold Validate, which may refuse the object (the default when neither is given)")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the files that would be written or changed and write nothing")
	f.BoolVar(&o.Force, "force", false, "overwrite files that were edited or differ from what would be written")
	output.AddFlag(f, &o.Output)
	return cmd
}
