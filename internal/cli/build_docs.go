package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/docs"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// BuildDocsOptions are the flags of `build docs`.
type BuildDocsOptions struct {
	ProjectOptions
	OutputDir string
	Format    string
}

func newBuildDocsCommand(streams IOStreams) *cobra.Command {
	o := &BuildDocsOptions{ProjectOptions: ProjectOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Write the API reference: Markdown per group/version and one HTML page",
		Long: `Write the API reference of the project from its Go types (doc comments, +optional,
+default, +enum and +k8s: validation markers), PROJECT (scope, resource names, short
names, subresources), the columns declared in each kind's strategy and the samples.
No server is needed. docs/reference/<group>_<version>.md has a section per kind with
field tables, HTTP paths and an example; docs/reference/index.html is one
self-contained page with navigation, anchors per field and a search box. Files whose
content does not change are not rewritten.`,
		Example: `  apiserver-boot build docs
  apiserver-boot build docs --format html --output-dir site/api`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			if err := o.Complete(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	cmd.Flags().StringVar(&o.OutputDir, "output-dir", "docs/reference", "directory of the reference, relative to the project")
	cmd.Flags().StringVar(&o.Format, "format", docs.Both, "markdown, html or both")
	return cmd
}

// Validate checks the format.
func (o *BuildDocsOptions) Validate() error {
	switch o.Format {
	case docs.Markdown, docs.HTML, docs.Both:
		return nil
	}
	return fmt.Errorf("invalid --format %q: want markdown, html or both", o.Format)
}

// Run writes the reference.
func (o *BuildDocsOptions) Run() error {
	changes, err := docs.Generate(o.Dir, o.model, o.Format, o.OutputDir)
	if err != nil {
		return err
	}
	scaffold.Print(o.streams.Out, changes, false)
	return nil
}
