package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// TestRealAPI is the proof of the real-API issue: a project whose types are
// written like real Kubernetes APIs (testdata/realapi: core/v1 types,
// IntOrString, Quantity, Duration, Time, RawExtension, an embedded struct,
// pointers, a map of structs, an enum, a list-map and a set, a type from a
// second package of the project) generates, builds, passes its own tests,
// starts, and serves every field: explain on nested and foreign fields,
// server-side apply of two managers merging one list-map, strict validation,
// and a lossless round trip of every field.
func TestRealAPI(t *testing.T) {
	sideBySide(t)
	bin := buildCLI(t)
	dir := initProject(t, bin, "fleet")
	boot(t, bin, dir, "create", "group", "version", "resource", "--group", "fleet", "--version", "v1alpha1", "--kind", "Workload")
	// Edit the API as a user would: copy the realistic types over the scaffolded ones.
	copyTree(t, "../testdata/realapi", dir)
	boot(t, bin, dir, "build", "executables")
	if out := boot(t, bin, dir, "build", "generated", "--verify"); !strings.Contains(out, "up to date") {
		t.Fatalf("build generated --verify after a build: %s", out)
	}
	for _, want := range []string{"pkg/shared/placement/zz_generated.deepcopy.go", "pkg/shared/placement/zz_generated.model_name.go"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("the shared package was not generated for: %v", err)
		}
	}

	t.Run("project tests", func(t *testing.T) { projectTests(t, dir) })

	t.Run("docs", func(t *testing.T) {
		boot(t, bin, dir, "build", "docs", "--format", "markdown")
		data, err := os.ReadFile(filepath.Join(dir, "docs", "reference", "fleet.example.com_v1alpha1.md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"`template` | PodTemplateSpec", "`port` | integer or string", "Port the workload serves on", "`ports`", "`tags`"} {
			if !strings.Contains(string(data), want) {
				t.Errorf("the reference lacks %q", want)
			}
		}
	})

	requireTool(t, "kubectl", "explain, server-side apply, strict validation and the round trip through kubectl")
	kubeconfig := startStandalone(t, dir, startEtcd(t))

	t.Run("explain", func(t *testing.T) {
		for path, want := range map[string][]string{
			"workloads.spec.template.spec.containers.resources": {"ResourceRequirements", "claims", "limits"},
			"workloads.spec.port":                               {"IntOrString", "Port the workload serves on"},
			"workloads.spec.budget":                             {"Quantity", "Budget is the memory"},
			"workloads.spec.tolerations":                        {"Toleration", "tolerationSeconds"},
			"workloads.spec.placement.zones":                    {"Zones the replicas spread over"},
			"workloads.spec.endpoints":                          {"map[string]Endpoint", "Endpoints by name"},
			"workloads.spec.config":                             {"Config is free-form configuration"},
			"workloads.spec.strategy":                           {"RollingUpdate", "Recreate"},
			"workloads.spec.team":                               {"Team that owns the workload"},
		} {
			out := mustKubectl(t, kubeconfig, "explain", path)
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("kubectl explain %s lacks %q:\n%s", path, w, out)
				}
			}
		}
	})

	t.Run("lossless round trip", func(t *testing.T) {
		fixture := filepath.Join(dir, "workload.yaml")
		mustKubectl(t, kubeconfig, "create", "-f", fixture)
		var sent, got map[string]any
		data, err := os.ReadFile(fixture)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(data, &sent); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(mustKubectl(t, kubeconfig, "get", "workload", "full", "-o", "json")), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(sent["spec"], got["spec"]) {
			s, _ := json.MarshalIndent(sent["spec"], "", " ")
			g, _ := json.MarshalIndent(got["spec"], "", " ")
			t.Fatalf("the spec changed on its way through the server:\nsent %s\ngot  %s", s, g)
		}
	})

	t.Run("server-side apply merges a list-map", func(t *testing.T) {
		for _, m := range []struct{ manager, ports string }{
			{"team-a", "  - name: http\n    port: 80\n"},
			{"team-b", "  - name: grpc\n    port: 9000\n"},
		} {
			manager, ports := m.manager, m.ports
			f := filepath.Join(t.TempDir(), manager+".yaml")
			writeFile(t, f, "apiVersion: fleet.example.com/v1alpha1\nkind: Workload\nmetadata:\n  name: shared\nspec:\n  ports:\n"+ports)
			mustKubectl(t, kubeconfig, "apply", "--server-side", "--field-manager", manager, "-f", f)
		}
		out := mustKubectl(t, kubeconfig, "get", "workload", "shared", "-o", "jsonpath={range .spec.ports[*]}{.name}={.port} {end}")
		if strings.TrimSpace(out) != "http=80 grpc=9000" {
			t.Fatalf("ports after two managers applied one each: %q, want both (merged by name)", out)
		}
	})

	t.Run("strict validation", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "unknown.yaml")
		writeFile(t, f, "apiVersion: fleet.example.com/v1alpha1\nkind: Workload\nmetadata:\n  name: unknown\nspec:\n  replicas: 1\n  replicaz: 2\n")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := kubectl(ctx, kubeconfig, "create", "--validate=strict", "-f", f)
		if err == nil || !strings.Contains(out, `unknown field "spec.replicaz"`) {
			t.Fatalf("an unknown field was not rejected by --validate=strict (err %v):\n%s", err, out)
		}
	})
}

// copyTree copies the files under src into dst, overwriting.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
