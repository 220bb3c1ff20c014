package layout

import (
	"slices"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
)

// Funcs are the template functions of the project templates.
var Funcs = map[string]any{
	// pkg is the import path of one of the project's packages (model.ImportPath).
	"pkg": model.ImportPath,
	// structs lists, once each, the structs (Spec, Status) renames touch.
	"structs": func(rs []Rename) []string {
		var out []string
		for _, r := range rs {
			if !slices.Contains(out, r.Struct) {
				out = append(out, r.Struct)
			}
		}
		return out
	},
}

// RepoData is the input of the repository-level templates.
type RepoData struct {
	Module                   string
	Domain                   string
	Name                     string
	KubernetesVersion        string
	ControllerRuntimeVersion string
	GoVersion                string
	GoMinor                  string
	GolangciLintVersion      string
	BaseImage                string
	EtcdPrefix               string
	Boilerplate              string
	Groups                   []GroupData
	// HasScale is set when a kind has a scale subresource: autoscaling/v1
	// Scale must then be in the scheme.
	HasScale bool
	// BootTool is apiserver-boot's command package, pinned by Boot: the
	// release that scaffolded the project (PROJECT's apiserverBootVersion).
	BootTool, BootModule string
	Boot                 release.Pin
}

// GroupData is the input of the group-level templates.
type GroupData struct {
	Module    string
	Group     string // short name, e.g. insect
	Package   string // Go package name and directory, e.g. insect
	FullGroup string // insect.example.com
	// Versions in priority order (most preferred first), each with its kinds.
	Versions []VersionData
	Kinds    []KindData
}

// VersionData is the input of the version-level templates.
type VersionData struct {
	Module         string
	Package        string // the group's package
	GroupPackage   string // same as Package; named for templates ranging over versions
	FullGroup      string
	Version        string
	StorageVersion bool
	ModelPackage   string // OpenAPI model package, reverse-DNS of the Go package
	// GroupGoName names the group in generated clients when its name is not
	// an identifier (bee-keeping → BeeKeeping); empty otherwise.
	GroupGoName string
	Kinds       []KindData
}

// KindData is the input of the kind-level templates.
type KindData struct {
	Module    string
	Package   string // the group's package
	FullGroup string
	Version   string // the version the template is rendered for
	Kind      string
	// KindPackage is the registry package's name, Stem the kind's file names,
	// Var a local variable, RegistryAlias the registry package's import name.
	KindPackage   string
	Stem          string
	Var           string
	RegistryAlias string
	Plural        string
	Singular      string
	Namespaced    bool
	Status        bool
	Controller    bool
	// VersionAlias is the import alias of the version's package, ClientGroup
	// the clientset's accessor of the group and version (InsectV1alpha1),
	// PluralType the clients' name of the plural (Bees).
	VersionAlias, ClientGroup, PluralType string
	// Custom kinds are kept by a backend in backend.go, not the generic
	// registry; ReadOnly ones serve only get, list and watch.
	Custom, ReadOnly bool
	ShortNames       []string
	Categories       []string
	// Subresources besides status.
	Subresources []SubresourceData
}

// UpdatesThroughSubresource: the kind is updated through its status or scale
// subresource, whose updates are validated as updates of the kind itself
// (asMainResource, in subresources.go).
func (k KindData) UpdatesThroughSubresource() bool {
	return k.Status || slices.ContainsFunc(k.Subresources, func(s SubresourceData) bool { return s.Type == "scale" })
}

// SubresourceData describes a subresource for the templates.
type SubresourceData struct {
	Name, Type string
	GoName     string // Go name of its REST type, e.g. Scale for ScaleREST
	// For scale: the JSON paths and the Go expressions of the replicas fields.
	SpecPath, StatusPath string
	SpecExpr, StatusExpr string
}

// SubresourceFileData is the input of one subresource's template.
type SubresourceFileData struct {
	KindData
	Sub SubresourceData
}

func repoData(m *model.Project, boilerplate string) RepoData {
	d := RepoData{
		Module:                   m.Module,
		Domain:                   m.Domain,
		Name:                     m.Name,
		KubernetesVersion:        m.Spec.KubernetesVersion,
		ControllerRuntimeVersion: project.ControllerRuntimeVersion,
		GoVersion:                project.GoVersion,
		GoMinor:                  project.GoVersion[:strings.LastIndex(project.GoVersion, ".")],
		GolangciLintVersion:      project.GolangciLintVersion,
		BaseImage:                project.BaseImage,
		EtcdPrefix:               m.EtcdPrefix(),
		Boilerplate:              strings.TrimSpace(boilerplate),
		HasScale:                 m.HasScale(),
		BootTool:                 release.Tool,
		BootModule:               release.Module,
		Boot:                     release.PinFor(m.Spec.ApiserverBootVersion),
	}
	for _, g := range m.Groups {
		d.Groups = append(d.Groups, groupData(g))
	}
	return d
}

func groupData(g *model.Group) GroupData {
	d := GroupData{Module: g.Project.Module, Group: g.Name, Package: g.Package, FullGroup: g.Full}
	for _, k := range g.Kinds {
		d.Kinds = append(d.Kinds, kindData(k, k.FirstVersion()))
	}
	for _, v := range g.Versions {
		d.Versions = append(d.Versions, versionData(v))
	}
	return d
}

func versionData(v *model.Version) VersionData {
	g := v.Group
	d := VersionData{
		Module: g.Project.Module, Package: g.Package, GroupPackage: g.Package, FullGroup: g.Full,
		Version: v.Name, StorageVersion: v.IsStorageVersion, ModelPackage: v.ModelPackage(),
	}
	d.GroupGoName = g.GoName
	for _, k := range v.Kinds {
		d.Kinds = append(d.Kinds, kindData(k, v))
	}
	return d
}

func kindData(k *model.Kind, v *model.Version) KindData {
	g := k.Group
	return KindData{
		Module:        g.Project.Module,
		Package:       g.Package,
		FullGroup:     g.Full,
		Version:       v.Name,
		Kind:          k.Name,
		KindPackage:   k.Package,
		Stem:          k.FileStem,
		Var:           k.Var,
		RegistryAlias: k.RegistryAlias(),
		Plural:        k.Plural,
		Singular:      k.Singular,
		Namespaced:    k.Spec.Namespaced,
		Status:        k.Spec.StatusSubresource,
		Controller:    k.Spec.Controller,
		VersionAlias:  v.Alias(),
		ClientGroup:   clientGroup(g) + names.UpperCamel(v.Name),
		PluralType:    k.PluralType,
		Custom:        k.Spec.Custom(),
		ReadOnly:      k.Spec.ReadOnly,
		ShortNames:    k.Spec.ShortNames,
		Categories:    k.Spec.Categories,
		Subresources:  subresourceData(k.Spec),
	}
}

func subresourceData(k *project.Kind) []SubresourceData {
	var out []SubresourceData
	for _, sr := range k.Subresources {
		out = append(out, SubresourceData{
			Name: sr.Name, Type: sr.Type, GoName: names.UpperCamel(sr.Name),
			SpecPath: strings.TrimPrefix(sr.SpecReplicasPath, "."), StatusPath: strings.TrimPrefix(sr.StatusReplicasPath, "."),
			SpecExpr: GoExpr(sr.SpecReplicasPath), StatusExpr: GoExpr(sr.StatusReplicasPath),
		})
	}
	return out
}

// GoExpr turns a JSON path of the scaffolded types (.spec.replicas) into the
// Go selector of the same field (Spec.Replicas).
func GoExpr(path string) string {
	var parts []string
	for _, p := range strings.Split(strings.TrimPrefix(path, "."), ".") {
		if p != "" {
			parts = append(parts, names.UpperCamel(p))
		}
	}
	return strings.Join(parts, ".")
}

// AdmissionData is the input of an admission plugin's templates.
type AdmissionData struct {
	Module, Domain string
	// Name is the plugin's name, Package its Go package.
	Name, Package        string
	Mutating, Validating bool
	// The kind it acts on: its group's package, the version whose lister it
	// reads (and that version's import alias and Go name), and the names
	// the generated clients give the group and the kind's plural.
	GroupPackage, Version, VersionAlias, VersionGo string
	GroupGoName, PluralType, ClientGroup           string
	Kind, Plural, Singular                         string
	Namespaced                                     bool
}

// AdmissionListData is the input of pkg/admission/plugins.go.
type AdmissionListData struct {
	Module  string
	Plugins []AdmissionData
}

func admissionData(a *model.AdmissionPlugin) AdmissionData {
	k := a.Kind
	g, v := k.Group, k.FirstVersion()
	return AdmissionData{
		Module: g.Project.Module, Domain: g.Project.Domain,
		Name: a.Name, Package: a.Package, Mutating: a.Spec.Mutating, Validating: a.Spec.Validating,
		GroupPackage: g.Package, Version: v.Name, VersionAlias: v.Alias(), VersionGo: names.UpperCamel(v.Name),
		GroupGoName: clientGroup(g), PluralType: k.PluralType, ClientGroup: clientGroup(g) + names.UpperCamel(v.Name),
		Kind: k.Name, Plural: k.Plural, Singular: k.Singular, Namespaced: k.Spec.Namespaced,
	}
}

func admissionListData(m *model.Project) AdmissionListData {
	d := AdmissionListData{Module: m.Module}
	for _, a := range m.AdmissionPlugins {
		d.Plugins = append(d.Plugins, admissionData(a))
	}
	return d
}

// clientGroup is the name generated clients give a group (Insect, BeeKeeping).
func clientGroup(g *model.Group) string {
	if g.GoName != "" {
		return g.GoName
	}
	return names.UpperCamel(g.Name)
}
