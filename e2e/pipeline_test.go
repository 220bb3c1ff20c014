package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

var updateJSON = flag.Bool("update-json", false, "rewrite e2e/testdata/json")

// pipelineCommands scaffold a project with every kind of template the
// generated CI lints: etcd and custom kinds, namespaced and cluster-scoped,
// read-only, scale and connector subresources, a second version, admission.
var pipelineCommands = [][]string{
	createKind("Bee"),
	{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "scale"},
	{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--subresource", "logs", "--type", "connector"},
	createKind("Hive", "--non-namespaced", "--controller=false"),
	createKind("Sighting", "--storage", "custom", "--controller=false"),
	{"create", "group", "version", "resource", "--group", "metrics", "--version", "v1beta1", "--kind", "NodeUsage", "--storage", "custom", "--read-only", "--non-namespaced"},
	{"create", "version", "--group", "insect", "--version", "v1beta1"},
	{"create", "admission", "--name", "BanDuplicates", "--kind", "Bee"},
}

// TestGeneratedProjectCI: the project's pinned generator checks its own code
// (`go tool apiserver-boot build generated --verify -o json`: green when
// fresh, exit 1 listing the stale files after a types.go edit), its CI
// workflow passes actionlint, and every step the workflow runs passes here,
// in order, as the workflow says them (golangci-lint included, with the
// project's .golangci.yml).
func TestGeneratedProjectCI(t *testing.T) {
	sideBySide(t)
	requireTool(t, "make", "the generated Makefile's targets, as the workflow runs them")
	_, dir := newProject(t, pipelineCommands...)
	tool := func(args ...string) (stdout []byte, code int) {
		t.Helper()
		cmd := exec.Command("go", append([]string{"tool", "apiserver-boot"}, args...)...)
		cmd.Dir = dir
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		start := time.Now()
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		t.Logf("go tool apiserver-boot %s: exit %d (%s)", strings.Join(args, " "), code, time.Since(start).Round(100*time.Millisecond))
		if code != 0 && !json.Valid(out) {
			t.Fatalf("go tool apiserver-boot %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut.String())
		}
		return out, code
	}
	var gen struct {
		Error   *struct{ ExitCode int } `json:"error"`
		Written []string                `json:"written"`
		Stale   []string                `json:"stale"`
	}
	decode := func(out []byte) {
		t.Helper()
		gen.Error, gen.Written, gen.Stale = nil, nil, nil
		if err := json.Unmarshal(out, &gen); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
	}

	// The tool the project pins is built from the same module versions as
	// apiserver-boot's own build: else `go tool apiserver-boot` recompiles
	// most of its dependencies in every project (minutes on a cold cache).
	deps := func(dir, pkg string) map[string]string {
		cmd := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}} {{.Version}}{{end}}", pkg)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		m := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if path, version, ok := strings.Cut(line, " "); ok {
				m[path] = version
			}
		}
		return m
	}
	inProject, own := deps(dir, "github.com/apiserver-boot/apiserver-boot/cmd/apiserver-boot"), deps("..", "./cmd/apiserver-boot")
	for path, v := range inProject {
		if ov, ok := own[path]; ok && ov != v && path != "github.com/apiserver-boot/apiserver-boot" {
			t.Errorf("a project builds apiserver-boot with %s %s, apiserver-boot's go.mod has %s: go get %s@%s", path, v, ov, path, v)
		}
	}

	// The pinned release generates; its -o json is pinned by a golden file.
	out, code := tool("build", "generated", "-o", "json")
	compareGoldenJSON(t, "build-generated", out)
	decode(out)
	if code != 0 || len(gen.Written) == 0 {
		t.Fatalf("build generated -o json: exit %d, %s", code, out)
	}
	out, code = tool("build", "generated", "--verify", "-o", "json")
	compareGoldenJSON(t, "build-generated-verify", out)
	if decode(out); code != 0 || gen.Error != nil || len(gen.Stale) != 0 {
		t.Fatalf("build generated --verify on a fresh project: exit %d, %s", code, out)
	}
	// A field added as a user adds one: to the internal type and each version.
	originals := map[string]string{}
	for _, p := range []string{"pkg/apis/insect/bee_types.go", "pkg/apis/insect/v1alpha1/bee_types.go", "pkg/apis/insect/v1beta1/bee_types.go"} {
		originals[p] = readFile(t, dir, p)
		field := "\t// Wings is the number of wings.\n\t// +optional\n\tWings int32 `json:\"wings,omitempty\"`\n"
		if p == "pkg/apis/insect/bee_types.go" {
			field = "\t// Wings is the number of wings.\n\tWings int32\n"
		}
		edited := strings.Replace(originals[p], "type BeeSpec struct {\n", "type BeeSpec struct {\n"+field, 1)
		if edited == originals[p] {
			t.Fatalf("%s has no BeeSpec to edit", p)
		}
		writeFile(t, filepath.Join(dir, p), edited)
	}
	out, code = tool("build", "generated", "--verify", "-o", "json")
	decode(out)
	if code != 1 || gen.Error == nil || gen.Error.ExitCode != 1 {
		t.Fatalf("build generated --verify after a types.go edit: exit %d, want 1 with the error set:\n%s", code, out)
	}
	// (The conversions stay as they were: identical structs convert through
	// unsafe pointers, whatever their fields.)
	for _, want := range []string{"pkg/apis/insect/v1alpha1/zz_generated.validations.go", "pkg/generated/applyconfiguration/insect/v1alpha1/beespec.go", "pkg/generated/openapi/zz_generated.openapi.go"} {
		if !slices.Contains(gen.Stale, want) {
			t.Errorf("build generated --verify after a types.go edit does not list %s as stale:\n%s", want, out)
		}
	}
	for p, content := range originals {
		writeFile(t, filepath.Join(dir, p), content)
	}
	if out, code = tool("build", "generated", "--verify", "-o", "json"); code != 0 {
		t.Fatalf("build generated --verify with the types restored: exit %d\n%s", code, out)
	}

	// The workflow is valid for GitHub Actions…
	workflow := filepath.Join(dir, ".github", "workflows", "ci.yaml")
	actionlint := e2eTool(t, "actionlint")
	if out, err := exec.Command(actionlint, "-no-color", workflow).CombinedOutput(); err != nil {
		t.Fatalf("actionlint %s: %v\n%s", workflow, err, out)
	}
	// …and actionlint does check it: a job without runs-on fails.
	broken := filepath.Join(t.TempDir(), "ci.yaml")
	writeFile(t, broken, strings.Replace(readFile(t, dir, ".github/workflows/ci.yaml"), "    runs-on: ubuntu-latest\n", "", 1))
	if out, err := exec.Command(actionlint, "-no-color", broken).CombinedOutput(); err == nil {
		t.Fatalf("actionlint passed a workflow with a job without runs-on:\n%s", out)
	}

	// …and each of its run steps passes here, in the workflow's order.
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string `json:"name"`
				Uses string `json:"uses"`
				Run  string `json:"run"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	data, err := os.ReadFile(workflow)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	jobs := slices.Sorted(func(yield func(string) bool) {
		for name := range wf.Jobs {
			if !yield(name) {
				return
			}
		}
	})
	// What differs from GitHub's runner: the checkout is this directory, Go
	// is this machine's, golangci-lint is the prebuilt one of the same
	// version (GOLANGCI_LINT, not `go run …@version` each time), and the
	// image has no base (BASE=scratch: no registry is reachable here).
	env := append(os.Environ(), "GOLANGCI_LINT="+e2eTool(t, "golangci-lint")+"", "BASE=scratch")
	ran := 0
	for _, job := range jobs {
		for _, step := range wf.Jobs[job].Steps {
			switch {
			case step.Run != "":
				start := time.Now()
				cmd := exec.Command("bash", "-euo", "pipefail", "-c", step.Run)
				cmd.Dir, cmd.Env = dir, env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("workflow %s, step %q (%s): %v\n%s", job, step.Name, step.Run, err, out)
				}
				t.Logf("workflow %s, step %q: %s (%s)", job, step.Name, step.Run, time.Since(start).Round(100*time.Millisecond))
				ran++
			case step.Uses != "" && !strings.HasPrefix(step.Uses, "actions/checkout@") && !strings.HasPrefix(step.Uses, "actions/setup-go@"):
				t.Errorf("workflow %s uses %s, which this test cannot run locally", job, step.Uses)
			}
		}
	}
	if ran < 6 {
		t.Fatalf("the workflow has %d run steps; want vet, test, verify, docs, container and lint", ran)
	}
	for _, p := range []string{"docs/reference", "bin/image/index.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("after the workflow's steps: %v", err)
		}
	}
}

// compareGoldenJSON compares a command's -o json with e2e/testdata/json/<name>.json
// (-update-json rewrites it).
func compareGoldenJSON(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", "json", name+".json")
	if *updateJSON {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-json)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("-o json of %s differs from %s (run with -update-json if intended):\n%s", name, golden, got)
	}
}
