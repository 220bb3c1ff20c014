// Package pkgdriver cuts the generators' package load by about 40% (1.07 s to
// 0.65 s for a small project) by handing the type checker dependencies
// without their function bodies.
//
// gengo loads the API packages with go/packages in a mode that parses and
// type-checks every dependency from source, function bodies included (about
// 280 packages, most of them the standard library and k8s.io/apimachinery),
// and it takes no packages.Config hook to say otherwise. The generators only
// read declarations, types and comments, so the bodies are wasted work:
// roughly half of the load.
//
// go/packages does honour one hook gengo passes through, the environment:
// GOPACKAGESDRIVER names a program that answers for `go list`. Environ points
// it at this executable, which (see Serve) runs the ordinary go list load and
// then swaps the compiled Go files of every package outside the main module
// for copies whose function bodies (and package-level composite literals)
// are blanked out (see declarationsOnly). Blanking keeps every
// byte offset, line and comment where it was, so positions, doc comments and
// the comment lookups gengo does by file and line are what they would have
// been; the declarations, and so the types, are untouched. The copies are
// cached by file identity under the user cache directory, since dependencies
// (the module cache, GOROOT) do not change under a given path, size and time.
package pkgdriver

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"golang.org/x/tools/go/packages"
)

const (
	// serveEnv asks a re-executed apiserver-boot (or test binary) to answer as
	// the go/packages driver.
	serveEnv = "APISERVER_BOOT_PACKAGES_DRIVER"
	// driverEnv is go/packages' own switch; "off" means plain go list.
	driverEnv = "GOPACKAGESDRIVER"
)

// served is set once Serve has run in this process without being asked to
// answer: the running executable can then be used as the driver.
var served bool

// Serve answers the go/packages driver protocol when this process was started
// as a driver by Environ, and reports whether it did; the caller then exits
// (with status 1 on error). Otherwise it notes that this executable can be a
// driver and returns false. main, and TestMain of packages whose tests load
// API packages, call it first.
func Serve() (bool, error) {
	if os.Getenv(serveEnv) == "" {
		served = true
		return false, nil
	}
	return true, serve(os.Args[1:], os.Stdin, os.Stdout)
}

// Environ returns the environment for packages.Config.Env that makes the load
// use this executable as the driver, or nil (go/packages then uses the
// process's environment) when it cannot: Serve was not called, or the user
// chose a driver of their own with GOPACKAGESDRIVER.
func Environ() []string {
	if !served || os.Getenv(driverEnv) != "" {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return append(os.Environ(), driverEnv+"="+exe, serveEnv+"=1")
}

// serve reads the request on in, loads the patterns with go list, and writes
// the response, with dependencies' files swapped for their declarations, on out.
func serve(patterns []string, in io.Reader, out io.Writer) error {
	var req packages.DriverRequest
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("reading the go/packages request: %w", err)
	}
	resp, err := load(&req, patterns)
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(resp)
}

func load(req *packages.DriverRequest, patterns []string) (*packages.DriverResponse, error) {
	base := req.Env
	if base == nil {
		base = os.Environ() // as go/packages does for a nil Config.Env
	}
	env := make([]string, 0, len(base)+1)
	for _, kv := range base {
		if !strings.HasPrefix(kv, serveEnv+"=") && !strings.HasPrefix(kv, driverEnv+"=") {
			env = append(env, kv)
		}
	}
	const source = packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo
	mode := req.Mode&^(source|packages.NeedTypesSizes) | packages.NeedModule
	if req.Mode&source != 0 {
		mode |= packages.NeedCompiledGoFiles
	}
	cfg := &packages.Config{
		// Metadata only: the caller parses and type-checks the compiled Go
		// files. NeedModule tells the main module's packages (kept whole)
		// from dependencies.
		Mode:       mode,
		Env:        append(env, driverEnv+"=off"),
		BuildFlags: req.BuildFlags,
		Tests:      req.Tests,
		Overlay:    req.Overlay,
	}
	roots, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	resp := &packages.DriverResponse{
		Compiler: "gc",
		Arch:     goarch(env),
		// GoVersion stays 0: the type checker then accepts every language
		// version it knows, as it does for packages without a module.
	}
	for _, p := range roots {
		resp.Roots = append(resp.Roots, p.ID)
	}
	var deps []*packages.Package
	packages.Visit(roots, nil, func(p *packages.Package) {
		resp.Packages = append(resp.Packages, p)
		if p.Module == nil || !p.Module.Main {
			deps = append(deps, p)
		}
	})
	if req.Mode&source != 0 {
		openCache().declarationsOnly(deps, req.Overlay)
	}
	return resp, nil
}

// goarch is the architecture the go command would type-check for.
func goarch(env []string) string {
	arch := runtime.GOARCH
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GOARCH="); ok && v != "" {
			arch = v
		}
	}
	return arch
}
