package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/boilerplate"
	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/output"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

func newInitCommand(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Initialise a new project",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newInitRepoCommand(streams))
	return cmd
}

// InitRepoOptions are the flags of `init repo`.
type InitRepoOptions struct {
	Domain    string
	Module    string
	License   string
	Owner     string
	DryRun    bool
	Force     bool
	SkipTidy  bool
	Dir       string
	Year      int
	Output    string
	boilerTxt string
	streams   IOStreams
}

func newInitRepoCommand(streams IOStreams) *cobra.Command {
	o := &InitRepoOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "repo",
		Short: "Create a new aggregated API server project in the current directory",
		Long: `Create a new Go module for an aggregated API server in the current directory, laid
out like k8s.io/sample-apiserver and pinned to one tested set of Kubernetes libraries.
It writes the apiserver and controller-manager commands, a Makefile, a Dockerfile
and a PROJECT file, then runs "go mod tidy" so that go.sum is complete.`,
		Example: `  # A project for API groups under example.com, Go module example.com/bees
  apiserver-boot init repo --domain example.com --module example.com/bees

  # MIT license header with an owner; show the files without writing them
  apiserver-boot init repo --domain example.com --license mit --owner "The Bees Authors" --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.Check(o.Output); err != nil {
				return err
			}
			res := &CreateResult{DryRun: o.DryRun, Files: []scaffold.FileChange{}}
			return output.Run(o.streams.Out, o.Output, res, func() error {
				if err := o.Complete(); err != nil {
					return err
				}
				if err := o.Validate(); err != nil {
					return err
				}
				return o.Run(cmd, res)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Domain, "domain", "", "domain of the project's API groups: group G becomes G.<domain> (required)")
	f.StringVar(&o.Module, "module", "", "Go module path (default <domain>/<directory name>)")
	f.StringVar(&o.License, "license", "apache2", "license header of generated files: "+strings.Join(boilerplate.Licenses(), ", "))
	f.StringVar(&o.Owner, "owner", "", "copyright owner in the license header (default \"The <project> Authors\")")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the files that would be written and write nothing")
	f.BoolVar(&o.Force, "force", false, "overwrite existing files that differ from what would be written")
	f.BoolVar(&o.SkipTidy, "skip-go-mod-tidy", false, "do not run \"go mod tidy\" (go.sum stays incomplete until you do)")
	output.AddFlag(f, &o.Output)
	return cmd
}

// Complete fills in defaults.
func (o *InitRepoOptions) Complete() error {
	dir, err := projectDir(o.Dir)
	if err != nil {
		return err
	}
	o.Dir = dir
	if o.Module == "" && o.Domain != "" {
		o.Module = o.Domain + "/" + strings.ToLower(filepath.Base(o.Dir))
	}
	if o.Owner == "" && o.Module != "" {
		o.Owner = "The " + names.ProjectName(o.Module) + " Authors"
	}
	if o.Year == 0 {
		o.Year = currentYear()
	}
	return nil
}

// Validate checks the flags, and that this apiserver-boot can pin itself in
// the project's go.mod.
func (o *InitRepoOptions) Validate() error {
	if err := release.CheckPinnable(); err != nil {
		return err
	}
	if err := names.ValidateDomain(o.Domain); err != nil {
		return err
	}
	if err := names.ValidateModule(o.Module); err != nil {
		return fmt.Errorf("%w (set it with --module)", err)
	}
	txt, err := boilerplate.Render(o.License, o.Owner, o.Year)
	if err != nil {
		return err
	}
	o.boilerTxt = txt
	return nil
}

// Run creates the project and fills in res.
func (o *InitRepoOptions) Run(cmd *cobra.Command, res *CreateResult) error {
	changes, err := workspace.Init(cmd.Context(), workspace.InitRequest{
		Dir:         o.Dir,
		Domain:      o.Domain,
		Module:      o.Module,
		License:     o.License,
		Owner:       o.Owner,
		Boilerplate: o.boilerTxt,
		Tidy:        !o.SkipTidy,
	}, workspace.Options{DryRun: o.DryRun, Force: o.Force})
	if err != nil {
		return err
	}
	res.Files = scaffold.Listed(changes)
	if !o.DryRun {
		res.Next = "apiserver-boot create group version resource --group <group> --version v1alpha1 --kind <Kind>"
	}
	if o.Output == output.JSON {
		return nil
	}
	scaffold.Print(o.streams.Out, changes, o.DryRun)
	if !o.DryRun {
		fmt.Fprintf(o.streams.Out, "\nProject %s is ready. Next, add a kind:\n  %s\n", o.Module, res.Next)
	}
	return nil
}
