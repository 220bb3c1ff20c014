package release

import (
	"fmt"
	"regexp"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// Module is apiserver-boot's module path, and Tool the package a generated
// project's go.mod names in its tool directive: `go tool apiserver-boot`
// then runs the pinned release on every machine.
const (
	Module = "github.com/apiserver-boot/apiserver-boot"
	Tool   = Module + "/cmd/apiserver-boot"
)

// SourceDir is the checkout a development build was built from, set with
// -ldflags "-X github.com/apiserver-boot/apiserver-boot/internal/release.SourceDir=$(CURDIR)"
// by `make build`/`make install` and the e2e tests. A project scaffolded by a
// development build pins that checkout with a replace directive: no module
// proxy serves an unreleased tree.
var SourceDir = ""

// DevelPin is the version a requirement replaced by a directory carries
// (what the go command writes for one).
const DevelPin = "v0.0.0-00010101000000-000000000000"

// A Pin is how a project's go.mod requires apiserver-boot.
type Pin struct {
	// Version is the required version: a release, or DevelPin with Replace.
	Version string `json:"version"`
	// Replace is the checkout of a development build, or "".
	Replace string `json:"replace,omitempty"`
}

// describeSuffix is what `git describe` adds past a tag (commits since it,
// the commit, -dirty): a local build's version no proxy serves.
var describeSuffix = regexp.MustCompile(`-[0-9]+-g[0-9a-f]{7,}(-dirty)?$|-dirty$|\+dirty$`)

// Published reports whether v is a version a module proxy can serve for this
// module: a release tag or a pseudo-version of a commit, not "(devel)" or a
// build of a modified tree.
func Published(v string) bool {
	return module.Check(Module, v) == nil && !describeSuffix.MatchString(v) && v != DevelPin
}

// PinFor is the go.mod pin of a project that apiserver-boot version scaffolded:
// the release itself, or, for a development build, its checkout (this
// binary's SourceDir; Replace is empty when that is unknown, which
// CheckPinnable reports before anything is written).
func PinFor(version string) Pin {
	if Published(version) {
		return Pin{Version: version}
	}
	return Pin{Version: DevelPin, Replace: sourceDir()}
}

// CheckPinnable fails when this binary cannot pin itself in a new project:
// a development build that does not know its checkout.
func CheckPinnable() error {
	if v := Current(); !Published(v) && sourceDir() == "" {
		return fmt.Errorf("apiserver-boot %s is a development build that no module proxy serves and that does not know its checkout, so a project cannot pin it in go.mod: install a release (go install %s@vX.Y.Z), or build this one with `make build` or `make install` in its checkout (which records the checkout for a replace directive)", v, Tool)
	}
	return nil
}

// ReadPin is the pin in a go.mod: ok is false when it has no tool
// directive for apiserver-boot (a project from before the pin).
func ReadPin(gomod []byte) (pin Pin, ok bool, err error) {
	f, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		return Pin{}, false, err
	}
	for _, t := range f.Tool {
		ok = ok || t.Path == Tool
	}
	for _, r := range f.Require {
		if r.Mod.Path == Module {
			pin.Version = r.Mod.Version
		}
	}
	for _, r := range f.Replace {
		if r.Old.Path == Module && r.New.Version == "" {
			pin.Replace = r.New.Path
		}
	}
	return pin, ok && pin.Version != "", nil
}

// PinProblem is one line when a project's go.mod and PROJECT disagree on the
// release that generates it, or "" when they agree.
func PinProblem(projectVersion string, gomod []byte) string {
	pin, ok, err := ReadPin(gomod)
	switch {
	case err != nil:
		return fmt.Sprintf("go.mod does not parse, so its apiserver-boot pin is unknown: %v", err)
	case !ok:
		return fmt.Sprintf("go.mod does not pin apiserver-boot as a tool (PROJECT was written by %s): run `apiserver-boot upgrade` to add the pin", describe(projectVersion))
	}
	want := PinFor(projectVersion)
	if Published(projectVersion) && (pin.Version != want.Version || pin.Replace != "") {
		return fmt.Sprintf("go.mod pins apiserver-boot %s but PROJECT was written by %s: run `go tool apiserver-boot upgrade` to move the project to the pinned release, or pin %s again with `go get -tool %s@%s`", pin.describe(), projectVersion, projectVersion, Tool, projectVersion)
	}
	if !Published(projectVersion) && pin.Replace == "" {
		return fmt.Sprintf("go.mod pins apiserver-boot %s but PROJECT was written by the development build %s: run `go tool apiserver-boot upgrade` to move the project to the pinned release", pin.describe(), describe(projectVersion))
	}
	return ""
}

func (p Pin) describe() string {
	if p.Replace != "" {
		return "from " + p.Replace
	}
	return p.Version
}

func describe(v string) string {
	if v == "" {
		return "a release from before versions were recorded"
	}
	return v
}
