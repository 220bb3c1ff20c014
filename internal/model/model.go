// Package model is the resolved shape of a generated project: built once from
// PROJECT, it holds every group, version and kind with the names derived from
// them (Go packages, file stems, variables, plurals), every path of the
// project, its binaries and its module. The packages that read or write a
// project (layout, workspace, codegen, docs, gobuild, container, manifests,
// localrun) take it by pointer; none of them joins a path or lower-cases a
// kind itself, so moving a folder or adding a binary is a change here only.
package model

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// Files and folders of every project, relative to its root (slash-separated).
const (
	ProjectFile     = project.FileName
	BoilerplateFile = "hack/boilerplate.go.txt"
	// BaseDir holds what apiserver-boot generated for the project, file by
	// file, as if the user had never edited one: the base of upgrade's
	// three-way merge. The go command ignores directories starting with a dot.
	BaseDir       = ".apiserver-boot/base"
	APIsDir       = "pkg/apis"
	RegistryDir   = "pkg/registry"
	ControllerDir = "pkg/controller"
	GeneratedDir  = "pkg/generated"
	APIServerDir  = "pkg/apiserver"
	ServerCmdDir  = "pkg/cmd/server"
	RoundTripDir  = "pkg/roundtrip"
	// APIServerTestDir holds the in-process server of the integration tests.
	APIServerTestDir = "pkg/apiservertest"
	// AdmissionDir holds the server's admission plugins and their registration.
	AdmissionDir = "pkg/admission"
	// CustomStorageDir holds the REST storage every custom-storage kind uses.
	CustomStorageDir = "pkg/storage/custom"
	SampleDir        = "sample"
	ConfigDir        = "config"
	BinDir           = "bin"
	ManagerMain      = "cmd/manager/main.go"
	APIServerMain    = "cmd/apiserver/main.go"
	// LocalDir holds what apiserver-boot keeps between runs (code generation
	// stamp, run local's data); it is gitignored.
	LocalDir = ".local"
)

// Binary is a program of the generated project.
type Binary struct {
	Name    string // bin/<Name> locally, /<Name> in the image
	Package string // the main package, relative to the project
}

// Path is where build executables puts the binary, relative to the project.
func (b Binary) Path() string { return path.Join(BinDir, b.Name) }

// The binaries of every project: the apiserver (the image's entrypoint) and
// the controller manager.
var (
	APIServer = Binary{Name: "apiserver", Package: "./cmd/apiserver"}
	Manager   = Binary{Name: "controller-manager", Package: "./cmd/manager"}
	Binaries  = []Binary{APIServer, Manager}
)

// BinaryByName returns the binary called name.
func BinaryByName(name string) (Binary, bool) {
	for _, b := range Binaries {
		if b.Name == name {
			return b, true
		}
	}
	return Binary{}, false
}

// Project is a resolved project.
type Project struct {
	// Spec is the PROJECT file it was resolved from.
	Spec   *project.Project
	Module string
	Domain string
	// Name is the short project name, from the module path (example.com/bees → bees).
	Name string
	// Groups in PROJECT order (sorted by name).
	Groups []*Group
	// AdmissionPlugins are the server's own admission plugins, in order.
	AdmissionPlugins []*AdmissionPlugin
}

// AdmissionPlugin is an admission plugin of the server.
type AdmissionPlugin struct {
	Spec *project.AdmissionPlugin
	// Name is the plugin's name (BanDuplicates), Package its Go package.
	Name, Package string
	// Kind is the kind it acts on.
	Kind *Kind
}

// Dir is the plugin's package directory.
func (a *AdmissionPlugin) Dir() string { return path.Join(AdmissionDir, a.Package) }

// Group is an API group of the project.
type Group struct {
	Project *Project
	Spec    *project.Group
	Name    string // short name, e.g. insect
	Full    string // insect.example.com
	// Package is the Go package name of the internal types; it names the
	// group's directories too (names.GroupPackage keeps it safe to import).
	Package string
	// GoName is how generated clients name the group when its own name will
	// not do (bee-keeping → BeeKeeping); empty otherwise.
	GoName string
	// Versions, most preferred first.
	Versions []*Version
	// StorageVersion is the storage version, nil while the group has none.
	StorageVersion *Version
	Kinds          []*Kind
}

// Version is a served version of a group.
type Version struct {
	Group            *Group
	Name             string // v1alpha1
	IsStorageVersion bool
	// Kinds served in this version.
	Kinds []*Kind
}

// Kind is a kind of a group.
type Kind struct {
	Group *Group
	Spec  *project.Kind
	Name  string // Bee
	// Plural is the resource name (bees); Singular its singular (bee).
	Plural, Singular string
	// PluralType is the plural as a Go name (Bees, People), as client-gen names it.
	PluralType string
	// FileStem names the kind's files: <stem>_types.go, sample/<stem>.yaml.
	FileStem string
	// Package is the Go package name (and directory) of the kind's registry package.
	Package string
	// Var is a safe local variable name for an object of the kind.
	Var string
	// Versions serving the kind, in PROJECT order (the first is where it was created).
	Versions []*Version
}

// New resolves p.
func New(p *project.Project) *Project {
	m := &Project{Spec: p, Module: p.Module, Domain: p.Domain, Name: names.ProjectName(p.Module)}
	for i := range p.Groups {
		g := &p.Groups[i]
		mg := &Group{Project: m, Spec: g, Name: g.Name, Full: p.FullGroup(g), Package: g.GoPackage(), GoName: names.GroupGoName(g.Name, g.GoPackage())}
		byName := map[string]*Version{}
		for _, v := range g.VersionsByPriority() {
			mv := &Version{Group: mg, Name: v, IsStorageVersion: g.StorageVersion() == v}
			byName[v] = mv
			mg.Versions = append(mg.Versions, mv)
			if mv.IsStorageVersion {
				mg.StorageVersion = mv
			}
		}
		for j := range g.Kinds {
			k := &g.Kinds[j]
			mk := &Kind{
				Group: mg, Spec: k, Name: k.Kind,
				Plural: k.Plural, Singular: names.Singular(k.Kind), PluralType: names.PluralTypeName(k.Kind, k.Plural),
				FileStem: names.FileStem(k.Kind), Package: k.GoPackage(), Var: names.Var(k.Kind),
			}
			for _, v := range k.Versions {
				if mv := byName[v]; mv != nil {
					mk.Versions = append(mk.Versions, mv)
					mv.Kinds = append(mv.Kinds, mk)
				}
			}
			mg.Kinds = append(mg.Kinds, mk)
		}
		m.Groups = append(m.Groups, mg)
	}
	for i := range p.AdmissionPlugins {
		a := &p.AdmissionPlugins[i]
		ma := &AdmissionPlugin{Spec: a, Name: a.Name, Package: a.Package}
		if g := m.Group(a.Group); g != nil {
			ma.Kind = g.Kind(a.Kind)
		}
		m.AdmissionPlugins = append(m.AdmissionPlugins, ma)
	}
	return m
}

// Group returns the group with the short name, or nil.
func (m *Project) Group(name string) *Group {
	for _, g := range m.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// Kinds returns every kind of the project, group by group.
func (m *Project) Kinds() []*Kind {
	var out []*Kind
	for _, g := range m.Groups {
		out = append(out, g.Kinds...)
	}
	return out
}

// ImportPath is the Go import path of a package of the project (rel is slash-separated).
func (m *Project) ImportPath(rel string) string { return path.Join(m.Module, rel) }

// EtcdPrefix is where the apiserver keeps its objects in etcd.
func (m *Project) EtcdPrefix() string { return "/registry/" + m.Name + "." + m.Domain }

// HasScale reports whether a kind has a scale subresource (autoscaling/v1
// Scale must then be known to the scheme and to OpenAPI).
func (m *Project) HasScale() bool {
	for _, k := range m.Kinds() {
		for _, sr := range k.Spec.Subresources {
			if sr.Type == project.ScaleSubresource {
				return true
			}
		}
	}
	return false
}

// Version returns the version with the name, or nil.
func (g *Group) Version(name string) *Version {
	for _, v := range g.Versions {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Kind returns the kind with the name (case-insensitively), or nil.
func (g *Group) Kind(name string) *Kind {
	for _, k := range g.Kinds {
		if strings.EqualFold(k.Name, name) {
			return k
		}
	}
	return nil
}

// Dir is the internal types package: pkg/apis/<package>.
func (g *Group) Dir() string { return path.Join(APIsDir, g.Package) }

// ImportPath of the internal types package.
func (g *Group) ImportPath() string { return g.Project.ImportPath(g.Dir()) }

// SubDir is a package below the internal types: install, validation, fuzzer.
func (g *Group) SubDir(name string) string { return path.Join(g.Dir(), name) }

// RegistryDir holds the registry packages of the group's kinds.
func (g *Group) RegistryDir() string { return path.Join(RegistryDir, g.Package) }

// ControllerDir is the package of the group's controllers.
func (g *Group) ControllerDir() string { return path.Join(ControllerDir, g.Package) }

// ControllerAlias is the name cmd/manager imports the controllers as.
func (g *Group) ControllerAlias() string { return g.Package + "controller" }

// Dir is the versioned types package: pkg/apis/<group>/<version>.
func (v *Version) Dir() string { return path.Join(v.Group.Dir(), v.Name) }

// ImportPath of the versioned types package.
func (v *Version) ImportPath() string { return v.Group.Project.ImportPath(v.Dir()) }

// Alias is the name files that import several groups give the package (insectv1alpha1).
func (v *Version) Alias() string { return v.Group.Package + v.Name }

// ModelPackage is the OpenAPI model package of the version: the reverse-DNS
// form of its Go package (example.com/bees/pkg/apis/insect/v1 →
// com.example.bees.pkg.apis.insect.v1), as Kubernetes names its models.
func (v *Version) ModelPackage() string {
	host, rest, _ := strings.Cut(v.ImportPath(), "/")
	labels := strings.Split(host, ".")
	slices.Reverse(labels)
	return strings.Join(labels, ".") + "." + strings.ReplaceAll(rest, "/", ".")
}

// TypesFile is the kind's internal types file.
func (k *Kind) TypesFile() string { return path.Join(k.Group.Dir(), k.FileStem+"_types.go") }

// VersionFile is a file of the kind in a version's package, e.g.
// VersionFile("v1", "_types.go") → pkg/apis/insect/v1/bee_types.go.
func (k *Kind) VersionFile(version, suffix string) string {
	return path.Join(k.Group.Dir(), version, k.FileStem+suffix)
}

// GroupFile is a file of the kind in a package below the group (validation, fuzzer).
func (k *Kind) GroupFile(sub, suffix string) string {
	return path.Join(k.Group.SubDir(sub), k.FileStem+suffix)
}

// RegistryDir is the kind's registry package (storage, strategy, subresources).
func (k *Kind) RegistryDir() string { return path.Join(k.Group.RegistryDir(), k.Package) }

// The columns contract: a kind's `kubectl get` columns are the package-level
// variable ColumnsVar of its registry's StrategyFile, a composite literal of
// metav1.TableColumnDefinition whose Name and Description are string
// literals. The strategy template declares them so and build docs reads them
// from there (TestColumnsContract in internal/docs holds both to it); a user
// who computes them instead loses them from the reference, not from kubectl.
const (
	StrategyFile = "strategy.go"
	ColumnsVar   = "columns"
)

// KindTypeSuffixes name the Go identifiers besides itself (and its List) that
// a kind declares in its group's packages (templates/kind/types.go.tmpl):
// <Kind>Spec, <Kind>Status, the <Kind>UpdatePolicy enum and its constants. A
// new kind may not be named like one of another kind's.
var KindTypeSuffixes = []string{"Spec", "Status", "UpdatePolicy", "Recreate", "RollingUpdate"}

// RegistryFile is a file of the kind's registry package.
func (k *Kind) RegistryFile(name string) string { return path.Join(k.RegistryDir(), name) }

// RegistryAlias is the name pkg/apiserver imports the registry package as:
// <group><kind>, unless that reads like the group's install package or one
// of its versions (kinds Install, V1), which groups.go imports too.
func (k *Kind) RegistryAlias() string {
	if k.Package == "install" || names.ValidateVersion(k.Package) == nil {
		return k.Group.Package + k.Package + "registry"
	}
	return k.Group.Package + k.Package
}

// SampleFile is the kind's sample object.
func (k *Kind) SampleFile() string { return path.Join(SampleDir, k.FileStem+".yaml") }

// ControllerFile is a file of the kind's controller (suffix _controller.go, _controller_test.go).
func (k *Kind) ControllerFile(suffix string) string {
	return path.Join(k.Group.ControllerDir(), k.FileStem+suffix)
}

// SubresourceFile is a file of a subresource in the registry package (suffix .go or _test.go).
func (k *Kind) SubresourceFile(name, suffix string) string {
	return k.RegistryFile(strings.ReplaceAll(name, "-", "_") + suffix)
}

// FirstVersion is the version the kind was created in (its types are the model for new versions).
func (k *Kind) FirstVersion() *Version { return k.Versions[0] }

// Backends of the generated apiserver's generic registry (its --storage
// flag): etcd, or a SQL database through the kine it embeds.
const (
	BackendEtcd     = "etcd"
	BackendSQLite   = "sqlite"
	BackendPostgres = "postgres"
	BackendMySQL    = "mysql"
)

// ValidateBackend checks a --storage backend of the apiserver.
func ValidateBackend(backend string) error {
	switch backend {
	case BackendEtcd, BackendSQLite, BackendPostgres, BackendMySQL:
		return nil
	}
	return fmt.Errorf("unknown --storage %q: use etcd, sqlite, postgres or mysql", backend)
}

// SQLBackend reports whether the apiserver keeps objects in SQL through kine
// ("" is etcd, the default).
func SQLBackend(backend string) bool { return backend != "" && backend != BackendEtcd }
