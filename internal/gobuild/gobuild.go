// Package gobuild builds a project's binaries with the go tool, streaming its
// errors and reporting progress.
package gobuild

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// Options configure a build.
type Options struct {
	Dir    string // project root
	Output string // output directory, relative to Dir or absolute
	GOOS   string // empty: the host's
	GOARCH string
	// Targets are the binaries to build (model.Binaries: all of them).
	Targets []model.Binary
	// Release strips symbol tables and DWARF (-ldflags "-s -w"), for images.
	Release bool
	// Out receives progress lines and the go tool's output.
	Out io.Writer
}

// Build runs `go build` for each target. Binaries are static (CGO_ENABLED=0),
// so they run in distroless images, and reproducible (-trimpath, no VCS
// stamp). Every build uses the same compile settings, so that the build cache
// is shared between build executables, run local and build container.
func Build(ctx context.Context, o Options) error {
	out := o.Output
	if !filepath.IsAbs(out) {
		out = filepath.Join(o.Dir, out)
	}
	env := append(os.Environ(), "CGO_ENABLED=0")
	if o.GOOS != "" {
		env = append(env, "GOOS="+o.GOOS)
	}
	if o.GOARCH != "" {
		env = append(env, "GOARCH="+o.GOARCH)
	}
	for _, t := range o.Targets {
		start := time.Now()
		fmt.Fprintf(o.Out, "building %s (%s)\n", t.Name, t.Package)
		args := []string{"build", "-trimpath", "-buildvcs=false", "-o", filepath.Join(out, t.Name)}
		if o.Release {
			args = append(args, "-ldflags", "-s -w")
		}
		cmd := exec.CommandContext(ctx, "go", append(args, t.Package)...)
		cmd.Dir = o.Dir
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = o.Out, o.Out
		done := make(chan struct{})
		go progress(o.Out, t.Name, start, done)
		err := cmd.Run()
		close(done)
		if err != nil {
			return fmt.Errorf("building %s: %w", t.Name, err)
		}
		fmt.Fprintf(o.Out, "built %s in %s\n", filepath.Join(o.Output, t.Name), time.Since(start).Round(100*time.Millisecond))
	}
	return nil
}

// progress prints a line every 15 s while a long build runs, so a cold
// build (minutes) does not look hung.
func progress(w io.Writer, name string, start time.Time, done <-chan struct{}) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			fmt.Fprintf(w, "  still building %s (%s)\n", name, time.Since(start).Round(time.Second))
		}
	}
}
