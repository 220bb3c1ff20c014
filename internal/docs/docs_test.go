package docs

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/boilerplate"
	"github.com/apiserver-boot/apiserver-boot/internal/codegen"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

// The projects made here pin this checkout, as a development build's do.
func init() {
	release.SourceDir, _ = filepath.Abs("../..")
}

var update = flag.Bool("update", false, "rewrite testdata/golden")

// fixture scaffolds a project whose Bee type (testdata/bee_types.go.txt) has
// nested structs, a map, slices, an embedded struct, an enum, defaults and
// validation markers, next to the scaffolded cluster-scoped Hive.
func fixture(t *testing.T) (string, *model.Project) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bees")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	header, _ := boilerplate.Render("none", "", 2026)
	if _, err := workspace.Init(context.Background(), workspace.InitRequest{
		Dir: dir, Domain: "example.com", Module: "example.com/bees", License: "none", Boilerplate: header, Tidy: true,
	}, workspace.Options{}); err != nil {
		t.Fatal(err)
	}
	w, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []workspace.KindRequest{
		{Group: "insect", Version: "v1alpha1", Kind: "Bee", Namespaced: true, StatusSubresource: true, ShortNames: []string{"bz"}},
		{Group: "insect", Version: "v1alpha1", Kind: "Hive", StatusSubresource: true},
	} {
		if _, err := w.AddKind(context.Background(), k, workspace.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	types, err := os.ReadFile("testdata/bee_types.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pkg/apis/insect/v1alpha1/bee_types.go"), types, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, model.New(w.Project)
}

func buildFixture(dir string, p *model.Project) ([]*GroupVersion, error) {
	universe, err := codegen.Load(dir, p)
	if err != nil {
		return nil, err
	}
	return Build(dir, p, universe)
}

func TestGoldenMarkdown(t *testing.T) {
	dir, p := fixture(t)
	gvs, err := buildFixture(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render("bees", gvs, Markdown)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range files {
		golden := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if string(want) != string(got) {
			t.Errorf("%s differs from %s (run with -update to accept):\n%s", name, golden, got)
		}
	}

	md := string(files["insect.example.com_v1alpha1.md"])
	for _, want := range []string{
		"`owner`", // embedded struct, inlined
		"[[]Wing](#insect-example-com-v1alpha1-bee-wing)",                 // slice of a nested struct, linked
		"map[string]integer (int32)",                                      // map
		"[HiveReference](#insect-example-com-v1alpha1-bee-hivereference)", // pointer to a nested struct
		"one of `Drone`, `Queen`, `Worker`",                               // enum, in the constraints column
		"| `Worker` |",                                                    // default
		"`maxItems=4`",                                                    // a +k8s: tag, in the constraints column
		`visits \| made`,                                                  // a pipe in prose is escaped
		"**Scope:** Cluster",                                              // the cluster-scoped kind
		"/apis/insect.example.com/v1alpha1/hives/{name}",
		"[ObjectMeta](https://kubernetes.io/", // upstream type linked
		"string (date-time)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the reference lacks %q", want)
		}
	}
	for _, leak := range []string{"+optional", "+k8s:", "+enum", "+default", "+listType", "+genclient"} {
		if strings.Contains(md, leak) {
			t.Errorf("marker %q leaked into the prose", leak)
		}
	}
}

func TestWriteIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{"a.md": []byte("a\n"), "index.html": []byte("<html></html>\n")}
	first, err := Write(dir, "docs/reference", files)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(files) {
		t.Fatalf("first write: %d changes for %d files", len(first), len(files))
	}
	for _, c := range first {
		if c.Action != "create" {
			t.Fatalf("first write of %s: %s, want create", c.Path, c.Action)
		}
	}
	changes, err := Write(dir, "docs/reference", files)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != len(files) {
		t.Fatalf("second write: %d changes for %d files", len(changes), len(files))
	}
	for _, c := range changes {
		if c.Action != "unchanged" {
			t.Fatalf("re-writing the same docs changed %s (%s)", c.Path, c.Action)
		}
	}
}

// TestColumnsContract holds the strategy template and build docs to the
// columns contract (model.ColumnsVar in model.StrategyFile): the columns of
// a freshly scaffolded kind are read back as the template declares them.
func TestColumnsContract(t *testing.T) {
	dir, p := fixture(t)
	k := p.Groups[0].Kind("Bee")
	got := columns(filepath.Join(dir, k.RegistryFile(model.StrategyFile)))
	var names []string
	for _, c := range got {
		if c.Description == "" {
			t.Errorf("column %s has no description", c.Name)
		}
		names = append(names, c.Name)
	}
	if want := []string{"NAME", "REPLICAS", "READY", "AGE", "DESCRIPTION"}; !slices.Equal(names, want) {
		t.Fatalf("columns read from %s = %v, want %v", model.StrategyFile, names, want)
	}
}
