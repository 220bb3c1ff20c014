package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/builder"
	"github.com/apiserver-boot/apiserver-boot/internal/codegen"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/output"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

func newBuildCommand(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Generate code; build binaries, images, deployment manifests and API docs",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newBuildGeneratedCommand(streams), newBuildExecutablesCommand(streams), newBuildConfigCommand(streams), newBuildContainerCommand(streams), newBuildDocsCommand(streams))
	return cmd
}

// ProjectOptions locate and load the project a command works on: what every
// build command shares (and nothing more).
type ProjectOptions struct {
	Dir     string
	model   *model.Project
	streams IOStreams
}

// Complete finds the project (the working directory unless Dir is set) and
// loads its PROJECT.
func (o *ProjectOptions) Complete() error {
	dir, err := projectDir(o.Dir)
	if err != nil {
		return err
	}
	o.Dir = dir
	p, err := project.Load(o.Dir)
	if err != nil {
		return err
	}
	warnPin(o.streams.ErrOut, o.Dir, p.ApiserverBootVersion)
	o.model = model.New(p)
	return nil
}

// generateOptions runs the code generators on the loaded project.
func (o *ProjectOptions) generateOptions(verify bool) builder.Options {
	return builder.Options{Dir: o.Dir, Project: o.model, Generate: true, Verify: verify, Out: o.streams.Out, Log: o.streams.ErrOut}
}

// BuildGeneratedOptions are the flags of `build generated`.
type BuildGeneratedOptions struct {
	ProjectOptions
	Verify bool
	// PrintCommands prints the upstream generators' command lines instead.
	PrintCommands bool
	Output        string
	res           GeneratedResult
}

// GeneratedResult is `build generated -o json`.
type GeneratedResult struct {
	output.Status
	Verify bool `json:"verify"`
	// UpToDate: nothing the generators read had changed since the last run,
	// so nothing was generated.
	UpToDate bool `json:"upToDate"`
	// Written and Removed are the generated files written and deleted (none
	// with --verify); Unchanged counts those left as they were.
	Written   []string `json:"written"`
	Removed   []string `json:"removed"`
	Unchanged int      `json:"unchanged"`
	// Stale, with --verify, lists the generated files that are missing, out
	// of date or left over (the command then fails, exit 1).
	Stale []string `json:"stale"`
}

func newBuildGeneratedCommand(streams IOStreams) *cobra.Command {
	o := &BuildGeneratedOptions{ProjectOptions: ProjectOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "generated",
		Short: "Run the Kubernetes code generators",
		Long: `Run the Kubernetes code generators: deepcopy, defaulter, conversion
(internal <-> every version), declarative validation (the +k8s: tags; upstream's
validation-gen, built from the code-generator version go.mod selects), openapi (with
model names), the clientset, listers, informers and apply configurations in
pkg/generated, and protobuf (generated.proto, generated.pb.go, and the protobuf struct
tags of the versioned types; upstream's go-to-protobuf, no protoc needed). Fields or
methods named like what the generators add (Size, String, DeepCopy...) are reported
first. Files whose content does not change are not rewritten; generated files
of removed kinds are deleted. When nothing the generators read has changed since the
last run, nothing is generated at all. In a project, "go tool apiserver-boot" runs the
release its go.mod pins.`,
		Example: `  go tool apiserver-boot build generated

  # In CI: fail (exit 1), listing the files, if generated code is not up to date
  go tool apiserver-boot build generated --verify -o json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := output.Check(o.Output); err != nil {
				return err
			}
			o.res = GeneratedResult{Verify: o.Verify, Written: []string{}, Removed: []string{}, Stale: []string{}}
			return output.Run(o.streams.Out, o.Output, &o.res, func() error {
				if o.PrintCommands && o.Output == output.JSON {
					return fmt.Errorf("--print-commands prints shell command lines: it has no -o json")
				}
				if err := o.Complete(); err != nil {
					return err
				}
				return o.Run()
			})
		},
	}
	output.AddFlag(cmd.Flags(), &o.Output)
	cmd.Flags().BoolVar(&o.Verify, "verify", false, "generate in memory, write nothing, and fail listing every missing, stale or left-over generated file")
	cmd.Flags().BoolVar(&o.PrintCommands, "print-commands", false, "print the equivalent command lines of the upstream generator binaries (deepcopy-gen, openapi-gen, client-gen, go-to-protobuf …) and generate nothing")
	return cmd
}

// Run generates.
func (o *BuildGeneratedOptions) Run() error {
	if o.PrintCommands {
		return builder.PrintCommands(o.generateOptions(o.Verify), os.DevNull)
	}
	opts := o.generateOptions(o.Verify)
	if o.Output == output.JSON {
		opts.Out = io.Discard
	}
	res, err := builder.Generated(opts)
	var stale *codegen.StaleError
	switch {
	case errors.As(err, &stale):
		o.res.Stale = stale.Paths
	case err == nil:
		o.res.UpToDate, o.res.Unchanged = res.UpToDate, res.Unchanged
		o.res.Written = append(o.res.Written, res.Written...)
		o.res.Removed = append(o.res.Removed, res.Removed...)
	}
	return err
}

// BuildExecutablesOptions are the flags of `build executables`.
type BuildExecutablesOptions struct {
	ProjectOptions
	Output   string
	GOOS     string
	GOARCH   string
	Targets  []string
	Generate bool
	targets  []model.Binary
}

func newBuildExecutablesCommand(streams IOStreams) *cobra.Command {
	o := &BuildExecutablesOptions{ProjectOptions: ProjectOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "executables",
		Short: "Generate code, then build bin/apiserver and bin/controller-manager",
		Long: `Run the code generators (as "build generated" does), then go build the apiserver and
the controller manager as static binaries (CGO_ENABLED=0). The first build of a project
compiles the Kubernetes libraries and takes minutes; later builds take seconds.`,
		Example: `  apiserver-boot build executables

  # Only the apiserver, for linux/arm64, into out/
  apiserver-boot build executables --targets apiserver --goos linux --goarch arm64 --output out`,
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
	f := cmd.Flags()
	f.StringVar(&o.Output, "output", model.BinDir, "directory the binaries are written to")
	f.StringVar(&o.GOOS, "goos", "", "target operating system (default: this machine's)")
	f.StringVar(&o.GOARCH, "goarch", "", "target architecture (default: this machine's)")
	f.StringSliceVar(&o.Targets, "targets", binaryNames(), "binaries to build")
	f.BoolVar(&o.Generate, "generate", true, "run the code generators first")
	return cmd
}

// Validate checks the targets.
func (o *BuildExecutablesOptions) Validate() error {
	o.targets = nil
	for _, name := range o.Targets {
		b, ok := model.BinaryByName(name)
		if !ok {
			return fmt.Errorf("unknown target %q: choose from %s", name, strings.Join(binaryNames(), ", "))
		}
		o.targets = append(o.targets, b)
	}
	return nil
}

// Run generates (unless --generate=false) and builds.
func (o *BuildExecutablesOptions) Run(ctx context.Context) error {
	b := o.generateOptions(false)
	b.Generate, b.Targets, b.Output, b.GOOS, b.GOARCH = o.Generate, o.targets, o.Output, o.GOOS, o.GOARCH
	return builder.Build(ctx, b)
}

func binaryNames() []string {
	var out []string
	for _, b := range model.Binaries {
		out = append(out, b.Name)
	}
	return out
}
