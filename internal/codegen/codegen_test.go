package codegen

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiserver-boot/apiserver-boot/boilerplate"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

// fixture scaffolds a small project: two groups, a namespaced kind with
// status, a cluster-scoped kind, and a kind with an irregular plural.
func fixture(t *testing.T) (string, *project.Project) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bees")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	header, err := boilerplate.Render("apache2", "The bees Authors", 2026)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := workspace.Init(context.Background(), workspace.InitRequest{
		Dir: dir, Domain: "example.com", Module: "example.com/bees", License: "apache2", Owner: "The bees Authors", Boilerplate: header, Tidy: true,
	}, workspace.Options{}); err != nil {
		t.Fatal(err)
	}
	w, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []workspace.KindRequest{
		{Group: "insect", Version: "v1alpha1", Kind: "Bee", Namespaced: true, StatusSubresource: true, Controller: true},
		{Group: "insect", Version: "v1alpha1", Kind: "Hive", StatusSubresource: true},
		{Group: "garden", Version: "v1", Kind: "Person", Namespaced: true},
	} {
		if _, err := w.AddKind(k, workspace.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := workspace.GoModTidy(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	return dir, w.Project
}

// TestMatchesUpstreamGenerators runs the upstream generator binaries (built
// from the same module versions) with the same command lines on a copy of
// the fixture, and requires the in-process output to be byte-identical.
func TestMatchesUpstreamGenerators(t *testing.T) {
	dir, p := fixture(t)
	upstream := filepath.Join(t.TempDir(), "bees")
	if err := os.CopyFS(upstream, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}

	res, err := Generate(Options{Dir: dir, Project: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) < 30 {
		t.Fatalf("only %d files generated", len(res.Written))
	}

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+"/",
		"k8s.io/code-generator/cmd/deepcopy-gen", "k8s.io/code-generator/cmd/defaulter-gen", "k8s.io/code-generator/cmd/conversion-gen",
		"k8s.io/code-generator/cmd/applyconfiguration-gen", "k8s.io/code-generator/cmd/client-gen", "k8s.io/code-generator/cmd/lister-gen",
		"k8s.io/code-generator/cmd/informer-gen", "k8s.io/kube-openapi/cmd/openapi-gen")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the upstream generators: %v\n%s", err, out)
	}
	for _, inv := range newInputs(upstream, p).invocations(filepath.Join(t.TempDir(), "report")) {
		cmd := exec.Command(filepath.Join(bin, inv.name), inv.argv...)
		cmd.Dir = upstream
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", inv.name, strings.Join(inv.argv, " "), err, out)
		}
	}

	ours, theirs := generatedFiles(t, dir), generatedFiles(t, upstream)
	for rel, content := range theirs {
		if got, ok := ours[rel]; !ok {
			t.Errorf("%s: written by the upstream generators, not by apiserver-boot", rel)
		} else if !bytes.Equal(got, content) {
			t.Errorf("%s differs from the upstream generators' output:\n%s", rel, firstDiff(content, got))
		}
	}
	for rel := range ours {
		if _, ok := theirs[rel]; !ok {
			t.Errorf("%s: written by apiserver-boot, not by the upstream generators", rel)
		}
	}
}

func generatedFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, err := existingGenerated(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, rel := range paths {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		out[rel] = data
	}
	return out
}

// TestRerunAndStaleFiles checks that an unchanged re-run rewrites nothing,
// that a changed input regenerates, that stale generated files are removed,
// and that Verify reports instead of writing.
func TestRerunAndStaleFiles(t *testing.T) {
	dir, p := fixture(t)
	if _, err := Generate(Options{Dir: dir, Project: p}); err != nil {
		t.Fatal(err)
	}
	deepcopy := filepath.Join(dir, "pkg/apis/insect/zz_generated.deepcopy.go")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(deepcopy, old, old); err != nil {
		t.Fatal(err)
	}

	res, err := Generate(Options{Dir: dir, Project: p})
	if err != nil || !res.UpToDate {
		t.Fatalf("second run: %+v %v, want up to date", res, err)
	}

	// A changed input (forget the stamp) regenerates but rewrites nothing that is the same.
	if err := os.Remove(filepath.Join(dir, stampPath)); err != nil {
		t.Fatal(err)
	}
	res, err = Generate(Options{Dir: dir, Project: p})
	if err != nil || len(res.Written) != 0 || res.UpToDate {
		t.Fatalf("regeneration without changes: %+v %v", res, err)
	}
	if info, _ := os.Stat(deepcopy); !info.ModTime().Equal(old) {
		t.Fatal("an unchanged generated file was rewritten")
	}

	// A left-over file of a removed kind, and an edited generated file.
	stale := filepath.Join(dir, "pkg/generated/listers/insect/v1alpha1/wasp.go")
	if err := os.WriteFile(stale, []byte("// Code generated by lister-gen. DO NOT EDIT.\n\npackage v1alpha1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "pkg/generated/listers/insect/v1alpha1/bee.go")
	original, _ := os.ReadFile(edited)
	if err := os.WriteFile(edited, append(original, "// edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Generate(Options{Dir: dir, Project: p, Verify: true})
	var staleErr *StaleError
	if !asStale(err, &staleErr) || len(staleErr.Paths) != 2 {
		t.Fatalf("verify: %v, want the two stale files", err)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Fatal("verify removed a file")
	}
	res, err = Generate(Options{Dir: dir, Project: p})
	if err != nil || len(res.Removed) != 1 || len(res.Written) != 1 {
		t.Fatalf("regeneration: %+v %v", res, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatal("the stale file is still there")
	}
	if now, _ := os.ReadFile(edited); !bytes.Equal(now, original) {
		t.Fatal("the edited file was not restored")
	}
	if _, err := Generate(Options{Dir: dir, Project: p, Verify: true}); err != nil {
		t.Fatalf("verify after regeneration: %v", err)
	}
}

func asStale(err error, target **StaleError) bool {
	s, ok := err.(*StaleError)
	*target = s
	return ok
}

// TestTypeErrorIsReported checks that a field of an undefined type is
// reported as file:line, instead of a generator exiting the process.
func TestTypeErrorIsReported(t *testing.T) {
	dir, p := fixture(t)
	types := filepath.Join(dir, "pkg/apis/insect/v1alpha1/bee_types.go")
	data, _ := os.ReadFile(types)
	if err := os.WriteFile(types, bytes.Replace(data, []byte("type BeeSpec struct {"), []byte("type BeeSpec struct {\n\tColor Colour `json:\"color\"`"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(Options{Dir: dir, Project: p})
	if err == nil || !strings.Contains(err.Error(), "pkg/apis/insect/v1alpha1/bee_types.go:") || !strings.Contains(err.Error(), "BeeSpec.Color has an undefined or invalid type") {
		t.Fatalf("got %v, want bee_types.go:<line>: BeeSpec.Color …", err)
	}
}

// TestSyntaxErrorIsReported checks that a user's syntax error comes back as file:line.
func TestSyntaxErrorIsReported(t *testing.T) {
	dir, p := fixture(t)
	types := filepath.Join(dir, "pkg/apis/insect/v1alpha1/bee_types.go")
	data, _ := os.ReadFile(types)
	if err := os.WriteFile(types, bytes.Replace(data, []byte("type BeeSpec struct {"), []byte("type BeeSpec struct {\n\tBroken int `json:\"broken\"\n"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(Options{Dir: dir, Project: p})
	if err == nil || !strings.Contains(err.Error(), "bee_types.go:") {
		t.Fatalf("got %v, want an error naming bee_types.go:<line>", err)
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) && i < len(gl); i++ {
		if wl[i] != gl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, wl[i], gl[i])
		}
	}
	return "(one is a prefix of the other)"
}
