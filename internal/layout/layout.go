// Package layout knows which files make up a generated project: for the
// repository, a group, a version and a kind, the list of files (template,
// path, data, if-exists action) and the insertions into files the user owns.
// Paths and names come from the resolved model; layout never touches the disk.
package layout

import (
	"fmt"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// Markers in cmd/manager/main.go where create inserts code.
const (
	markerImports     = "+apiserver-boot:scaffold:imports"
	markerScheme      = "+apiserver-boot:scaffold:scheme"
	markerAPIs        = "+apiserver-boot:scaffold:apis"
	markerControllers = "+apiserver-boot:scaffold:controllers"
)

// Repo returns the files init repo writes.
func Repo(m *model.Project, boilerplate string) []scaffold.File {
	d := repoData(m, boilerplate)
	files := []scaffold.File{
		{Path: "go.mod", Template: "repo/go.mod.tmpl", Data: d},
		{Path: "Makefile", Template: "repo/Makefile.tmpl", Data: d},
		{Path: "Dockerfile", Template: "repo/Dockerfile.tmpl", Data: d},
		{Path: ".dockerignore", Template: "repo/dockerignore.tmpl", Data: d},
		{Path: ".gitignore", Template: "repo/gitignore.tmpl", Data: d},
		{Path: ".golangci.yml", Template: "repo/golangci.yml.tmpl", Data: d},
		{Path: ".github/workflows/ci.yaml", Template: "repo/ci.yaml.tmpl", Data: d},
		{Path: "README.md", Template: "repo/README.md.tmpl", Data: d},
		{Path: model.APIServerMain, Template: "repo/main_apiserver.go.tmpl", Data: d},
		{Path: model.ManagerMain, Template: "repo/main_manager.go.tmpl", Data: d},
		{Path: model.ServerCmdDir + "/start.go", Template: "repo/start.go.tmpl", Data: d},
		{Path: model.ServerCmdDir + "/storage.go", Template: "repo/storage.go.tmpl", Data: d},
		{Path: model.ServerCmdDir + "/storage_test.go", Template: "repo/storage_test.go.tmpl", Data: d},
		{Path: model.ServerCmdDir + "/sqlite_cgo.go", Template: "repo/sqlite_cgo.go.tmpl", Data: d},
		{Path: model.ServerCmdDir + "/sqlite_nocgo.go", Template: "repo/sqlite_nocgo.go.tmpl", Data: d},
		{Path: model.APIServerDir + "/apiserver.go", Template: "repo/apiserver.go.tmpl", Data: d},
		{Path: model.APIServerDir + "/selfreviews.go", Template: "repo/selfreviews.go.tmpl", Data: d},
	}
	if d.Boilerplate != "" {
		files = append(files, scaffold.File{Path: model.BoilerplateFile, Template: "repo/boilerplate.go.txt.tmpl", Data: d})
	}
	return files
}

// Regenerated returns the files that list the project's groups, versions and
// kinds. They are rendered from PROJECT on every change, so re-running a
// command never duplicates an entry.
func Regenerated(m *model.Project) []scaffold.File {
	d := repoData(m, "")
	files := []scaffold.File{
		{Path: model.APIServerDir + "/groups.go", Template: "repo/groups.go.tmpl", Data: d, IfExists: scaffold.Overwrite},
		{Path: model.AdmissionDir + "/plugins.go", Template: "admission/plugins.go.tmpl", Data: admissionListData(m), IfExists: scaffold.Overwrite},
	}
	for i, g := range m.Groups {
		gd := d.Groups[i]
		files = append(files,
			scaffold.File{Path: g.Dir() + "/register.go", Template: "group/register.go.tmpl", Data: gd, IfExists: scaffold.Overwrite},
			scaffold.File{Path: g.SubDir("install") + "/install.go", Template: "group/install.go.tmpl", Data: gd, IfExists: scaffold.Overwrite},
		)
		for j, v := range g.Versions {
			files = append(files, scaffold.File{Path: v.Dir() + "/register.go", Template: "version/register.go.tmpl", Data: gd.Versions[j], IfExists: scaffold.Overwrite})
		}
		for j, k := range g.Kinds {
			if k.Spec.ReadOnly {
				continue // nothing to serve but the objects
			}
			files = append(files, scaffold.File{Path: k.RegistryFile("subresources.go"), Template: "kind/subresources.go.tmpl", Data: gd.Kinds[j], IfExists: scaffold.Overwrite})
		}
	}
	return files
}

// Subresource returns the file of a new subresource of a kind, and its test.
func Subresource(k *model.Kind, name string) []scaffold.File {
	d := SubresourceFileData{KindData: kindData(k, k.FirstVersion())}
	for _, sr := range d.Subresources {
		if sr.Name == name {
			d.Sub = sr
		}
	}
	return []scaffold.File{
		{Path: k.SubresourceFile(name, ".go"), Template: "kind/" + d.Sub.Type + ".go.tmpl", Data: d},
		{Path: k.SubresourceFile(name, "_test.go"), Template: "kind/" + d.Sub.Type + "_test.go.tmpl", Data: d},
	}
}

// Admission returns the files of a new admission plugin, and what every
// plugin is given (once per project).
func Admission(a *model.AdmissionPlugin) []scaffold.File {
	d := admissionData(a)
	return []scaffold.File{
		{Path: a.Dir() + "/admission.go", Template: "admission/plugin.go.tmpl", Data: d},
		{Path: a.Dir() + "/admission_test.go", Template: "admission/plugin_test.go.tmpl", Data: d},
		{Path: model.AdmissionDir + "/initializer/initializer.go", Template: "admission/initializer.go.tmpl", Data: d, IfExists: scaffold.Skip},
	}
}

// StatusSubresource returns the file of a kind's status subresource.
func StatusSubresource(k *model.Kind) scaffold.File {
	return scaffold.File{Path: k.RegistryFile("status.go"), Template: "kind/status.go.tmpl", Data: kindData(k, k.FirstVersion())}
}

// Group returns the files of a new group that the user owns once written.
func Group(g *model.Group) []scaffold.File {
	d := groupData(g)
	return []scaffold.File{
		{Path: g.Dir() + "/doc.go", Template: "group/doc.go.tmpl", Data: d, IfExists: scaffold.Skip},
		{Path: g.SubDir("fuzzer") + "/fuzzer.go", Template: "group/fuzzer.go.tmpl", Data: d, IfExists: scaffold.Skip},
		// What every group's round-trip test uses, once per project.
		{Path: model.RoundTripDir + "/roundtrip.go", Template: "shared/roundtrip.go.tmpl", Data: d, IfExists: scaffold.Skip},
	}
}

// Version returns the files of a new version that the user owns once written.
func Version(v *model.Version) []scaffold.File {
	d := versionData(v)
	return []scaffold.File{
		{Path: v.Dir() + "/doc.go", Template: "version/doc.go.tmpl", Data: d, IfExists: scaffold.Skip},
		{Path: v.Dir() + "/defaults.go", Template: "version/defaults.go.tmpl", Data: d, IfExists: scaffold.Skip},
	}
}

// Kind returns the files of a new kind and the code it adds to the manager.
func Kind(k *model.Kind) ([]scaffold.File, []scaffold.Insertion) {
	g, v := k.Group, k.FirstVersion()
	d := kindData(k, v)
	files := []scaffold.File{
		{Path: k.TypesFile(), Template: "kind/types_internal.go.tmpl", Data: d},
		{Path: k.GroupFile("validation", ".go"), Template: "kind/validation.go.tmpl", Data: d},
		{Path: k.GroupFile("validation", "_test.go"), Template: "kind/validation_test.go.tmpl", Data: d},
		{Path: k.GroupFile("fuzzer", ".go"), Template: "kind/fuzzer.go.tmpl", Data: d},
		{Path: k.RegistryFile("strategy.go"), Template: "kind/strategy.go.tmpl", Data: d},
		{Path: k.RegistryFile("strategy_test.go"), Template: "kind/strategy_test.go.tmpl", Data: d},
		{Path: k.SampleFile(), Template: "kind/sample.yaml.tmpl", Data: d},
		{Path: k.RegistryFile("integration_test.go"), Template: "kind/integration_test.go.tmpl", Data: d},
		// The in-process server the integration tests run, once per project.
		{Path: model.APIServerTestDir + "/apiservertest.go", Template: "shared/apiservertest.go.tmpl", Data: d, IfExists: scaffold.Skip},
		// The group's round-trip test comes with its first kind: without one it tests nothing.
		{Path: g.SubDir("install") + "/roundtrip_test.go", Template: "group/roundtrip_test.go.tmpl", Data: groupData(g), IfExists: scaffold.Skip},
	}
	if k.Spec.Custom() {
		files = append(files,
			scaffold.File{Path: k.RegistryFile("storage.go"), Template: "kind/storage_custom.go.tmpl", Data: d},
			scaffold.File{Path: k.RegistryFile("storage_test.go"), Template: "kind/storage_custom_test.go.tmpl", Data: d},
			scaffold.File{Path: k.RegistryFile("backend.go"), Template: "kind/backend.go.tmpl", Data: d},
		)
		// What every custom kind's storage uses, once per project.
		for _, name := range []string{"backend.go", "memory.go", "memory_test.go", "store.go"} {
			files = append(files, scaffold.File{Path: model.CustomStorageDir + "/" + name, Template: "shared/custom/" + name + ".tmpl", Data: d, IfExists: scaffold.Skip})
		}
	} else {
		files = append(files,
			scaffold.File{Path: k.RegistryFile("storage.go"), Template: "kind/storage.go.tmpl", Data: d},
			scaffold.File{Path: k.RegistryFile("storage_test.go"), Template: "kind/storage_test.go.tmpl", Data: d},
		)
	}
	for _, ver := range k.Versions {
		vd := kindData(k, ver)
		files = append(files,
			scaffold.File{Path: k.VersionFile(ver.Name, "_types.go"), Template: "kind/types.go.tmpl", Data: vd},
			scaffold.File{Path: k.VersionFile(ver.Name, "_defaults.go"), Template: "kind/defaults.go.tmpl", Data: vd},
		)
	}

	inserts := []scaffold.Insertion{
		{Path: model.ManagerMain, Marker: markerImports, Fragments: []string{fmt.Sprintf("%s %q", v.Alias(), v.ImportPath())}},
		{Path: model.ManagerMain, Marker: markerScheme, Fragments: []string{fmt.Sprintf("utilruntime.Must(%s.AddToScheme(scheme))", v.Alias())}},
		{Path: model.ManagerMain, Marker: markerAPIs, Fragments: []string{v.Alias() + ".SchemeGroupVersion,"}},
	}
	if k.Spec.StatusSubresource {
		files = append(files, StatusSubresource(k))
	}
	if k.Spec.Controller {
		files = append(files,
			scaffold.File{Path: k.ControllerFile("_controller.go"), Template: "kind/controller.go.tmpl", Data: d},
			scaffold.File{Path: k.ControllerFile("_controller_test.go"), Template: "kind/controller_test.go.tmpl", Data: d},
		)
		alias := g.ControllerAlias()
		inserts[0].Fragments = append(inserts[0].Fragments, fmt.Sprintf("%s %q", alias, g.Project.ImportPath(g.ControllerDir())))
		inserts = append(inserts, scaffold.Insertion{Path: model.ManagerMain, Marker: markerControllers, Fragments: []string{fmt.Sprintf(
			"if err := (&%s.%sReconciler{Client: mgr.GetClient(), Scheme: mgr.GetScheme()}).SetupWithManager(mgr); err != nil {\n\treturn fmt.Errorf(\"setting up the %s controller: %%w\", err)\n}",
			alias, k.Name, k.Name)}})
	}
	return files, inserts
}

// Project returns the PROJECT file itself as a file of the plan.
func Project(m *model.Project) (scaffold.File, error) {
	data, err := m.Spec.Marshal()
	if err != nil {
		return scaffold.File{}, err
	}
	return scaffold.File{Path: model.ProjectFile, Content: data, IfExists: scaffold.Overwrite}, nil
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
func Conversion(k *model.Kind, version *model.Version, renames []Rename) []scaffold.File {
	d := ConversionData{KindData: kindData(k, version), Renames: renames}
	return []scaffold.File{
		{Path: k.VersionFile(version.Name, "_conversion.go"), Template: "version/conversion.go.tmpl", Data: d},
		{Path: k.VersionFile(version.Name, "_conversion_test.go"), Template: "version/conversion_test.go.tmpl", Data: d},
	}
}

// KindPaths returns every path kind k has or can have: its files in each
// variant the create flags make (etcd or custom storage, read-only, with a
// status subresource, with a controller), the files regenerated for it, and
// those of its subresources. A new subresource's files must not land on one.
func KindPaths(k *model.Kind) map[string]bool {
	paths := map[string]bool{}
	spec := k.Group.Project.Spec
	for variant := range 16 {
		p := spec.Clone()
		pk := p.Group(k.Group.Spec.Name).Kind(k.Name)
		pk.Store = project.StoreRegistry
		if variant&1 != 0 {
			pk.Store = project.StoreCustom
			pk.ReadOnly = variant&2 != 0
		}
		pk.StatusSubresource = variant&4 != 0
		pk.Controller = variant&8 != 0
		m := model.New(p)
		mk := m.Group(k.Group.Spec.Name).Kind(k.Name)
		files, _ := Kind(mk)
		files = append(files, Regenerated(m)...)
		for _, sr := range mk.Spec.Subresources {
			files = append(files, Subresource(mk, sr.Name)...)
		}
		for _, f := range files {
			paths[f.Path] = true
		}
	}
	return paths
}
