package cli

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/apiserver-boot/apiserver-boot/internal/codegen"
	"github.com/apiserver-boot/apiserver-boot/internal/gobuild"
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

// BuildGeneratedOptions are the flags of `build generated`.
type BuildGeneratedOptions struct {
	Verify  bool
	Dir     string
	project *project.Project
	streams IOStreams
}

func newBuildGeneratedCommand(streams IOStreams) *cobra.Command {
	o := &BuildGeneratedOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "generated",
		Short: "Run the Kubernetes code generators",
		Long: `Run the Kubernetes code generators in-process: deepcopy, defaulter, conversion
(internal <-> every version), openapi (with model names), and the clientset, listers,
informers and apply configurations in pkg/generated. Files whose content does not
change are not rewritten; generated files of removed kinds are deleted. When nothing
the generators read has changed since the last run, nothing is generated at all.`,
		Example: `  apiserver-boot build generated

  # In CI: fail, listing the files, if generated code is not up to date
  apiserver-boot build generated --verify`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	cmd.Flags().BoolVar(&o.Verify, "verify", false, "generate in memory, write nothing, and fail listing every missing, stale or left-over generated file")
	return cmd
}

// Complete loads the project.
func (o *BuildGeneratedOptions) Complete() error {
	dir, err := projectDir(o.Dir)
	if err != nil {
		return err
	}
	o.Dir = dir
	o.project, err = project.Load(o.Dir)
	return err
}

// Run generates.
func (o *BuildGeneratedOptions) Run() error {
	start := time.Now()
	res, err := codegen.Generate(codegen.Options{Dir: o.Dir, Project: o.project, Verify: o.Verify, Log: o.streams.ErrOut})
	if err != nil {
		return err
	}
	elapsed := time.Since(start).Round(10 * time.Millisecond)
	switch {
	case res.UpToDate:
		fmt.Fprintf(o.streams.Out, "generated code is up to date (%s)\n", elapsed)
	case o.Verify:
		fmt.Fprintf(o.streams.Out, "generated code is up to date: %d files checked (%s)\n", res.Unchanged, elapsed)
	default:
		for _, p := range res.Written {
			fmt.Fprintf(o.streams.Out, "write   %s\n", p)
		}
		for _, p := range res.Removed {
			fmt.Fprintf(o.streams.Out, "remove  %s\n", p)
		}
		fmt.Fprintf(o.streams.Out, "generated: %d written, %d removed, %d unchanged (%s)\n", len(res.Written), len(res.Removed), res.Unchanged, elapsed)
	}
	return nil
}

// BuildExecutablesOptions are the flags of `build executables`.
type BuildExecutablesOptions struct {
	BuildGeneratedOptions
	Output   string
	GOOS     string
	GOARCH   string
	Targets  []string
	Generate bool
	targets  []gobuild.Target
}

func newBuildExecutablesCommand(streams IOStreams) *cobra.Command {
	o := &BuildExecutablesOptions{BuildGeneratedOptions: BuildGeneratedOptions{streams: streams}}
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
			if o.Generate {
				if err := o.BuildGeneratedOptions.Run(); err != nil {
					return err
				}
			}
			return gobuild.Build(cmd.Context(), gobuild.Options{
				Dir: o.Dir, Output: o.Output, GOOS: o.GOOS, GOARCH: o.GOARCH, Targets: o.targets, Out: o.streams.ErrOut,
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Output, "output", "bin", "directory the binaries are written to")
	f.StringVar(&o.GOOS, "goos", "", "target operating system (default: this machine's)")
	f.StringVar(&o.GOARCH, "goarch", "", "target architecture (default: this machine's)")
	f.StringSliceVar(&o.Targets, "targets", []string{"apiserver", "controller-manager"}, "binaries to build")
	f.BoolVar(&o.Generate, "generate", true, "run the code generators first")
	return cmd
}

// Validate checks the targets.
func (o *BuildExecutablesOptions) Validate() error {
	o.targets = nil
	for _, name := range o.Targets {
		t, ok := gobuild.Targets[name]
		if !ok {
			var known []string
			for k := range gobuild.Targets {
				known = append(known, k)
			}
			sort.Strings(known)
			return fmt.Errorf("unknown target %q: choose from %s", name, strings.Join(known, ", "))
		}
		o.targets = append(o.targets, t)
	}
	if len(o.targets) == 0 {
		return fmt.Errorf("--targets is empty: nothing to build")
	}
	return nil
}
