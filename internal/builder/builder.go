// Package builder is the build operation every command shares: run the code
// generators (or check them, with Verify), then go build the project's
// binaries. build generated, build executables, run local and the image
// builds call it, so the steps and their output are the same everywhere.
package builder

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/codegen"
	"github.com/apiserver-boot/apiserver-boot/internal/gobuild"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// Options say what to build.
type Options struct {
	Dir     string
	Project *model.Project
	// Generate runs the code generators first; Verify only checks that the
	// generated code is up to date (and writes nothing).
	Generate, Verify bool
	// Targets are the binaries to build; none: only generate.
	Targets      []model.Binary
	Output       string // relative to Dir or absolute; default bin
	GOOS, GOARCH string
	Release      bool
	Out, Log     io.Writer // results; progress and the go tool's output
}

// Build generates (if asked) and builds.
func Build(ctx context.Context, o Options) error {
	if o.Generate || o.Verify {
		if err := Generate(o); err != nil {
			return err
		}
	}
	if len(o.Targets) == 0 {
		return nil
	}
	out := o.Output
	if out == "" {
		out = model.BinDir
	}
	return gobuild.Build(ctx, gobuild.Options{
		Dir: o.Dir, Output: out, GOOS: o.GOOS, GOARCH: o.GOARCH, Targets: o.Targets, Release: o.Release, Out: o.Log,
	})
}

// Generate runs the code generators and reports what they changed.
func Generate(o Options) error {
	_, err := Generated(o)
	return err
}

// Generated is Generate, returning what the generators did.
func Generated(o Options) (*codegen.Result, error) {
	start := time.Now()
	res, err := codegen.Generate(codegen.Options{Dir: o.Dir, Project: o.Project, Verify: o.Verify, Log: o.Log})
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start).Round(10 * time.Millisecond)
	switch {
	case res.UpToDate:
		fmt.Fprintf(o.Out, "generated code is up to date (%s)\n", elapsed)
	case o.Verify:
		fmt.Fprintf(o.Out, "generated code is up to date: %d files checked (%s)\n", res.Unchanged, elapsed)
	default:
		for _, p := range res.Written {
			fmt.Fprintf(o.Out, "write   %s\n", p)
		}
		for _, p := range res.Removed {
			fmt.Fprintf(o.Out, "remove  %s\n", p)
		}
		fmt.Fprintf(o.Out, "generated: %d written, %d removed, %d unchanged (%s)\n", len(res.Written), len(res.Removed), res.Unchanged, elapsed)
	}
	return res, nil
}

// PrintCommands writes the generator command lines Generate runs, one per
// line, shell-quoted, as the upstream binaries would be run.
func PrintCommands(o Options, reportFile string) error {
	commands, err := codegen.Commands(codegen.Options{Dir: o.Dir, Project: o.Project}, reportFile)
	if err != nil {
		return err
	}
	// go-to-protobuf needs a GOPATH-shaped tree (see codegen.ProtoRoot).
	links, err := codegen.ProtoRootLinks(o.Dir, o.Project.Module)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(links))
	for name := range links {
		names = append(names, name)
	}
	sort.Strings(names)
	root := strings.TrimPrefix(codegen.ProtoRoot, "$")
	fmt.Fprintf(o.Out, "%s=$(mktemp -d)\n", root)
	for _, name := range names {
		link := `"$` + root + `"/` + shellQuote(name)
		fmt.Fprintf(o.Out, "mkdir -p \"$(dirname %s)\" && ln -s %s %s\n", link, shellQuote(links[name]), link)
	}
	for _, c := range commands {
		quoted := make([]string, len(c))
		for i, a := range c {
			quoted[i] = shellQuote(a)
			if strings.Contains(a, codegen.ProtoRoot) {
				quoted[i] = `"` + a + `"`
			}
		}
		fmt.Fprintln(o.Out, strings.Join(quoted, " "))
	}
	return nil
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,@+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
