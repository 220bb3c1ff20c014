package model

import (
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// TestRecordedPackagesWin checks that Go package names come from PROJECT
// when recorded there (new projects), and that projects from before they
// were recorded keep the names they were created with, whatever the
// current naming rules say.
func TestRecordedPackagesWin(t *testing.T) {
	p := &project.Project{Layout: project.Layout, Domain: "example.com", Module: "example.com/bees"}
	p.AddGroup("storage") // a new group: the current rules apply and are recorded
	p.Groups = append(p.Groups, project.Group{Name: "bee-keeping", Versions: []project.Version{{Name: "v1", StorageVersion: true}},
		Kinds: []project.Kind{{Kind: "Runtime", Plural: "runtimes", Versions: []string{"v1"}}}}) // recorded by an older apiserver-boot
	m := New(p)
	if g := m.Group("storage"); g.Package != "storageapi" || g.Dir() != "pkg/apis/storageapi" || p.Group("storage").Package != "storageapi" {
		t.Errorf("new group storage: package %q, dir %q", g.Package, g.Dir())
	}
	legacy := m.Group("bee-keeping")
	if legacy.Package != "beekeeping" || legacy.GoName != "BeeKeeping" {
		t.Errorf("legacy group: package %q, Go name %q", legacy.Package, legacy.GoName)
	}
	k := legacy.Kinds[0]
	if k.Package != "runtime" || k.RegistryDir() != "pkg/registry/beekeeping/runtime" || k.Var != "runtimeObj" {
		t.Errorf("legacy kind: package %q, dir %q, var %q", k.Package, k.RegistryDir(), k.Var)
	}
	if got := k.VersionFile("v1", "_types.go"); got != "pkg/apis/beekeeping/v1/runtime_types.go" {
		t.Errorf("versioned types file: %s", got)
	}
	if got := legacy.Version("v1").ModelPackage(); got != "com.example.bees.pkg.apis.beekeeping.v1" {
		t.Errorf("model package: %s", got)
	}
}
