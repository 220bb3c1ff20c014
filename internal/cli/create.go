package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/output"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

func newCreateCommand(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Add API groups, versions, kinds, subresources and admission plugins to the project",
		Args:  cobra.NoArgs,
	}
	group := newCreateGroupCommand(streams)
	version := newCreateGroupVersionCommand(streams)
	version.AddCommand(newCreateResourceCommand(streams))
	group.AddCommand(version)
	cmd.AddCommand(group, newCreateVersionCommand(streams), newCreateSubresourceCommand(streams), newCreateAdmissionCommand(streams))
	return cmd
}

// CreateOptions are the flags every create command has.
type CreateOptions struct {
	Group   string
	Version string
	DryRun  bool
	Force   bool
	Dir     string
	Output  string
	streams IOStreams
	// next is the command the report suggests running next.
	next string
	res  CreateResult
}

// CreateResult is `create … -o json` and `init repo -o json`.
type CreateResult struct {
	output.Status
	DryRun bool `json:"dryRun"`
	// Files are those created, updated or deleted: planned with --dry-run.
	Files []scaffold.FileChange `json:"files"`
	// Next is the command to run next, when one is due.
	Next string `json:"next,omitempty"`
}

func (o *CreateOptions) addFlags(f *pflag.FlagSet, withVersion bool) {
	f.StringVar(&o.Group, "group", "", "API group name without the domain, e.g. insect for insect.<domain> (required)")
	if withVersion {
		f.StringVar(&o.Version, "version", "", "API version, e.g. v1alpha1, v1beta1, v1 (required)")
	}
	f.BoolVar(&o.DryRun, "dry-run", false, "print the files that would be written or changed and write nothing")
	f.BoolVar(&o.Force, "force", false, "overwrite files that were edited or differ from what would be written")
	output.AddFlag(f, &o.Output)
}

// Complete fills in the project directory.
func (o *CreateOptions) Complete() error {
	dir, err := projectDir(o.Dir)
	o.Dir = dir
	return err
}

// Validate checks the names given before anything is read or written.
func (o *CreateOptions) Validate(withVersion bool) error {
	if err := names.ValidateGroup(o.Group, "example.com"); err != nil {
		return err
	}
	if withVersion {
		return names.ValidateVersion(o.Version)
	}
	return nil
}

// run validates, opens the project, makes a change to it and reports the plan.
func (o *CreateOptions) run(withVersion bool, change func(*workspace.Workspace) ([]scaffold.Change, error)) error {
	return o.execute(func() error {
		if err := o.Complete(); err != nil {
			return err
		}
		if err := o.Validate(withVersion); err != nil {
			return err
		}
		w, err := o.open()
		if err != nil {
			return err
		}
		warnPin(o.streams.ErrOut, o.Dir, w.Project.ApiserverBootVersion)
		changes, err := change(w)
		if err != nil {
			return err
		}
		o.report(changes)
		return nil
	})
}

// execute checks -o, then runs fn; with -o json it prints the result, also
// when fn fails.
func (o *CreateOptions) execute(fn func() error) error {
	if err := output.Check(o.Output); err != nil {
		return err
	}
	o.res = CreateResult{DryRun: o.DryRun, Files: []scaffold.FileChange{}}
	return output.Run(o.streams.Out, o.Output, &o.res, fn)
}

func (o *CreateOptions) open() (*workspace.Workspace, error) {
	return workspace.Open(o.Dir)
}

func (o *CreateOptions) options() workspace.Options {
	return workspace.Options{DryRun: o.DryRun, Force: o.Force}
}

func (o *CreateOptions) report(changes []scaffold.Change) {
	o.res.Files = scaffold.Listed(changes)
	if !o.DryRun && len(changes) > 0 && scaffold.Pending(changes) {
		o.res.Next = o.next
	}
	if o.Output == output.JSON {
		return
	}
	scaffold.Print(o.streams.Out, changes, o.DryRun)
	if o.res.Next != "" {
		fmt.Fprintln(o.streams.Out, "\nNext: "+o.res.Next)
	}
}

func newCreateGroupCommand(streams IOStreams) *cobra.Command {
	o := &CreateOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "group",
		Short: "Add an API group",
		Long: `Add an API group: its internal types package, install/, fuzzer/ and the round-trip
test. Running it again for the same group changes nothing.`,
		Example: "  apiserver-boot create group --group insect",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return o.run(false, func(w *workspace.Workspace) ([]scaffold.Change, error) { return w.AddGroup(o.Group, o.options()) })
		},
	}
	o.addFlags(cmd.Flags(), false)
	return cmd
}

func newCreateGroupVersionCommand(streams IOStreams) *cobra.Command {
	o := &CreateOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Add an API version to a group (and the group if it is new)",
		Long: `Add a served version to an API group: doc.go with the code generator tags,
register.go and defaults.go. The first version of a group is its storage version.
Running it again for the same version changes nothing.`,
		Example: "  apiserver-boot create group version --group insect --version v1alpha1",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return o.run(true, func(w *workspace.Workspace) ([]scaffold.Change, error) {
				return w.AddGroupAndVersion(o.Group, o.Version, o.options())
			})
		},
	}
	o.addFlags(cmd.Flags(), true)
	return cmd
}

// CreateResourceOptions are the flags of `create group version resource`.
type CreateResourceOptions struct {
	CreateOptions
	Kind          string
	Resource      string
	SkipTidy      bool
	ShortNames    []string
	Categories    []string
	NonNamespaced bool
	Status        bool
	Controller    bool
	Store         string
	ReadOnly      bool
}

func newCreateResourceCommand(streams IOStreams) *cobra.Command {
	o := &CreateResourceOptions{CreateOptions: CreateOptions{streams: streams, next: "apiserver-boot build executables   (runs the code generators, then go build)"}}
	cmd := &cobra.Command{
		Use:   "resource",
		Short: "Add a kind: types, validation, defaults, storage, strategy, sample, tests and a controller",
		Long: `Add a kind to a version of an API group (creating the group and version if needed):
internal and versioned types, defaulting, validation, REST storage with a strategy
(create/update rules, table columns, warnings) and a status subresource, a sample
object, tests, and a controller registered in cmd/manager. The files that list all
kinds (registration, the server's storage wiring) are regenerated from PROJECT.`,
		Example: `  # A namespaced kind with a status subresource and a controller
  apiserver-boot create group version resource --group insect --version v1alpha1 --kind Bee

  # A cluster-scoped kind with short names, no controller
  apiserver-boot create group version resource --group insect --version v1alpha1 --kind Hive \
      --non-namespaced --short-names hv --controller=false

  # A kind kept by your own code (a database, an external API), in memory to start with
  apiserver-boot create group version resource --group insect --version v1alpha1 --kind Sighting --storage custom

  # A read-only kind computed on request, like metrics-server's (get, list, watch; writes get 405)
  apiserver-boot create group version resource --group metrics --version v1beta1 --kind NodeUsage \
      --storage custom --read-only --non-namespaced`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Complete(cmd.Flags())
			// The kind's rules (name, storage, read-only) are the domain's:
			// workspace.AddKind checks them before anything is written.
			return o.run(true, func(w *workspace.Workspace) ([]scaffold.Change, error) {
				return w.AddKind(cmd.Context(), o.request(), o.options())
			})
		},
	}
	f := cmd.Flags()
	o.addFlags(f, true)
	f.StringVar(&o.Kind, "kind", "", "kind name in UpperCamelCase, e.g. Bee (required)")
	f.StringVar(&o.Resource, "resource", "", "plural resource name used in URLs and kubectl (default: the kind's plural, e.g. bees)")
	f.StringSliceVar(&o.ShortNames, "short-names", nil, "short names kubectl accepts, e.g. bz")
	f.StringSliceVar(&o.Categories, "categories", nil, "categories the resource belongs to, e.g. all")
	f.BoolVar(&o.NonNamespaced, "non-namespaced", false, "make the kind cluster-scoped")
	f.BoolVar(&o.Status, "with-status-subresource", true, "serve status through a /status subresource with its own strategy")
	f.BoolVar(&o.Controller, "controller", true, "scaffold a controller for the kind in cmd/manager")
	f.StringVar(&o.Store, "storage", project.StoreRegistry, "where objects are kept: etcd (the generic registry: etcd, or SQL through kine; see run local --storage) or custom (a backend you write in the kind's backend.go, in memory to start with)")
	f.BoolVar(&o.ReadOnly, "read-only", false, "with --storage custom: serve get, list and watch only, for objects computed or kept elsewhere (no status subresource, no controller)")
	f.BoolVar(&o.SkipTidy, "skip-go-mod-tidy", false, "do not run \"go mod tidy\" afterwards")
	return cmd
}

// Complete turns off what a read-only kind cannot have, unless asked for
// (then Validate says why not).
func (o *CreateResourceOptions) Complete(flags *pflag.FlagSet) {
	if o.ReadOnly {
		if !flags.Changed("with-status-subresource") {
			o.Status = false
		}
		if !flags.Changed("controller") {
			o.Controller = false
		}
	}
}

func (o *CreateResourceOptions) request() workspace.KindRequest {
	return workspace.KindRequest{
		Group: o.Group, Version: o.Version, Kind: o.Kind, Plural: o.Resource,
		ShortNames: o.ShortNames, Categories: o.Categories, Namespaced: !o.NonNamespaced,
		StatusSubresource: o.Status, Controller: o.Controller, Tidy: !o.SkipTidy,
		Store: o.Store, ReadOnly: o.ReadOnly,
	}
}
