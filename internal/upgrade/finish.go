// After the merge: conflicts left, then tidy, regeneration and build.

package upgrade

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/builder"
	"github.com/apiserver-boot/apiserver-boot/internal/merge"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

// unresolved fails if a generated file still has conflict markers, from
// this run or an earlier one.
func unresolved(dir string) error {
	base, err := workspace.ReadBase(dir)
	if err != nil {
		return err
	}
	var paths []string
	for p := range base {
		data, err := readIfExists(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		if merge.HasConflicts(data) {
			paths = append(paths, p)
		}
	}
	if len(paths) > 0 {
		sort.Strings(paths)
		return &ConflictError{Paths: paths}
	}
	return nil
}

// finish completes go.mod, regenerates and builds, naming what to look at
// when a step fails.
func finish(ctx context.Context, o Options, p *project.Project) error {
	fmt.Fprintln(o.Out, "go mod tidy")
	if err := workspace.GoModTidy(ctx, o.Dir); err != nil {
		return fmt.Errorf("upgrade: the files are merged, but go.mod does not resolve; look at go.mod (your requirements next to the new pins): %w", err)
	}
	m := model.New(p)
	if err := builder.Generate(builder.Options{Dir: o.Dir, Project: m, Generate: true, Out: o.Out, Log: o.Log}); err != nil {
		return fmt.Errorf("upgrade: the files are merged, but code generation fails; look at the API types it names: %w", err)
	}
	// Again: the generated code's imports make some requirements direct.
	// Code generation's up-to-date stamp covers go.mod, so it runs once more
	// if that changed it (writing only the stamp), and a next upgrade is a no-op.
	before := modFiles(o.Dir)
	if err := workspace.GoModTidy(ctx, o.Dir); err != nil {
		return fmt.Errorf("upgrade: go mod tidy after code generation: %w", err)
	}
	if modFiles(o.Dir) != before {
		if err := builder.Generate(builder.Options{Dir: o.Dir, Project: m, Generate: true, Out: io.Discard, Log: io.Discard}); err != nil {
			return err
		}
	}
	fmt.Fprintln(o.Out, "go build ./...")
	cmd := exec.CommandContext(ctx, "go", "build", "./...")
	cmd.Dir = o.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("upgrade: the files are merged and regenerated, but the project does not build; look at the files and lines the compiler names:\n%s", strings.TrimSpace(out.String()))
	}
	fmt.Fprintf(o.Out, "upgraded to apiserver-boot %s; run `make test` (or go test ./...) and look at the merged files\n", release.Current())
	return nil
}

// modFiles is the content of go.mod and go.sum.
func modFiles(dir string) string {
	mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	sum, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
	return string(mod) + "\x00" + string(sum)
}
