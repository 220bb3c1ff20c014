// Package deprecate marks a served version deprecated the way Kubernetes
// marks its own APIs: +k8s:prerelease-lifecycle-gen tags on the version's
// types, from which upstream's prerelease-lifecycle-gen (a step of `build
// generated`) writes APILifecycleDeprecated, APILifecycleRemoved and
// APILifecycleReplacement methods. k8s.io/apiserver reads them when it
// installs the version: every request to it gets the standard deprecation
// warning (`Warning: insect.example.com/v1alpha1 Bee is deprecated in
// v0.3+, unavailable in v0.6+; use insect.example.com/v1 Bee`), which
// kubectl and client-go print, and apiserver_requested_deprecated_apis
// counts its use.
//
// The tags are written into the user's own files (doc.go and the types
// files) next to their other tags, where a reader of the API sees them;
// this package only ever replaces lines it would write itself.
package deprecate

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// Options say which version to deprecate, when and for what.
type Options struct {
	Dir            string
	Project        *model.Project
	Group, Version string
	// Introduced, Deprecated and Removed are releases of the server
	// (major.minor): when the version first shipped, when it is deprecated,
	// and when it stops being served (default: Deprecated plus 3 minors, the
	// policy Kubernetes holds its beta APIs to).
	Introduced, Deprecated, Removed string
	// Replacement is the version of the same group clients should move to.
	Replacement string

	version, replacement *model.Version
}

// tagPrefix starts every type tag this package writes (and replaces).
const tagPrefix = "// +k8s:prerelease-lifecycle-gen:"

// packageTag enables the generator for the version's package, in doc.go.
const packageTag = "// +k8s:prerelease-lifecycle-gen=true"

var release = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// Validate checks the options against the project, changing nothing.
func (o *Options) Validate() error {
	g := o.Project.Group(o.Group)
	if g == nil {
		return fmt.Errorf("group %s does not exist in this project", o.Group)
	}
	if o.version = g.Version(o.Version); o.version == nil {
		return fmt.Errorf("version %s of group %s does not exist", o.Version, o.Group)
	}
	if o.Introduced == "" {
		o.Introduced = "0.1"
	}
	if o.Deprecated == "" {
		return fmt.Errorf("--deprecated-in is required: the release of your server (major.minor) that deprecates %s", o.Version)
	}
	for flag, v := range map[string]string{"--introduced-in": o.Introduced, "--deprecated-in": o.Deprecated, "--removed-in": o.Removed} {
		if v != "" && !release.MatchString(v) {
			return fmt.Errorf("invalid %s %q: want a release as major.minor, such as 0.3", flag, v)
		}
	}
	if o.Removed == "" {
		major, minor := parse(o.Deprecated)
		o.Removed = fmt.Sprintf("%d.%d", major, minor+3)
	}
	if less(o.Deprecated, o.Introduced) {
		return fmt.Errorf("--deprecated-in %s is before --introduced-in %s", o.Deprecated, o.Introduced)
	}
	if !less(o.Deprecated, o.Removed) {
		return fmt.Errorf("--removed-in %s must come after --deprecated-in %s", o.Removed, o.Deprecated)
	}
	if o.Replacement != "" {
		if o.Replacement == o.Version {
			return fmt.Errorf("--replacement %s is the version being deprecated", o.Replacement)
		}
		if o.replacement = g.Version(o.Replacement); o.replacement == nil {
			return fmt.Errorf("--replacement %s is not a version of group %s", o.Replacement, o.Group)
		}
	}
	return nil
}

// Plan returns the edits: the package tag in doc.go and the lifecycle tags
// above every API type (a struct with TypeMeta) of the version.
func (o *Options) Plan() ([]scaffold.Change, error) {
	dir := o.version.Dir()
	files := map[string][]byte{}
	doc := filepath.ToSlash(filepath.Join(dir, "doc.go"))
	src, err := os.ReadFile(filepath.Join(o.Dir, doc))
	if err != nil {
		return nil, err
	}
	if files[doc], err = withPackageTag(src); err != nil {
		return nil, fmt.Errorf("%s: %w", doc, err)
	}
	names, err := filepath.Glob(filepath.Join(o.Dir, filepath.FromSlash(dir), "*.go"))
	if err != nil {
		return nil, err
	}
	found := 0
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasPrefix(base, "zz_generated.") || strings.HasSuffix(base, "_test.go") || strings.HasPrefix(base, "generated.") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		rel := filepath.ToSlash(filepath.Join(dir, base))
		out, n, err := tagTypes(rel, src, o.tags)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			files[rel], found = out, found+n
		}
	}
	if found == 0 {
		return nil, fmt.Errorf("%s has no API type (a struct with metav1.TypeMeta) to deprecate", dir)
	}
	return scaffold.Compare(o.Dir, files)
}

// tags are the lines above the type named typ.
func (o *Options) tags(typ string) []string {
	lines := []string{
		tagPrefix + "introduced=" + o.Introduced,
		tagPrefix + "deprecated=" + o.Deprecated,
		tagPrefix + "removed=" + o.Removed,
	}
	if o.replacement == nil {
		return lines
	}
	for _, k := range o.replacement.Kinds {
		if typ == k.Name || typ == k.Name+"List" {
			lines = append(lines, tagPrefix+"replacement="+strings.Join([]string{o.replacement.Group.Full, o.replacement.Name, typ}, ","))
		}
	}
	return lines
}

// withPackageTag adds the package tag after doc.go's deepcopy-gen tag (or
// its first tag), once.
func withPackageTag(src []byte) ([]byte, error) {
	lines := strings.Split(string(src), "\n")
	if slices.ContainsFunc(lines, func(l string) bool { return strings.TrimSpace(l) == packageTag }) {
		return src, nil
	}
	at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "// +k8s:deepcopy-gen=") })
	if at < 0 {
		at = slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "// +") })
	}
	if at < 0 {
		return nil, fmt.Errorf("no +k8s: tag to add %q beside; add it above the package clause yourself", packageTag)
	}
	return []byte(strings.Join(slices.Insert(lines, at+1, packageTag), "\n")), nil
}

func parse(r string) (int, int) {
	m := release.FindStringSubmatch(r)
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major, minor
}

// less reports whether release a comes before b.
func less(a, b string) bool {
	amaj, amin := parse(a)
	bmaj, bmin := parse(b)
	return amaj < bmaj || amaj == bmaj && amin < bmin
}
