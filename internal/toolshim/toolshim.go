// Package toolshim lets this binary stand in for the commands upstream's
// go-to-protobuf execs from PATH, so users install none of them: `protoc`
// (bufbuild/protocompile compiling the IDL, gogo's generator as a library in
// place of protoc-gen-gogo) and `goimports` (golang.org/x/tools/imports).
// It also runs upstream's go-to-protobuf itself (its importable package,
// unmodified) as a child process named `go-to-protobuf`. `gofmt` is the Go
// toolchain's. Which command a process is comes from the name it was started
// under: Dir makes a directory of links to this executable under those names,
// to put first on the child's PATH.
package toolshim

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Command names this binary answers to (see Serve).
const (
	Protoc       = "protoc"
	Goimports    = "goimports"
	GoToProtobuf = "go-to-protobuf"
)

// Serve runs the command this process was started as, if it is one of the
// shims, and reports whether it was. main (and tests' TestMain) call it
// before anything else; the exit code is the command's.
func Serve() (served bool, code int) {
	return serve(filepath.Base(os.Args[0]), os.Args[1:], os.Stdout, os.Stderr)
}

func serve(name string, args []string, stdout, stderr io.Writer) (bool, int) {
	switch name {
	case Protoc:
		return true, report(stderr, name, runProtoc(args))
	case Goimports:
		return true, report(stderr, name, runGoimports(args, stdout))
	case GoToProtobuf:
		// Upstream's Run reports failures itself and exits non-zero.
		return true, report(stderr, name, runGoToProtobuf(args))
	}
	return false, 0
}

func report(stderr io.Writer, name string, err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return 1
}

// Dir makes, in parent, a directory holding the shims as links to this
// executable and gofmt as a link to the Go toolchain's, and returns its path:
// the first entry of the PATH go-to-protobuf runs with.
func Dir(parent string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	gofmt, err := toolchainGofmt()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(parent, "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for name, target := range map[string]string{Protoc: exe, Goimports: exe, GoToProtobuf: exe, "gofmt": gofmt} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// toolchainGofmt is the gofmt beside the go command that builds the project.
func toolchainGofmt() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	gofmt := filepath.Join(strings.TrimSpace(string(out)), "bin", "gofmt")
	if _, err := os.Stat(gofmt); err != nil {
		return "", fmt.Errorf("the Go toolchain has no gofmt: %w", err)
	}
	return gofmt, nil
}
