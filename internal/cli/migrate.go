package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"

	"github.com/apiserver-boot/apiserver-boot/internal/cluster"
	"github.com/apiserver-boot/apiserver-boot/internal/migrate"
	"github.com/apiserver-boot/apiserver-boot/internal/output"
)

func newMigrateCommand(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Move what a running server stores to the project's current versions",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newMigrateStorageCommand(streams))
	return cmd
}

// MigrateStorageOptions are the flags of `migrate storage`.
type MigrateStorageOptions struct {
	ProjectOptions
	Kubeconfig, Context string
	Group               string
	Kinds               []string
	PageSize            int64
	Output              string
	targets             []migrate.Target
	res                 MigrateStorageResult
}

// MigrateStorageResult is `migrate storage -o json`.
type MigrateStorageResult struct {
	output.Status
	Kinds []migrate.Count `json:"kinds"`
}

func newMigrateStorageCommand(streams IOStreams) *cobra.Command {
	o := &MigrateStorageOptions{ProjectOptions: ProjectOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "storage",
		Short: "Rewrite every stored object in its group's storage version, through the API",
		Long: `Rewrite every object of the project's kinds (or of --group and --kind) in the storage
version the running server has now, as kube-storage-version-migrator does: each object
is updated with itself, at the resourceVersion it was listed at. The server re-encodes
what it stored in an older version and writes it back; an object already stored in the
current version encodes to the same bytes and is not written. Content never changes.

Run it after a new storage version is served (create version --storage-version, then
deploy or run local), and before removing the old version. Objects written while it runs
are not rolled back: an update that meets a newer write is refused (a conflict) and that
object counts as migrated, since the newer write stored it in the current version. An
interrupted run is resumed by running it again. Kinds with a custom store are left out
(they keep objects their own way). Point --kubeconfig at the cluster, or at the
kubeconfig run local writes.

Exit code: 0 when every object was migrated, 1 when one failed (the first error is
printed per kind).`,
		Example: `  apiserver-boot migrate storage --kubeconfig kubeconfig
  apiserver-boot migrate storage --group insect --kind Bee -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.Check(o.Output); err != nil {
				return err
			}
			o.res = MigrateStorageResult{Kinds: []migrate.Count{}}
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
	addClusterFlags(f, &o.Kubeconfig, &o.Context)
	f.StringVar(&o.Group, "group", "", "migrate this group's kinds only (its short name, e.g. insect)")
	f.StringSliceVar(&o.Kinds, "kind", nil, "migrate these kinds only (repeat, or separate with commas)")
	f.Int64Var(&o.PageSize, "page-size", 500, "objects per list request")
	output.AddFlag(f, &o.Output)
	return cmd
}

// Complete loads the project and chooses the kinds.
func (o *MigrateStorageOptions) Complete() error {
	if err := o.ProjectOptions.Complete(); err != nil {
		return err
	}
	targets, err := migrate.Targets(o.model, o.Group, o.Kinds)
	o.targets = targets
	return err
}

// Validate checks the flags.
func (o *MigrateStorageOptions) Validate() error {
	if o.PageSize < 1 {
		return fmt.Errorf("invalid --page-size %d: want at least 1", o.PageSize)
	}
	return nil
}

// Run migrates and reports each kind.
func (o *MigrateStorageOptions) Run(ctx context.Context) error {
	cfg, err := cluster.Config(o.Kubeconfig, o.Context)
	if err != nil {
		return err
	}
	// client-go's default of 5 requests a second would take minutes for a
	// few thousand objects; the server's API Priority and Fairness, not the
	// client, is what keeps a migration from crowding others out.
	cfg.QPS, cfg.Burst = 200, 400
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	progress := o.streams.ErrOut
	counts, err := migrate.Run(ctx, migrate.Options{
		Client: client, Kinds: o.targets, PageSize: o.PageSize,
		Progress: func(c migrate.Count) {
			fmt.Fprintf(progress, "%s.%s: %d listed, %d rewritten\n", c.Resource, c.Group, c.Listed, c.Rewritten)
		},
	})
	o.res.Kinds = append(o.res.Kinds, counts...)
	if o.Output != output.JSON {
		writeCounts(o.streams.Out, counts)
	}
	if err != nil {
		return err
	}
	for _, c := range counts {
		if c.Failed > 0 {
			return fmt.Errorf("%d %s could not be migrated; the first: %s", c.Failed, c.Resource, c.FirstFail)
		}
	}
	return nil
}

func writeCounts(w io.Writer, counts []migrate.Count) {
	for _, c := range counts {
		fmt.Fprintf(w, "%s.%s (storage version %s): %d objects: %d rewritten, %d written meanwhile by others, %d deleted meanwhile, %d failed\n",
			c.Resource, c.Group, c.StorageVersion, c.Listed, c.Rewritten, c.Concurrent, c.Gone, c.Failed)
	}
}
