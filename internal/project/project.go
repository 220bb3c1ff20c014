// Package project is the PROJECT file: the single record of what a generated
// project contains (domain, module, Kubernetes version, and every
// group/version/kind with its options). Every command reads it, and every file
// that lists all kinds is rendered from it, so re-running a command is
// idempotent by construction.
package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/apiserver-boot/apiserver-boot/internal/names"
)

// FileName is the name of the PROJECT file at the root of a project.
const FileName = "PROJECT"

// Layout identifies the version of the PROJECT format and project layout.
// v2: the status subresource's behaviour lives in status.go (wired by the
// regenerated subresources.go), and PROJECT records Go package names.
const Layout = "apiserver-boot.io/v2"

// LayoutV1 is the layout of projects made before v2. Such a project builds,
// runs and deploys as it is; create, which regenerates files for the current
// layout, refuses it (see ErrOlderLayout).
const LayoutV1 = "apiserver-boot.io/v1"

// ErrOlderLayout is returned by the commands that would rewrite a v1
// project's files for the current layout.
var ErrOlderLayout = errors.New("this project was created by an earlier apiserver-boot (layout " + LayoutV1 + "): create would regenerate its subresources.go for layout " + Layout + ", which its strategy.go does not match; use the apiserver-boot that created it to add to it")

// ErrNotFound is returned by Load when there is no PROJECT file.
var ErrNotFound = errors.New("no PROJECT file found: run this command in a project created by `apiserver-boot init repo`")

// Project is the content of the PROJECT file.
type Project struct {
	Layout string `json:"layout"`
	// ApiserverBootVersion is the apiserver-boot that last scaffolded the
	// project (init, create or upgrade); .apiserver-boot/base holds what it
	// generated, the base of the next upgrade's three-way merge.
	ApiserverBootVersion string `json:"apiserverBootVersion,omitempty"`
	Domain               string `json:"domain"`
	Module               string `json:"module"`
	// KubernetesVersion and ControllerRuntimeVersion are the library versions
	// the project was scaffolded for (go.mod may have moved on).
	KubernetesVersion        string  `json:"kubernetesVersion"`
	ControllerRuntimeVersion string  `json:"controllerRuntimeVersion,omitempty"`
	License                  string  `json:"license,omitempty"`
	Owner                    string  `json:"owner,omitempty"`
	Groups                   []Group `json:"groups,omitempty"`
	// AdmissionPlugins are the server's own admission plugins, in the order
	// they run.
	AdmissionPlugins []AdmissionPlugin `json:"admissionPlugins,omitempty"`
}

// AdmissionPlugin is an admission plugin of the server, acting on one kind.
type AdmissionPlugin struct {
	Name string `json:"name"`
	// Package is the Go package (and folder under pkg/admission).
	Package    string `json:"package"`
	Group      string `json:"group"`
	Kind       string `json:"kind"`
	Mutating   bool   `json:"mutating,omitempty"`
	Validating bool   `json:"validating,omitempty"`
}

// Group is an API group <Name>.<Domain> with its versions and kinds.
type Group struct {
	Name string `json:"name"`
	// Package is the Go package (and folder under pkg/apis) of the group,
	// recorded when the group is created so that later versions of
	// apiserver-boot, whose naming rules may differ, keep using it. Empty in
	// projects from before it was recorded: the group name without hyphens.
	Package  string    `json:"package,omitempty"`
	Versions []Version `json:"versions,omitempty"`
	Kinds    []Kind    `json:"kinds,omitempty"`
}

// Version is one served version of a group.
type Version struct {
	Name string `json:"name"`
	// StorageVersion marks the version objects are encoded in when written to etcd.
	// Exactly one version of a group with kinds is the storage version.
	StorageVersion bool `json:"storage,omitempty"`
	// From is the version whose types this version's were copied from when
	// it was added to a group that had kinds (`create version`), and
	// Renames the fields renamed on the way: upgrade replays them to know
	// what apiserver-boot generated.
	From    string        `json:"from,omitempty"`
	Renames []FieldRename `json:"renames,omitempty"`
}

// FieldRename is a field of a kind's spec or status renamed in a version.
type FieldRename struct {
	Kind string `json:"kind"`
	// Struct is Spec or Status.
	Struct string `json:"struct"`
	// From and To are JSON names: From in the version copied from, To in this one.
	From string `json:"from"`
	To   string `json:"to"`
}

// Kind is an API kind of a group. Its internal (hub) type lives in the group
// package and it is served in every version listed in Versions.
type Kind struct {
	Kind string `json:"kind"`
	// Package is the Go package of the kind's registry code, recorded like
	// the group's. Empty in older projects: the lower-case kind.
	Package           string   `json:"package,omitempty"`
	Plural            string   `json:"plural"`
	Namespaced        bool     `json:"namespaced"`
	ShortNames        []string `json:"shortNames,omitempty"`
	Categories        []string `json:"categories,omitempty"`
	StatusSubresource bool     `json:"statusSubresource"`
	Controller        bool     `json:"controller"`
	Versions          []string `json:"versions"`
	// Store is what keeps the kind's objects: empty or StoreRegistry for the
	// generic registry (in the server's backend: etcd, or SQL through kine),
	// StoreCustom for a custom.Store over a backend the user writes. PROJECT
	// keeps the key "storage" of earlier releases.
	Store string `json:"storage,omitempty"`
	// ReadOnly kinds (custom storage only) serve get, list and watch.
	ReadOnly bool `json:"readOnly,omitempty"`
	// Subresources besides status, added with `create subresource`.
	Subresources []Subresource `json:"subresources,omitempty"`
}

// Kind stores (the values of create's --storage): the generic registry (the
// default) or the user's own.
const (
	StoreRegistry = "etcd"
	StoreCustom   = "custom"
)

// Validate holds a kind to the rules of its own shape: its name, its store,
// and what a read-only kind cannot have. Creating a kind and loading PROJECT
// both check them here; their words name the flags of create that set them.
func (k *Kind) Validate() error {
	if err := names.ValidateKind(k.Kind); err != nil {
		return err
	}
	switch k.Store {
	case "", StoreRegistry, StoreCustom:
	default:
		return fmt.Errorf("unknown --storage %q: use %s or %s", k.Store, StoreRegistry, StoreCustom)
	}
	if k.ReadOnly && !k.Custom() {
		return fmt.Errorf("--read-only needs --storage %s: the generic registry's objects are written through the API", StoreCustom)
	}
	if k.ReadOnly && (k.StatusSubresource || k.Controller) {
		return fmt.Errorf("--read-only kinds have no status subresource and no controller writing them: drop --with-status-subresource and --controller")
	}
	return nil
}

// Custom reports whether the kind's objects are kept by a backend the user writes.
func (k *Kind) Custom() bool { return k.Store == StoreCustom }

// Subresource types.
const (
	ScaleSubresource     = "scale"
	ConnectorSubresource = "connector"
	GetterSubresource    = "getter"
)

// Subresource is a subresource of a kind: <plural>/<Name>.
type Subresource struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// For scale: where the replicas are, as .spec.<field> and .status.<field>
	// (empty: status reports the spec's replicas).
	SpecReplicasPath   string `json:"specReplicasPath,omitempty"`
	StatusReplicasPath string `json:"statusReplicasPath,omitempty"`
}

// Load reads the PROJECT file in dir.
func Load(dir string) (*Project, error) {
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse decodes and validates PROJECT content.
func Parse(data []byte) (*Project, error) {
	var p Project
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		return nil, fmt.Errorf("PROJECT: %w", err)
	}
	if p.Layout != Layout && p.Layout != LayoutV1 {
		return nil, fmt.Errorf("PROJECT: unsupported layout %q (this apiserver-boot understands %q and %q)", p.Layout, Layout, LayoutV1)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("PROJECT: %w", err)
	}
	return &p, nil
}

// Marshal encodes the project as YAML, with a header explaining the file.
func (p *Project) Marshal() ([]byte, error) {
	data, err := yaml.Marshal(p)
	if err != nil {
		return nil, err
	}
	header := "# Code generated by apiserver-boot. It records the project's layout and every\n" +
		"# group, version and kind; apiserver-boot reads it to regenerate the files that list them.\n"
	return append([]byte(header), data...), nil
}

// Validate checks the invariants every command relies on.
func (p *Project) Validate() error {
	if err := p.validateFields(); err != nil {
		return err
	}
	if err := p.validateAdmission(); err != nil {
		return err
	}
	if err := names.ValidateDomain(p.Domain); err != nil {
		return err
	}
	if err := names.ValidateModule(p.Module); err != nil {
		return err
	}
	groups := map[string]bool{}
	for _, g := range p.Groups {
		if err := names.ValidateGroup(g.Name, p.Domain); err != nil {
			return err
		}
		if groups[g.GoPackage()] {
			return fmt.Errorf("group %q is listed twice (or shares its Go package %s with another)", g.Name, g.GoPackage())
		}
		groups[g.GoPackage()] = true
		versions := map[string]bool{}
		storage := 0
		for _, v := range g.Versions {
			if err := names.ValidateVersion(v.Name); err != nil {
				return err
			}
			if versions[v.Name] {
				return fmt.Errorf("version %s of group %s is listed twice", v.Name, g.Name)
			}
			versions[v.Name] = true
			if v.StorageVersion {
				storage++
			}
		}
		if storage > 1 {
			return fmt.Errorf("group %s has %d storage versions, want one", g.Name, storage)
		}
		kinds := map[string]bool{}
		for _, k := range g.Kinds {
			if err := k.Validate(); err != nil {
				return fmt.Errorf("kind %s of group %s: %w", k.Kind, g.Name, err)
			}
			if k.Custom() && len(k.Subresources) > 0 {
				return fmt.Errorf("kind %s keeps its objects in custom storage: its subresources are status only (scale, getter and connector are scaffolded for etcd kinds)", k.Kind)
			}
			subs := map[string]bool{"status": true}
			for _, sr := range k.Subresources {
				if err := names.ValidateSubresource(sr.Name); err != nil {
					return err
				}
				if subs[sr.Name] {
					return fmt.Errorf("subresource %s/%s is listed twice (or clashes with status)", k.Plural, sr.Name)
				}
				subs[sr.Name] = true
				switch sr.Type {
				case ScaleSubresource, ConnectorSubresource, GetterSubresource:
				default:
					return fmt.Errorf("subresource %s/%s has unknown type %q", k.Plural, sr.Name, sr.Type)
				}
			}
			if kinds[strings.ToLower(k.Kind)] {
				return fmt.Errorf("kind %s of group %s is listed twice", k.Kind, g.Name)
			}
			kinds[strings.ToLower(k.Kind)] = true
			for _, v := range k.Versions {
				if !versions[v] {
					return fmt.Errorf("kind %s is served in version %s, which group %s does not have", k.Kind, v, g.Name)
				}
			}
			// Objects are written to etcd in the group's storage version, so
			// every kind must exist there.
			if sv := g.StorageVersion(); sv != "" && !slices.Contains(k.Versions, sv) {
				return fmt.Errorf("kind %s must be served in %s, the storage version of group %s: create it there (`create version` adds it to the other versions)", k.Kind, sv, g.Name)
			}
		}
		if len(g.Kinds) > 0 && storage == 0 {
			return fmt.Errorf("group %s has kinds but no storage version", g.Name)
		}
	}
	return nil
}

// FullGroup returns the API group name of g, e.g. insect.example.com.
func (p *Project) FullGroup(g *Group) string { return names.FullGroup(g.Name, p.Domain) }

// GoPackage is the group's Go package: the recorded one, or in older
// projects the group name without hyphens (what it was then).
func (g *Group) GoPackage() string {
	if g.Package != "" {
		return g.Package
	}
	return strings.ReplaceAll(g.Name, "-", "")
}

// GoPackage is the kind's registry package: the recorded one, or in older
// projects the lower-case kind (what it was then).
func (k *Kind) GoPackage() string {
	if k.Package != "" {
		return k.Package
	}
	return strings.ToLower(k.Kind)
}

// Group returns the group with the given short name, or nil.
func (p *Project) Group(name string) *Group {
	for i := range p.Groups {
		if p.Groups[i].Name == name {
			return &p.Groups[i]
		}
	}
	return nil
}

// Version returns the version with the given name, or nil.
func (g *Group) Version(name string) *Version {
	for i := range g.Versions {
		if g.Versions[i].Name == name {
			return &g.Versions[i]
		}
	}
	return nil
}

// Kind returns the kind with the given name (compared case-insensitively,
// since kinds that differ only in case would collide in file names), or nil.
func (g *Group) Kind(name string) *Kind {
	for i := range g.Kinds {
		if strings.EqualFold(g.Kinds[i].Kind, name) {
			return &g.Kinds[i]
		}
	}
	return nil
}

// StorageVersion returns the name of the group's storage version, or "".
func (g *Group) StorageVersion() string {
	for _, v := range g.Versions {
		if v.StorageVersion {
			return v.Name
		}
	}
	return ""
}

// VersionsByPriority returns the names of g's versions, most preferred first.
func (g *Group) VersionsByPriority() []string {
	var vs []string
	for _, v := range g.Versions {
		vs = append(vs, v.Name)
	}
	return names.SortVersions(vs)
}

// KindsIn returns the kinds served in version v, in PROJECT order.
func (g *Group) KindsIn(v string) []Kind {
	var out []Kind
	for _, k := range g.Kinds {
		if slices.Contains(k.Versions, v) {
			out = append(out, k)
		}
	}
	return out
}

// AddGroup adds a group if it is not there yet and reports whether it did.
func (p *Project) AddGroup(name string) bool {
	if p.Group(name) != nil {
		return false
	}
	p.Groups = append(p.Groups, Group{Name: name, Package: names.GroupPackage(name)})
	slices.SortFunc(p.Groups, func(a, b Group) int { return strings.Compare(a.Name, b.Name) })
	return true
}

// AddVersion adds a version to a group (which must exist) if it is not there
// yet and reports whether it did. The first version of a group becomes its
// storage version.
func (p *Project) AddVersion(group, version string) bool {
	g := p.Group(group)
	if g.Version(version) != nil {
		return false
	}
	g.Versions = append(g.Versions, Version{Name: version, StorageVersion: len(g.Versions) == 0})
	return true
}

// Clone returns a deep copy, so a command can compute the new state without
// changing the one it loaded.
func (p *Project) Clone() *Project {
	c := *p
	c.AdmissionPlugins = slices.Clone(p.AdmissionPlugins)
	c.Groups = make([]Group, len(p.Groups))
	for i, g := range p.Groups {
		g.Versions = slices.Clone(g.Versions)
		for j := range g.Versions {
			g.Versions[j].Renames = slices.Clone(g.Versions[j].Renames)
		}
		kinds := make([]Kind, len(g.Kinds))
		for j, k := range g.Kinds {
			k.ShortNames = slices.Clone(k.ShortNames)
			k.Categories = slices.Clone(k.Categories)
			k.Versions = slices.Clone(k.Versions)
			k.Subresources = slices.Clone(k.Subresources)
			kinds[j] = k
		}
		g.Kinds = kinds
		c.Groups[i] = g
	}
	return &c
}

func (p *Project) validateAdmission() error {
	seen := map[string]bool{}
	for _, a := range p.AdmissionPlugins {
		if err := names.ValidateAdmissionPlugin(a.Name); err != nil {
			return err
		}
		if seen[strings.ToLower(a.Name)] || seen[a.Package] {
			return fmt.Errorf("admission plugin %s is listed twice (or shares its package %s with another)", a.Name, a.Package)
		}
		seen[strings.ToLower(a.Name)], seen[a.Package] = true, true
		if !a.Mutating && !a.Validating {
			return fmt.Errorf("admission plugin %s neither mutates nor validates", a.Name)
		}
		g := p.Group(a.Group)
		if g == nil || !slices.ContainsFunc(g.Kinds, func(k Kind) bool { return k.Kind == a.Kind }) {
			return fmt.Errorf("admission plugin %s acts on kind %s of group %s, which the project does not have", a.Name, a.Kind, a.Group)
		}
	}
	return nil
}
