package workspace

import (
	"context"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// TestReservedCoversTemplates scaffolds a project with every kind of file
// the templates make (status, controller, scale, connector, getter, a second
// version with a manual conversion) and requires every package name those
// files import to be one names.Reserved knows: a group package or a kind's
// variable of that name would otherwise shadow the import and not compile.
func TestReservedCoversTemplates(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := Init(ctx, InitRequest{Dir: dir, Domain: "example.com", Module: "example.com/bees", License: "none"}, Options{}); err != nil {
		t.Fatal(err)
	}
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddKind(ctx, KindRequest{Group: "insect", Version: "v1alpha1", Kind: "Bee", Namespaced: true, StatusSubresource: true, Controller: true}, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []KindRequest{
		{Group: "insect", Version: "v1alpha1", Kind: "Sighting", Namespaced: true, StatusSubresource: true, Store: project.StoreCustom},
		{Group: "insect", Version: "v1alpha1", Kind: "Usage", ReadOnly: true, Store: project.StoreCustom},
	} {
		if _, err := w.AddKind(ctx, k, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.AddAdmission(AdmissionRequest{Name: "BanDuplicates", Kind: "Bee", Mutating: true, Validating: true}, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, sr := range []SubresourceRequest{
		{Group: "insect", Kind: "Bee", Type: "scale"},
		{Group: "insect", Kind: "Bee", Type: "connector", Name: "logs"},
		{Group: "insect", Kind: "Bee", Type: "getter", Name: "view"},
	} {
		if _, err := w.AddSubresource(sr, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	rename, _ := ParseRename("Bee.spec.description=summary")
	if _, err := w.AddVersionToGroup("insect", "v1beta1", true, []Rename{rename}, Options{}); err != nil {
		t.Fatal(err)
	}

	files := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == ".apiserver-boot" {
			return filepath.SkipDir // the record repeats the tree
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		// The server's command, the custom storage package and apiservertest import no
		// group or kind package: nothing there can be shadowed.
		if d := filepath.ToSlash(filepath.Dir(rel)); d == model.ServerCmdDir || d == model.CustomStorageDir || d == model.APIServerTestDir {
			return nil
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(ip, "example.com/bees") {
				continue
			}
			name := path.Base(ip)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			if name != "_" && !names.Reserved(name) {
				t.Errorf("%s imports %q as %s, which names.Reserved does not know: add it to generatedIdents", rel, ip, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 40 {
		t.Fatalf("only %d Go files scaffolded", files)
	}
	if _, err := os.Stat(filepath.Join(dir, "pkg/registry/insect/bee/scale_test.go")); err != nil {
		t.Fatalf("the scale subresource's test was not scaffolded: %v", err)
	}
}
