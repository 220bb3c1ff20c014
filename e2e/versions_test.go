package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubresourcesAndVersions is the proof of the subresources/versions
// issue: a kind with status, scale, a connector and a getter, in two versions
// with a field renamed between them; kubectl scale works, the connector and
// the getter answer, and the same object read and written through either
// version loses nothing. What the v1alpha1 server stored, `migrate storage`
// moves to v1beta1 (storageMigration).
func TestSubresourcesAndVersions(t *testing.T) {
	sideBySide(t)
	sub := func(extra ...string) []string {
		return append([]string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee"}, extra...)
	}
	bin, dir := newProject(t,
		createKind("Bee"),
		sub("--type", "scale"),
		sub("--type", "connector", "--subresource", "logs"),
		sub("--type", "getter", "--subresource", "view"),
		[]string{"build", "executables"},
	)
	// The server as it was while v1alpha1 was the storage version.
	old := copyBinary(t, dir)
	boot(t, bin, dir, "create", "version", "--group", "insect", "--version", "v1beta1", "--rename-field", "Bee.spec.description=summary", "--storage-version")
	boot(t, bin, dir, "deprecate", "version", "--group", "insect", "--version", "v1alpha1", "--deprecated-in", "0.3", "--replacement", "v1beta1")
	boot(t, bin, dir, "build", "executables")

	t.Run("project tests", func(t *testing.T) {
		cmd := exec.Command("go", "test", "./pkg/...")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go test in the generated project: %v\n%s", err, out)
		}
	})

	requireTool(t, "kubectl", "scale, connector, getter and two versions served to kubectl")
	startRunLocal(t, bin, dir)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	mustKubectl(t, kubeconfig, "create", "-f", filepath.Join(dir, "sample", "bee.yaml"))

	t.Run("scale", func(t *testing.T) {
		mustKubectl(t, kubeconfig, "scale", "--replicas=3", "bee/bee-sample")
		if out := mustKubectl(t, kubeconfig, "get", "bee", "bee-sample", "-o", "jsonpath={.spec.replicas} {.metadata.generation}"); out != "3 2" {
			t.Fatalf("after kubectl scale: replicas and generation %q, want \"3 2\"", out)
		}
		out := mustKubectl(t, kubeconfig, "get", "--raw", "/apis/insect.example.com/v1beta1/namespaces/default/bees/bee-sample/scale")
		if !strings.Contains(out, `"kind":"Scale"`) || !strings.Contains(out, `"apiVersion":"autoscaling/v1"`) || !strings.Contains(out, `"replicas":3`) {
			t.Fatalf("GET scale: %s", out)
		}
		// kubectl scale refuses --replicas=-1 itself, so the bad Scale is sent to
		// the server as a patch of the scale subresource: its validation answers.
		out, err := kubectlOut(kubeconfig, "patch", "bee", "bee-sample", "--subresource=scale", "--type=merge", "-p", `{"spec":{"replicas":-1}}`)
		if err == nil || !strings.Contains(out, "spec.replicas: must be greater than or equal to 0, not -1") {
			t.Fatalf("a negative Scale sent to the server: err %v, want the server's validation message:\n%s", err, out)
		}
		if out := mustKubectl(t, kubeconfig, "get", "bee", "bee-sample", "-o", "jsonpath={.spec.replicas}"); out != "3" {
			t.Fatalf("replicas after the refused Scale: %q, want 3", out)
		}
	})

	t.Run("connector and getter", func(t *testing.T) {
		out := mustKubectl(t, kubeconfig, "get", "--raw", "/apis/insect.example.com/v1alpha1/namespaces/default/bees/bee-sample/logs")
		if !strings.Contains(out, "Bee bee-sample in namespace default") {
			t.Fatalf("connector: %q", out)
		}
		out = mustKubectl(t, kubeconfig, "get", "--raw", "/apis/insect.example.com/v1alpha1/namespaces/default/bees/bee-sample/view")
		if !strings.Contains(out, `"name":"bee-sample"`) || strings.Contains(out, "managedFields") {
			t.Fatalf("getter: %s", out)
		}
	})

	t.Run("two versions, one object", func(t *testing.T) {
		alpha, _ := kubectlSplit(t, kubeconfig, "get", "bees.v1alpha1.insect.example.com", "bee-sample", "-o", "jsonpath={.apiVersion} {.spec.description}")
		beta := mustKubectl(t, kubeconfig, "get", "bees.v1beta1.insect.example.com", "bee-sample", "-o", "jsonpath={.apiVersion} {.spec.summary}")
		if alpha != "insect.example.com/v1alpha1 An example Bee." || beta != "insect.example.com/v1beta1 An example Bee." {
			t.Fatalf("reading both versions: %q and %q", alpha, beta)
		}
		// Update through v1beta1 (the renamed field), read through v1alpha1.
		mustKubectl(t, kubeconfig, "patch", "bees.v1beta1.insect.example.com", "bee-sample", "--type=merge", "-p", `{"spec":{"summary":"written as v1beta1"}}`)
		if out, _ := kubectlSplit(t, kubeconfig, "get", "bees.v1alpha1.insect.example.com", "bee-sample", "-o", "jsonpath={.spec.description} {.spec.replicas}"); out != "written as v1beta1 3" {
			t.Fatalf("v1alpha1 after a v1beta1 update: %q", out)
		}
		// And back: update through v1alpha1, read through v1beta1.
		kubectlSplit(t, kubeconfig, "patch", "bees.v1alpha1.insect.example.com", "bee-sample", "--type=merge", "-p", `{"spec":{"description":"written as v1alpha1"}}`)
		if out := mustKubectl(t, kubeconfig, "get", "bees.v1beta1.insect.example.com", "bee-sample", "-o", "jsonpath={.spec.summary} {.spec.replicas}"); out != "written as v1alpha1 3" {
			t.Fatalf("v1beta1 after a v1alpha1 update: %q", out)
		}
		// The preferred version is the newest.
		if out := mustKubectl(t, kubeconfig, "get", "bee", "bee-sample", "-o", "jsonpath={.apiVersion}"); out != "insect.example.com/v1beta1" {
			t.Fatalf("preferred version: %q", out)
		}
	})

	// deprecate version: every request to v1alpha1 carries the standard
	// warning, which kubectl prints; v1beta1's carry none.
	t.Run("a deprecated version warns", func(t *testing.T) {
		const want = "Warning: insect.example.com/v1alpha1 Bee is deprecated in v0.3+, unavailable in v0.6+; use insect.example.com/v1beta1 Bee"
		for _, args := range [][]string{
			{"get", "bees.v1alpha1.insect.example.com"},
			{"get", "bees.v1alpha1.insect.example.com", "bee-sample", "-o", "name"},
			{"label", "bees.v1alpha1.insect.example.com", "bee-sample", "era=alpha"},
		} {
			if _, stderr := kubectlSplit(t, kubeconfig, args...); !strings.Contains(stderr, want) {
				t.Errorf("kubectl %s: stderr %q lacks the deprecation warning", strings.Join(args, " "), stderr)
			}
		}
		if _, stderr := kubectlSplit(t, kubeconfig, "get", "bees.v1beta1.insect.example.com"); strings.Contains(stderr, "deprecated") {
			t.Errorf("v1beta1 warns: %s", stderr)
		}
	})

	t.Run("migrate storage, with data", func(t *testing.T) { storageMigration(t, bin, dir, old) })
}
