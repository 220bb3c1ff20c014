// Command apiserver-boot scaffolds, builds and runs Kubernetes aggregated API servers.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/apiserver-boot/apiserver-boot/internal/cli"
	"github.com/apiserver-boot/apiserver-boot/internal/pkgdriver"
	"github.com/apiserver-boot/apiserver-boot/internal/toolshim"
)

func main() {
	// Started as protoc, goimports or go-to-protobuf, this binary is that
	// command for upstream's go-to-protobuf (see toolshim).
	if shim, code := toolshim.Serve(); shim {
		os.Exit(code)
	}
	// The code generators' package load re-executes this binary as its
	// go/packages driver (see pkgdriver).
	if driver, err := pkgdriver.Serve(); driver {
		if err != nil {
			fmt.Fprintln(os.Stderr, "apiserver-boot (packages driver):", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	cmd := cli.NewRootCommand(cli.IOStreams{Out: os.Stdout, ErrOut: os.Stderr})
	err := cmd.ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		// Errors that know their exit code (e.g. which process of `run local` died) set it.
		var coded interface{ ExitCode() int }
		if errors.As(err, &coded) {
			os.Exit(coded.ExitCode())
		}
		os.Exit(1)
	}
}
