package codegen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiserver-boot/apiserver-boot/boilerplate"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/pkgdriver"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/toolshim"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

// The projects made here pin this checkout, as a development build's do.
func init() {
	release.SourceDir, _ = filepath.Abs("../..")
}

// TestMain lets the test binary answer as the package load's driver, as the
// apiserver-boot binary does, so that these tests load the way users' runs do.
func TestMain(m *testing.M) {
	// go-to-protobuf's child and its protoc and goimports are this binary.
	if shim, code := toolshim.Serve(); shim {
		os.Exit(code)
	}
	if driver, err := pkgdriver.Serve(); driver {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fixture scaffolds a small project: two groups, a namespaced kind with
// status, a cluster-scoped kind, and a kind with an irregular plural.
func fixture(t *testing.T) (string, *model.Project) {
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
		if _, err := w.AddKind(context.Background(), k, workspace.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	useForeignTypes(t, dir)
	if err := workspace.GoModTidy(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	return dir, model.New(w.Project)
}

// useForeignTypes edits Bee the way real APIs look: fields of types from
// k8s.io/api and apimachinery's intstr, and of a shared package of the
// project, in the internal and the versioned types alike.
func useForeignTypes(t *testing.T, dir string) {
	t.Helper()
	imports := "import (\n\tcorev1 \"k8s.io/api/core/v1\"\n\t\"k8s.io/apimachinery/pkg/util/intstr\"\n\n\t\"example.com/bees/pkg/shared/placement\"\n"
	for file, fields := range map[string]string{
		"pkg/apis/insect/bee_types.go":          "\tPort      intstr.IntOrString\n\tResources corev1.ResourceRequirements\n\tPlacement *placement.Placement\n",
		"pkg/apis/insect/v1alpha1/bee_types.go": "\tPort      intstr.IntOrString          `json:\"port,omitempty\"`\n\tResources corev1.ResourceRequirements `json:\"resources,omitempty\"`\n\tPlacement *placement.Placement        `json:\"placement,omitempty\"`\n",
	} {
		path := filepath.Join(dir, file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.Replace(data, []byte("import (\n"), []byte(imports), 1)
		data = bytes.Replace(data, []byte("type BeeSpec struct {\n"), []byte("type BeeSpec struct {\n"+fields), 1)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shared := filepath.Join(dir, "pkg/shared/placement")
	if err := os.MkdirAll(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(shared, "doc.go"), "// +k8s:deepcopy-gen=package\n// +k8s:openapi-gen=true\n// +k8s:openapi-model-package=com.example.bees.pkg.shared.placement\n\npackage placement\n")
	writeTestFile(t, filepath.Join(shared, "types.go"), "package placement\n\n// Placement says where replicas run.\ntype Placement struct {\n\t// Zones to spread over.\n\tZones []string `json:\"zones,omitempty\"`\n}\n")
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// freshDeclarationCache makes the load write its copies of dependencies anew
// (they live under the user cache directory), keeping Go's build cache.
func freshDeclarationCache(t *testing.T) {
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(out)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
}

// TestMatchesUpstreamGenerators runs the upstream generator binaries (built
// from the same module versions) with the same command lines on a copy of
// the fixture, and requires the in-process output to be byte-identical. The
// in-process load reads dependencies without function bodies (pkgdriver), as
// apiserver-boot's does; the upstream binaries read them whole.
func TestMatchesUpstreamGenerators(t *testing.T) {
	if pkgdriver.Environ() == nil {
		t.Fatal("the load would not go through the package driver")
	}
	freshDeclarationCache(t)
	dir, p := fixture(t)
	upstream := filepath.Join(t.TempDir(), "bees")
	if err := os.CopyFS(upstream, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	// go-to-protobuf copies comments into the IDL: it runs on the sources as
	// written, without the derived lines (see below).
	plain := filepath.Join(t.TempDir(), "bees")
	if err := os.CopyFS(plain, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}

	res, err := Generate(Options{Dir: dir, Project: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) < 30 {
		t.Fatalf("only %d files generated", len(res.Written))
	}

	// The lines apiserver-boot gives the generators (validation-gen's and the
	// OpenAPI bridge's), written into the upstream copy's sources: upstream's
	// output on them must be ours.
	written, err := WriteDerivedMarkers(Options{Dir: upstream, Project: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(written) < 5 || !slices.Contains(written, "example.com/bees/pkg/apis/insect/v1alpha1.BeeSpec.Replicas: +k8s:validation:minimum=0") {
		t.Fatalf("derived lines: %v", written)
	}
	// Derived lines derive nothing more (bench/codegen.sh times both sides on such sources).
	if again, err := WriteDerivedMarkers(Options{Dir: upstream, Project: p}); err != nil || len(again) != 0 {
		t.Fatalf("a second derivation: %v %v", again, err)
	}

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+"/",
		"k8s.io/code-generator/cmd/deepcopy-gen", "k8s.io/code-generator/cmd/defaulter-gen", "k8s.io/code-generator/cmd/conversion-gen",
		"k8s.io/code-generator/cmd/applyconfiguration-gen", "k8s.io/code-generator/cmd/client-gen", "k8s.io/code-generator/cmd/lister-gen",
		"k8s.io/code-generator/cmd/informer-gen", "k8s.io/code-generator/cmd/validation-gen", "k8s.io/kube-openapi/cmd/openapi-gen",
		"k8s.io/code-generator/cmd/go-to-protobuf", "k8s.io/code-generator/cmd/go-to-protobuf/protoc-gen-gogo")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the upstream generators: %v\n%s", err, out)
	}
	// goimports at the x/tools version apiserver-boot links (its command
	// needs modules apiserver-boot does not).
	tools, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "golang.org/x/tools").Output()
	if err != nil {
		t.Fatal(err)
	}
	install := exec.Command("go", "install", "golang.org/x/tools/cmd/goimports@"+strings.TrimSpace(string(tools)))
	install.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("building goimports: %v\n%s", err, out)
	}
	// go-to-protobuf runs protoc (with protoc-gen-gogo), goimports and gofmt
	// from PATH, on a GOPATH-shaped tree.
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		t.Fatal("protoc is not installed (Debian: protobuf-compiler); the upstream go-to-protobuf needs it")
	}
	system := t.TempDir()
	for _, name := range []string{protoc, "gofmt", "go"} {
		tool, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(tool, filepath.Join(system, filepath.Base(tool))); err != nil {
			t.Fatal(err)
		}
	}
	root := t.TempDir()
	if err := LinkProtoRoot(root, plain, p.Module); err != nil {
		t.Fatal(err)
	}
	for _, inv := range wantInvocations(upstream, filepath.Join(t.TempDir(), "report")) {
		cmd := exec.Command(filepath.Join(bin, inv.name), inv.argv...)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+system)
		cmd.Dir = upstream
		if inv.name == "go-to-protobuf" {
			// The other generators' output, then go-to-protobuf on the plain sources.
			for rel, content := range generatedFiles(t, upstream) {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(plain, rel)), 0o755); err != nil {
					t.Fatal(err)
				}
				writeTestFile(t, filepath.Join(plain, rel), string(content))
			}
			for i, a := range inv.argv {
				inv.argv[i] = strings.ReplaceAll(strings.ReplaceAll(a, ProtoRoot, root), upstream, plain)
			}
			cmd = exec.Command(filepath.Join(bin, inv.name), inv.argv...)
			cmd.Env = append(os.Environ(), "PATH="+bin+":"+system)
			cmd.Dir = plain
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", inv.name, strings.Join(inv.argv, " "), err, out)
		}
	}

	// The protobuf struct tags land in the types as upstream puts them.
	for _, root := range []string{"pkg/apis", "pkg/shared"} {
		err := filepath.WalkDir(filepath.Join(plain, root), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			rel, _ := filepath.Rel(plain, path)
			want, _ := os.ReadFile(path)
			got, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Errorf("%s: %v", rel, err)
			} else if !bytes.Equal(got, want) {
				t.Errorf("%s differs from upstream's:\n%s", rel, firstDiff(want, got))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "pkg/apis/insect/v1alpha1/bee_types.go")); err != nil || !bytes.Contains(data, []byte(`protobuf:"bytes,2,opt,name=spec"`)) {
		t.Errorf("Bee's spec has no protobuf tag (%v)", err)
	}

	ours, theirs := generatedFiles(t, dir), generatedFiles(t, plain)
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
	paths, err := existingGenerated(dir, nil)
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

	// A changed input regenerates, but rewrites nothing whose content is the
	// same: a comment at the end of an API file changes no generated file.
	appendTo := func(rel, text string) {
		f, err := os.OpenFile(filepath.Join(dir, rel), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(text); err != nil {
			t.Fatal(err)
		}
	}
	appendTo("pkg/apis/insect/v1alpha1/bee_types.go", "\n// A note that changes nothing generated.\n")
	res, err = Generate(Options{Dir: dir, Project: p})
	if err != nil || len(res.Written) != 0 || res.UpToDate {
		t.Fatalf("regeneration after an input changed: %+v %v, want a run that writes nothing", res, err)
	}
	if info, _ := os.Stat(deepcopy); !info.ModTime().Equal(old) {
		t.Fatal("an unchanged generated file was rewritten")
	}
	// The shared package the API uses is an input too (it lives outside pkg/apis).
	appendTo("pkg/shared/placement/types.go", "\n// Spread is a second shared type.\ntype Spread struct {\n\tMaxSkew int32 `json:\"maxSkew\"`\n}\n")
	res, err = Generate(Options{Dir: dir, Project: p})
	if err != nil || res.UpToDate || !slices.Contains(res.Written, "pkg/shared/placement/zz_generated.deepcopy.go") {
		t.Fatalf("after a shared package changed: %+v %v, want its deep-copy functions regenerated", res, err)
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

// wantInvocations are the generator command lines for the fixture, written
// out here rather than taken from the code under test, so that a wrong or
// missing flag or package is caught. They are kube_codegen.sh's, plus what
// the API reaches: core/v1 and intstr (read-only, in the module cache) and
// the project's shared package (deep-copied and described too).
func wantInvocations(dir, report string) []invocation {
	return []invocation{
		{"deepcopy-gen", []string{"--output-file", "zz_generated.deepcopy.go", "--go-header-file", dir + "/hack/boilerplate.go.txt", "example.com/bees/pkg/apis/garden", "example.com/bees/pkg/apis/garden/v1", "example.com/bees/pkg/apis/insect", "example.com/bees/pkg/apis/insect/v1alpha1", "example.com/bees/pkg/shared/placement"}},
		{"validation-gen", []string{"--output-file", "zz_generated.validations.go", "--readonly-pkg", "k8s.io/apimachinery/pkg/api/resource", "--readonly-pkg", "k8s.io/apimachinery/pkg/runtime", "--readonly-pkg", "k8s.io/apimachinery/pkg/types", "--readonly-pkg", "k8s.io/apimachinery/pkg/util/intstr", "--readonly-pkg", "k8s.io/apimachinery/pkg/version", "--readonly-pkg", "time", "--go-header-file", dir + "/hack/boilerplate.go.txt", "example.com/bees/pkg/apis/garden/v1", "example.com/bees/pkg/apis/insect/v1alpha1"}},
		{"defaulter-gen", []string{"--output-file", "zz_generated.defaults.go", "--go-header-file", dir + "/hack/boilerplate.go.txt", "example.com/bees/pkg/apis/garden/v1", "example.com/bees/pkg/apis/insect/v1alpha1"}},
		{"conversion-gen", []string{"--output-file", "zz_generated.conversion.go", "--go-header-file", dir + "/hack/boilerplate.go.txt", "example.com/bees/pkg/apis/garden/v1", "example.com/bees/pkg/apis/insect/v1alpha1"}},
		{"openapi-gen", []string{"--output-file", "zz_generated.openapi.go", "--go-header-file", dir + "/hack/boilerplate.go.txt", "--output-dir", dir + "/pkg/generated/openapi", "--output-pkg", "example.com/bees/pkg/generated/openapi", "--report-filename", report, "--output-model-name-file=zz_generated.model_name.go", "--readonly-pkg", "k8s.io/api/authentication/v1", "--readonly-pkg", "k8s.io/api/authorization/v1", "--readonly-pkg", "k8s.io/api/autoscaling/v1", "--readonly-pkg", "k8s.io/api/core/v1", "--readonly-pkg", "k8s.io/apimachinery/pkg/api/resource", "--readonly-pkg", "k8s.io/apimachinery/pkg/apis/meta/v1", "--readonly-pkg", "k8s.io/apimachinery/pkg/runtime", "--readonly-pkg", "k8s.io/apimachinery/pkg/types", "--readonly-pkg", "k8s.io/apimachinery/pkg/util/intstr", "--readonly-pkg", "k8s.io/apimachinery/pkg/version", "--readonly-pkg", "time", "k8s.io/apimachinery/pkg/apis/meta/v1", "k8s.io/apimachinery/pkg/runtime", "k8s.io/apimachinery/pkg/version", "k8s.io/apimachinery/pkg/api/resource", "example.com/bees/pkg/apis/garden/v1", "example.com/bees/pkg/apis/insect/v1alpha1", "example.com/bees/pkg/shared/placement", "k8s.io/api/authentication/v1", "k8s.io/api/authorization/v1", "k8s.io/api/core/v1", "k8s.io/apimachinery/pkg/util/intstr"}},
		{"applyconfiguration-gen", []string{"--go-header-file", dir + "/hack/boilerplate.go.txt", "--output-dir", dir + "/pkg/generated/applyconfiguration", "--output-pkg", "example.com/bees/pkg/generated/applyconfiguration", "--external-applyconfigurations", "k8s.io/api/core/v1.ResourceRequirements:k8s.io/client-go/applyconfigurations/core/v1", "--openapi-schema", "", "example.com/bees/pkg/apis/garden/v1", "example.com/bees/pkg/apis/insect/v1alpha1"}},
		{"client-gen", []string{"--go-header-file", dir + "/hack/boilerplate.go.txt", "--output-dir", dir + "/pkg/generated/clientset", "--output-pkg", "example.com/bees/pkg/generated/clientset", "--clientset-name", "versioned", "--apply-configuration-package", "example.com/bees/pkg/generated/applyconfiguration", "--input-base", "example.com/bees/pkg/apis", "--plural-exceptions", "Bee:Bees,Hive:Hives,Person:People", "--prefers-protobuf=true", "--input", "garden/v1", "--input", "insect/v1alpha1"}},
		{"lister-gen", []string{"--go-header-file", dir + "/hack/boilerplate.go.txt", "--output-dir", dir + "/pkg/generated/listers", "--output-pkg", "example.com/bees/pkg/generated/listers", "--plural-exceptions", "Bee:Bees,Hive:Hives,Person:People", "example.com/bees/pkg/apis/garden/v1", "example.com/bees/pkg/apis/insect/v1alpha1"}},
		{"informer-gen", []string{"--go-header-file", dir + "/hack/boilerplate.go.txt", "--output-dir", dir + "/pkg/generated/informers", "--output-pkg", "example.com/bees/pkg/generated/informers", "--versioned-clientset-package", "example.com/bees/pkg/generated/clientset/versioned", "--listers-package", "example.com/bees/pkg/generated/listers", "--plural-exceptions", "Bee:Bees,Hive:Hives,Person:People", "example.com/bees/pkg/apis/garden/v1", "example.com/bees/pkg/apis/insect/v1alpha1"}},
		{"go-to-protobuf", []string{"--go-header-file", dir + "/hack/boilerplate.go.txt", "--conditional", "!ignore_autogenerated", "--output-dir", "$PROTO_ROOT", "--proto-import", "$PROTO_ROOT",
			"--apimachinery-packages", "-k8s.io/api/core/v1,-k8s.io/apimachinery/pkg/api/resource,-k8s.io/apimachinery/pkg/apis/meta/v1,-k8s.io/apimachinery/pkg/runtime,-k8s.io/apimachinery/pkg/runtime/schema,-k8s.io/apimachinery/pkg/util/intstr",
			"--packages", "example.com/bees/pkg/apis/garden/v1,example.com/bees/pkg/apis/insect/v1alpha1,example.com/bees/pkg/shared/placement"}},
	}
}

// TestInvocationsArePinned requires the command lines apiserver-boot derives
// for the fixture (after computing what the API reaches) to be exactly the
// pinned ones that the upstream comparison runs.
func TestInvocationsArePinned(t *testing.T) {
	dir, p := fixture(t)
	commands, err := Commands(Options{Dir: dir, Project: p}, "report")
	if err != nil {
		t.Fatal(err)
	}
	var got []invocation
	for _, c := range commands {
		got = append(got, invocation{c[0], c[1:]})
	}
	want := wantInvocations(dir, "report")
	if len(got) != len(want) {
		t.Fatalf("%d invocations, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].name != want[i].name || !slices.Equal(got[i].argv, want[i].argv) {
			t.Errorf("invocation %d:\n got %s %q\nwant %s %q", i, got[i].name, got[i].argv, want[i].name, want[i].argv)
		}
	}
}

// TestAPIProblemsAreReported checks the two mistakes that used to surface
// only when the server ran or the project compiled: a field in the versioned
// type but not the internal one, and a type without OpenAPI definitions.
// Each is reported as file:line before anything is generated.
func TestAPIProblemsAreReported(t *testing.T) {
	dir, p := fixture(t)
	edit := func(rel, old, new string) func() {
		path := filepath.Join(dir, rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(old)) {
			t.Fatalf("%s lacks %q", rel, old)
		}
		writeTestFile(t, path, strings.Replace(string(data), old, new, 1))
		return func() { writeTestFile(t, path, string(data)) }
	}

	restore := edit("pkg/apis/insect/v1alpha1/bee_types.go", "type BeeSpec struct {\n", "type BeeSpec struct {\n\tColor string `json:\"color,omitempty\"`\n")
	_, err := Generate(Options{Dir: dir, Project: p})
	if err == nil || !strings.Contains(err.Error(), "pkg/apis/insect/v1alpha1/bee_types.go:") ||
		!strings.Contains(err.Error(), "field BeeSpec.Color is in the v1alpha1 type but not in the internal one") {
		t.Fatalf("a field missing from the internal type: got %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "pkg/apis/insect/zz_generated.deepcopy.go")); statErr == nil {
		t.Fatal("code was generated despite the error")
	}
	restore()

	restore = edit("pkg/apis/insect/bee_types.go", "type BeeSpec struct {\n", "type BeeSpec struct {\n\tSize int64\n")
	_, err = Generate(Options{Dir: dir, Project: p})
	if err == nil || !strings.Contains(err.Error(), "pkg/apis/insect/bee_types.go:") || !strings.Contains(err.Error(), "field BeeSpec.Size is in the internal type but not in the v1alpha1 one") {
		t.Fatalf("a field missing from the versioned type: got %v", err)
	}
	restore()

	restore = edit("pkg/shared/placement/doc.go", "// +k8s:openapi-gen=true\n", "")
	_, err = Generate(Options{Dir: dir, Project: p})
	if err == nil || !strings.Contains(err.Error(), "pkg/apis/insect/v1alpha1/bee_types.go:") ||
		!strings.Contains(err.Error(), "field BeeSpec.Placement uses example.com/bees/pkg/shared/placement.Placement, which has no OpenAPI definition") {
		t.Fatalf("a type without OpenAPI: got %v", err)
	}
	restore()

	if _, err := Generate(Options{Dir: dir, Project: p}); err != nil {
		t.Fatalf("after restoring: %v", err)
	}
}

// TestProtobufTagsFollowTheTypes: a field the user adds gets the next free
// protobuf number when they regenerate, the others keep theirs, and the
// IDL and marshalling follow; a missing tag is stale for Verify; a field
// with no protobuf form is reported at its line before anything is written.
func TestProtobufTagsFollowTheTypes(t *testing.T) {
	dir, p := fixture(t)
	// The scaffold writes the tags go-to-protobuf would give: a kind left
	// as scaffolded is not rewritten (upgrades merge its template cleanly).
	hive := filepath.Join(dir, "pkg/apis/insect/v1alpha1/hive_types.go")
	scaffolded, err := os.ReadFile(hive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(Options{Dir: dir, Project: p}); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(hive); !bytes.Equal(after, scaffolded) || !bytes.Contains(scaffolded, []byte(`protobuf:"bytes,2,opt,name=spec"`)) {
		t.Errorf("go-to-protobuf changed the scaffolded hive_types.go:\n%s", firstDiff(scaffolded, after))
	}
	versioned := filepath.Join(dir, "pkg/apis/insect/v1alpha1/bee_types.go")
	internal := filepath.Join(dir, "pkg/apis/insect/bee_types.go")
	read := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	number := regexp.MustCompile(`protobuf:"[a-z]+,(\d+),`)
	spec := func(src string) map[string]string { // field → protobuf tag, in BeeSpec
		body := src[strings.Index(src, "type BeeSpec struct {"):]
		body = body[:strings.Index(body, "\n}\n")]
		tags := map[string]string{}
		for _, line := range strings.Split(body, "\n") {
			if f := strings.Fields(line); len(f) > 1 && number.MatchString(line) {
				tags[f[0]] = number.FindStringSubmatch(line)[1]
			}
		}
		return tags
	}
	before := spec(read(versioned))
	highest := 0
	for _, n := range before {
		v, _ := strconv.Atoi(n)
		highest = max(highest, v)
	}
	if len(before) < 5 || before["Description"] == "" {
		t.Fatalf("BeeSpec's protobuf tags after a first run: %v", before)
	}

	// A new field, first in the struct.
	writeTestFile(t, versioned, strings.Replace(read(versioned), "type BeeSpec struct {\n", "type BeeSpec struct {\n\t// Color of its stripes.\n\tColor string `json:\"color,omitempty\"`\n", 1))
	writeTestFile(t, internal, strings.Replace(read(internal), "type BeeSpec struct {\n", "type BeeSpec struct {\n\tColor string\n", 1))
	if _, err := Generate(Options{Dir: dir, Project: p}); err != nil {
		t.Fatal(err)
	}
	after := spec(read(versioned))
	if want := strconv.Itoa(highest + 1); after["Color"] != want {
		t.Errorf("the new field's number is %q, want %s (tags %v)", after["Color"], want, after)
	}
	for f, n := range before {
		if after[f] != n {
			t.Errorf("%s was renumbered from %s to %s", f, n, after[f])
		}
	}
	if idl := read(filepath.Join(dir, "pkg/apis/insect/v1alpha1/generated.proto")); !strings.Contains(idl, "optional string color = "+after["Color"]+";") {
		t.Errorf("generated.proto has no color field:\n%s", idl)
	}
	if pb := read(filepath.Join(dir, "pkg/apis/insect/v1alpha1/generated.pb.go")); !strings.Contains(pb, "m.Color") {
		t.Error("generated.pb.go does not marshal Color")
	}

	// A tag taken away is put back; Verify calls the file stale.
	tagged := read(versioned)
	writeTestFile(t, versioned, strings.Replace(tagged, ` protobuf:"bytes,`+after["Color"]+`,opt,name=color"`, "", 1))
	var stale *StaleError
	if _, err := Generate(Options{Dir: dir, Project: p, Verify: true}); !errors.As(err, &stale) || !slices.Contains(stale.Paths, "pkg/apis/insect/v1alpha1/bee_types.go") {
		t.Errorf("Verify with a protobuf tag missing: %v", err)
	}
	if _, err := Generate(Options{Dir: dir, Project: p}); err != nil || read(versioned) != tagged {
		t.Errorf("the tag was not put back (%v)", err)
	}

	// No protobuf form: reported at the field's line, nothing written.
	for field, want := range map[string]string{
		"Lookup map[string][]string `json:\"lookup,omitempty\"`": "field BeeSpec.Lookup has no protobuf form: a map's values cannot be lists or maps; give the list a named type, as Kubernetes does for ExtraValue",
		"Grid [][]int32 `json:\"grid,omitempty\"`":               "field BeeSpec.Grid has no protobuf form: a list of lists cannot be repeated",
	} {
		name := strings.Fields(field)[0]
		writeTestFile(t, versioned, strings.Replace(tagged, "type BeeSpec struct {\n", "type BeeSpec struct {\n\t"+field+"\n", 1))
		internalBefore := read(internal)
		writeTestFile(t, internal, strings.Replace(internalBefore, "type BeeSpec struct {\n", "type BeeSpec struct {\n\t"+strings.Join(strings.Fields(field)[:2], " ")+"\n", 1))
		_, err := Generate(Options{Dir: dir, Project: p})
		if err == nil || !strings.Contains(err.Error(), "pkg/apis/insect/v1alpha1/bee_types.go:") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", name, err)
		}
		if got := read(versioned); strings.Contains(got, name+" ") && strings.Contains(got, "protobuf:\"bytes,"+strconv.Itoa(highest+2)) {
			t.Errorf("%s got a protobuf tag despite the error", name)
		}
		writeTestFile(t, internal, internalBefore)
	}
}
