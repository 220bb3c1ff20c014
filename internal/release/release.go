// Package release tells which apiserver-boot this is. Releases are git tags
// (v0.1.0, …): `go install …@v0.1.0` and a build of a tagged checkout both
// carry the tag, because the go command stamps the module version from the
// build's VCS information. PROJECT records the version that scaffolded a
// project, and upgrade reports it.
package release

import (
	"runtime/debug"
)

// Version may be set at build time with
// -ldflags "-X github.com/apiserver-boot/apiserver-boot/internal/release.Version=v1.2.3";
// otherwise it comes from the build information.
var Version = ""

// Current returns the version of this binary: a tag such as v0.1.0, a
// pseudo-version (v0.1.1-0.20261130120000-abcdef123456, +dirty for a build
// of an uncommitted tree) between releases, or "(devel)" when the go command
// recorded neither.
func Current() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	v := info.Main.Version
	if replacedBy(info) != "" || v == DevelPin {
		// `go tool apiserver-boot` in a project that pins a checkout.
		v = "(devel)"
	}
	if v == "" || v == "(devel)" {
		v = "(devel)"
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				v += " " + s.Value
			}
		}
	}
	return v
}

// GoVersion is the Go toolchain this binary was built with.
func GoVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return info.GoVersion
	}
	return "(unknown)"
}

// sourceDir is SourceDir, or the checkout a project's replace directive
// built this binary from (`go tool apiserver-boot` there).
func sourceDir() string {
	if SourceDir != "" {
		return SourceDir
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		return replacedBy(info)
	}
	return ""
}

// replacedBy is the directory a replace directive built this module from,
// or "".
func replacedBy(info *debug.BuildInfo) string {
	if r := info.Main.Replace; r != nil && (r.Version == "" || r.Version == "(devel)") {
		return r.Path
	}
	return ""
}
