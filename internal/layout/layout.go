// Package layout knows which files make up a generated project: for the
// repository, a group, a version and a kind, the list of files (template,
// path, data, if-exists action) and the insertions into files the user owns.
// It computes everything from the PROJECT model and never touches the disk.
package layout

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// BoilerplatePath is where a project keeps its license header.
const BoilerplatePath = "hack/boilerplate.go.txt"

// Markers in cmd/manager/main.go where create inserts code.
const (
	managerPath       = "cmd/manager/main.go"
	markerImports     = "+apiserver-boot:scaffold:imports"
	markerScheme      = "+apiserver-boot:scaffold:scheme"
	markerAPIs        = "+apiserver-boot:scaffold:apis"
	markerControllers = "+apiserver-boot:scaffold:controllers"
)

// Funcs are the template functions of the project templates.
var Funcs = map[string]any{
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
	BaseImage                string
	EtcdPrefix               string
	Boilerplate              string
	Groups                   []GroupData
	// HasScale is set when a kind has a scale subresource: autoscaling/v1
	// Scale must then be in the scheme.
	HasScale bool
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
	Module       string
	Package      string // the group's package
	GroupPackage string // same as Package; named for templates ranging over versions
	FullGroup    string
	Version      string
	Storage      bool
	ModelPackage string // OpenAPI model package, reverse-DNS of the Go package
	Kinds        []KindData
}

// KindData is the input of the kind-level templates.
type KindData struct {
	Module      string
	Package     string // the group's package
	FullGroup   string
	Version     string // the version the template is rendered for
	Kind        string
	KindPackage string // registry package, e.g. bee
	Lower       string // lowerCamel variable name
	Plural      string
	Singular    string
	Namespaced  bool
	Status      bool
	Controller  bool
	ShortNames  []string
	Categories  []string
	// Subresources besides status.
	Subresources []SubresourceData
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

func repoData(p *project.Project, boilerplate string) RepoData {
	d := RepoData{
		Module:                   p.Module,
		Domain:                   p.Domain,
		Name:                     names.ProjectName(p.Module),
		KubernetesVersion:        p.KubernetesVersion,
		ControllerRuntimeVersion: project.ControllerRuntimeVersion,
		GoVersion:                project.GoVersion,
		GoMinor:                  project.GoVersion[:strings.LastIndex(project.GoVersion, ".")],
		BaseImage:                project.BaseImage,
		EtcdPrefix:               "/registry/" + names.ProjectName(p.Module) + "." + p.Domain,
		Boilerplate:              strings.TrimSpace(boilerplate),
	}
	for i := range p.Groups {
		d.Groups = append(d.Groups, groupData(p, &p.Groups[i]))
		for _, k := range p.Groups[i].Kinds {
			for _, sr := range k.Subresources {
				d.HasScale = d.HasScale || sr.Type == project.ScaleSubresource
			}
		}
	}
	return d
}

func groupData(p *project.Project, g *project.Group) GroupData {
	d := GroupData{
		Module:    p.Module,
		Group:     g.Name,
		Package:   names.GroupPackage(g.Name),
		FullGroup: p.FullGroup(g),
	}
	for _, k := range g.Kinds {
		d.Kinds = append(d.Kinds, kindData(p, g, &k, k.Versions[0]))
	}
	for _, v := range g.VersionsByPriority() {
		d.Versions = append(d.Versions, versionData(p, g, v))
	}
	return d
}

func versionData(p *project.Project, g *project.Group, v string) VersionData {
	pkg := names.GroupPackage(g.Name)
	d := VersionData{
		Module:       p.Module,
		Package:      pkg,
		GroupPackage: pkg,
		FullGroup:    p.FullGroup(g),
		Version:      v,
		Storage:      g.StorageVersion() == v,
		ModelPackage: modelPackage(p.Module + "/pkg/apis/" + pkg + "/" + v),
	}
	for _, k := range g.KindsIn(v) {
		d.Kinds = append(d.Kinds, kindData(p, g, &k, v))
	}
	return d
}

func kindData(p *project.Project, g *project.Group, k *project.Kind, v string) KindData {
	return KindData{
		Module:       p.Module,
		Package:      names.GroupPackage(g.Name),
		FullGroup:    p.FullGroup(g),
		Version:      v,
		Kind:         k.Kind,
		KindPackage:  names.KindPackage(k.Kind),
		Lower:        names.LowerCamel(k.Kind),
		Plural:       k.Plural,
		Singular:     names.Singular(k.Kind),
		Namespaced:   k.Namespaced,
		Status:       k.StatusSubresource,
		Controller:   k.Controller,
		ShortNames:   k.ShortNames,
		Categories:   k.Categories,
		Subresources: subresourceData(k),
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

// modelPackage turns a Go package path into the reverse-DNS OpenAPI model
// package the Kubernetes convention uses: example.com/bees/pkg/apis/insect/v1
// becomes com.example.bees.pkg.apis.insect.v1.
func modelPackage(goPkg string) string {
	host, rest, _ := strings.Cut(goPkg, "/")
	labels := strings.Split(host, ".")
	slices.Reverse(labels)
	return strings.Join(labels, ".") + "." + strings.ReplaceAll(rest, "/", ".")
}

// Repo returns the files init repo writes.
func Repo(p *project.Project, boilerplate string) []scaffold.File {
	d := repoData(p, boilerplate)
	files := []scaffold.File{
		{Path: "go.mod", Template: "repo/go.mod.tmpl", Data: d},
		{Path: "Makefile", Template: "repo/Makefile.tmpl", Data: d},
		{Path: "Dockerfile", Template: "repo/Dockerfile.tmpl", Data: d},
		{Path: ".dockerignore", Template: "repo/dockerignore.tmpl", Data: d},
		{Path: ".gitignore", Template: "repo/gitignore.tmpl", Data: d},
		{Path: "README.md", Template: "repo/README.md.tmpl", Data: d},
		{Path: "cmd/apiserver/main.go", Template: "repo/main_apiserver.go.tmpl", Data: d},
		{Path: managerPath, Template: "repo/main_manager.go.tmpl", Data: d},
		{Path: "pkg/cmd/server/start.go", Template: "repo/start.go.tmpl", Data: d},
		{Path: "pkg/apiserver/apiserver.go", Template: "repo/apiserver.go.tmpl", Data: d},
	}
	if d.Boilerplate != "" {
		files = append(files, scaffold.File{Path: BoilerplatePath, Template: "repo/boilerplate.go.txt.tmpl", Data: d})
	}
	return files
}

// Regenerated returns the files that list the project's groups, versions and
// kinds. They are rendered from PROJECT on every change, so re-running a
// command never duplicates an entry.
func Regenerated(p *project.Project) []scaffold.File {
	d := repoData(p, "")
	files := []scaffold.File{
		{Path: "pkg/apiserver/groups.go", Template: "repo/groups.go.tmpl", Data: d, IfExists: scaffold.Overwrite},
	}
	for _, g := range d.Groups {
		dir := "pkg/apis/" + g.Package
		files = append(files,
			scaffold.File{Path: dir + "/register.go", Template: "group/register.go.tmpl", Data: g, IfExists: scaffold.Overwrite},
			scaffold.File{Path: dir + "/install/install.go", Template: "group/install.go.tmpl", Data: g, IfExists: scaffold.Overwrite},
		)
		for _, v := range g.Versions {
			files = append(files, scaffold.File{Path: dir + "/" + v.Version + "/register.go", Template: "version/register.go.tmpl", Data: v, IfExists: scaffold.Overwrite})
		}
		for _, k := range g.Kinds {
			files = append(files, scaffold.File{Path: "pkg/registry/" + k.Package + "/" + k.KindPackage + "/subresources.go", Template: "kind/subresources.go.tmpl", Data: k, IfExists: scaffold.Overwrite})
		}
	}
	return files
}

// Subresource returns the file of a new subresource of a kind.
func Subresource(p *project.Project, groupName, kindName, name string) scaffold.File {
	g := p.Group(groupName)
	k := g.Kind(kindName)
	d := SubresourceFileData{KindData: kindData(p, g, k, k.Versions[0])}
	for _, sr := range d.Subresources {
		if sr.Name == name {
			d.Sub = sr
		}
	}
	return scaffold.File{
		Path:     "pkg/registry/" + d.Package + "/" + d.KindPackage + "/" + strings.ReplaceAll(name, "-", "_") + ".go",
		Template: "kind/" + d.Sub.Type + ".go.tmpl",
		Data:     d,
	}
}

// StatusSubresource returns the file of a kind's status subresource.
func StatusSubresource(p *project.Project, groupName, kindName string) scaffold.File {
	g := p.Group(groupName)
	k := g.Kind(kindName)
	d := kindData(p, g, k, k.Versions[0])
	return scaffold.File{Path: "pkg/registry/" + d.Package + "/" + d.KindPackage + "/status.go", Template: "kind/status.go.tmpl", Data: d}
}

// Group returns the files of a new group that the user owns once written.
func Group(p *project.Project, groupName string) []scaffold.File {
	g := groupData(p, p.Group(groupName))
	dir := "pkg/apis/" + g.Package
	return []scaffold.File{
		{Path: dir + "/doc.go", Template: "group/doc.go.tmpl", Data: g, IfExists: scaffold.Skip},
		{Path: dir + "/fuzzer/fuzzer.go", Template: "group/fuzzer.go.tmpl", Data: g, IfExists: scaffold.Skip},
	}
}

// Version returns the files of a new version that the user owns once written.
func Version(p *project.Project, groupName, versionName string) []scaffold.File {
	g := p.Group(groupName)
	v := versionData(p, g, versionName)
	dir := "pkg/apis/" + v.Package + "/" + v.Version
	return []scaffold.File{
		{Path: dir + "/doc.go", Template: "version/doc.go.tmpl", Data: v, IfExists: scaffold.Skip},
		{Path: dir + "/defaults.go", Template: "version/defaults.go.tmpl", Data: v, IfExists: scaffold.Skip},
	}
}

// Kind returns the files of a new kind and the code it adds to the manager.
func Kind(p *project.Project, groupName, kindName string) ([]scaffold.File, []scaffold.Insertion) {
	g := p.Group(groupName)
	k := g.Kind(kindName)
	v := k.Versions[0]
	d := kindData(p, g, k, v)
	apis := "pkg/apis/" + d.Package
	registry := "pkg/registry/" + d.Package + "/" + d.KindPackage
	files := []scaffold.File{
		{Path: apis + "/" + d.KindPackage + "_types.go", Template: "kind/types_internal.go.tmpl", Data: d},
		{Path: apis + "/validation/" + d.KindPackage + ".go", Template: "kind/validation.go.tmpl", Data: d},
		{Path: apis + "/validation/" + d.KindPackage + "_test.go", Template: "kind/validation_test.go.tmpl", Data: d},
		{Path: apis + "/fuzzer/" + d.KindPackage + ".go", Template: "kind/fuzzer.go.tmpl", Data: d},
		{Path: registry + "/strategy.go", Template: "kind/strategy.go.tmpl", Data: d},
		{Path: registry + "/strategy_test.go", Template: "kind/strategy_test.go.tmpl", Data: d},
		{Path: registry + "/storage.go", Template: "kind/storage.go.tmpl", Data: d},
		{Path: registry + "/storage_test.go", Template: "kind/storage_test.go.tmpl", Data: d},
		{Path: "sample/" + d.KindPackage + ".yaml", Template: "kind/sample.yaml.tmpl", Data: d},
		// The group's round-trip test comes with its first kind: without one it tests nothing.
		{Path: apis + "/install/roundtrip_test.go", Template: "group/roundtrip_test.go.tmpl", Data: groupData(p, g), IfExists: scaffold.Skip},
	}
	for _, ver := range k.Versions {
		vd := kindData(p, g, k, ver)
		files = append(files,
			scaffold.File{Path: apis + "/" + ver + "/" + d.KindPackage + "_types.go", Template: "kind/types.go.tmpl", Data: vd},
			scaffold.File{Path: apis + "/" + ver + "/" + d.KindPackage + "_defaults.go", Template: "kind/defaults.go.tmpl", Data: vd},
		)
	}

	alias := d.Package + v
	inserts := []scaffold.Insertion{
		{Path: managerPath, Marker: markerImports, Fragments: []string{fmt.Sprintf("%s %q", alias, path.Join(p.Module, apis, v))}},
		{Path: managerPath, Marker: markerScheme, Fragments: []string{fmt.Sprintf("utilruntime.Must(%s.AddToScheme(scheme))", alias)}},
		{Path: managerPath, Marker: markerAPIs, Fragments: []string{alias + ".SchemeGroupVersion,"}},
	}
	if k.StatusSubresource {
		files = append(files, StatusSubresource(p, groupName, kindName))
	}
	if k.Controller {
		controllerDir := "pkg/controller/" + d.Package
		files = append(files,
			scaffold.File{Path: controllerDir + "/" + d.KindPackage + "_controller.go", Template: "kind/controller.go.tmpl", Data: d},
			scaffold.File{Path: controllerDir + "/" + d.KindPackage + "_controller_test.go", Template: "kind/controller_test.go.tmpl", Data: d},
		)
		ctrlAlias := d.Package + "controller"
		inserts[0].Fragments = append(inserts[0].Fragments, fmt.Sprintf("%s %q", ctrlAlias, path.Join(p.Module, controllerDir)))
		inserts = append(inserts, scaffold.Insertion{Path: managerPath, Marker: markerControllers, Fragments: []string{fmt.Sprintf(
			"if err := (&%s.%sReconciler{Client: mgr.GetClient(), Scheme: mgr.GetScheme()}).SetupWithManager(mgr); err != nil {\n\treturn fmt.Errorf(\"setting up the %s controller: %%w\", err)\n}",
			ctrlAlias, d.Kind, d.Kind)}})
	}
	return files, inserts
}

// Project returns the PROJECT file itself as a file of the plan.
func Project(p *project.Project) (scaffold.File, error) {
	data, err := p.Marshal()
	if err != nil {
		return scaffold.File{}, err
	}
	return scaffold.File{Path: project.FileName, Content: data, IfExists: scaffold.Overwrite}, nil
}

// Rename is a field renamed in a new version, by Go name, in the kind's
// Spec or Status struct.
type Rename struct {
	Struct, FromGo, ToGo string
}

// ConversionData is the input of the manual conversion templates.
type ConversionData struct {
	KindData
	Renames []Rename
}

// Conversion returns the manual conversion of a kind whose fields were
// renamed in version, and its test.
func Conversion(p *project.Project, groupName, version, kindName string, renames []Rename) []scaffold.File {
	g := p.Group(groupName)
	k := g.Kind(kindName)
	d := ConversionData{KindData: kindData(p, g, k, version), Renames: renames}
	dir := "pkg/apis/" + d.Package + "/" + version + "/" + d.KindPackage
	return []scaffold.File{
		{Path: dir + "_conversion.go", Template: "version/conversion.go.tmpl", Data: d},
		{Path: dir + "_conversion_test.go", Template: "version/conversion_test.go.tmpl", Data: d},
	}
}
