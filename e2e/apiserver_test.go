package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/apiserver-boot/apiserver-boot/internal/localrun"
)

// TestGeneratedServer is the proof of the codegen/build/serve issue: from the
// built CLI, a project with a namespaced kind (with status) and a
// cluster-scoped kind is scaffolded and built; its own tests pass; its
// apiserver runs standalone on an embedded etcd with client-certificate
// authentication, and real kubectl and client-go use it.
func TestGeneratedServer(t *testing.T) {
	bin, dir := newProject(t, createKind("Bee", "--short-names", "bz"), createKind("Hive", "--non-namespaced"), []string{"build", "executables"})
	if out := boot(t, bin, dir, "build", "generated", "--verify"); !strings.Contains(out, "up to date") {
		t.Fatalf("build generated --verify after a build: %s", out)
	}

	t.Run("project tests", func(t *testing.T) { projectTests(t, dir) })

	kubeconfig := startStandalone(t, dir, startEtcd(t))
	sample := func(name string) string { return filepath.Join(dir, "sample", name) }

	t.Run("kubectl", func(t *testing.T) {
		requireTool(t, "kubectl", "the generated server answers real kubectl (columns, apply, explain, watch, validation)")
		out := mustKubectl(t, kubeconfig, "api-resources", "--api-group", "insect.example.com", "--no-headers")
		if !containsLine(out, "bees", "bz", "insect.example.com/v1alpha1", "true", "Bee") ||
			!containsLine(out, "hives", "insect.example.com/v1alpha1", "false", "Hive") {
			t.Fatalf("api-resources:\n%s", out)
		}

		mustKubectl(t, kubeconfig, "create", "-f", sample("bee.yaml"))
		mustKubectl(t, kubeconfig, "create", "-f", sample("hive.yaml"))
		out = mustKubectl(t, kubeconfig, "get", "bees")
		if !containsLine(out, "NAME", "REPLICAS", "READY", "AGE") || !containsLine(out, "bee-sample", "1", "Unknown") {
			t.Fatalf("kubectl get bees does not show the scaffolded columns:\n%s", out)
		}
		if out = mustKubectl(t, kubeconfig, "get", "hives"); !containsLine(out, "hive-sample", "1") {
			t.Fatalf("kubectl get hives:\n%s", out)
		}
		if out = mustKubectl(t, kubeconfig, "get", "bz", "-o", "wide"); !strings.Contains(out, "An example Bee.") {
			t.Fatalf("short name and -o wide:\n%s", out)
		}

		out = mustKubectl(t, kubeconfig, "get", "bee", "bee-sample", "-o", "yaml")
		for _, want := range []string{"apiVersion: insect.example.com/v1alpha1", "kind: Bee", "namespace: default", "replicas: 1", "generation: 1"} {
			if !strings.Contains(out, want) {
				t.Fatalf("get -o yaml lacks %q:\n%s", want, out)
			}
		}
		if out = mustKubectl(t, kubeconfig, "get", "bees", "--field-selector", "metadata.name=bee-sample", "-o", "name"); strings.TrimSpace(out) != "bee.insect.example.com/bee-sample" {
			t.Fatalf("field selector:\n%s", out)
		}

		applied := filepath.Join(t.TempDir(), "applied.yaml")
		writeFile(t, applied, "apiVersion: insect.example.com/v1alpha1\nkind: Bee\nmetadata:\n  name: applied\nspec:\n  replicas: 3\n  description: applied server-side\n")
		mustKubectl(t, kubeconfig, "apply", "--server-side", "--field-manager", "e2e", "-f", applied)
		out = mustKubectl(t, kubeconfig, "get", "bee", "applied", "-o", "yaml", "--show-managed-fields")
		if !strings.Contains(out, "manager: e2e") || !strings.Contains(out, "operation: Apply") || !strings.Contains(out, "replicas: 3") {
			t.Fatalf("server-side apply did not record managed fields:\n%s", out)
		}

		out = mustKubectl(t, kubeconfig, "explain", "bees.spec")
		if !strings.Contains(out, "replicas") || !strings.Contains(out, "Defaults to 1") {
			t.Fatalf("explain bees.spec:\n%s", out)
		}

		mustKubectl(t, kubeconfig, "patch", "bee", "bee-sample", "--type=merge", "-p", `{"spec":{"description":"patched"}}`)
		mustKubectl(t, kubeconfig, "label", "bee", "bee-sample", "color=gold")
		out = mustKubectl(t, kubeconfig, "get", "bees", "-l", "color=gold", "-o", "jsonpath={.items[0].spec.description} {.items[0].metadata.generation}")
		if out != "patched 2" {
			t.Fatalf("after patch and label: %q, want \"patched 2\"", out)
		}

		invalid := filepath.Join(t.TempDir(), "invalid.yaml")
		writeFile(t, invalid, "apiVersion: insect.example.com/v1alpha1\nkind: Bee\nmetadata:\n  name: invalid\nspec:\n  replicas: -1\n")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := kubectl(ctx, kubeconfig, "create", "-f", invalid)
		if err == nil || !strings.Contains(out, "spec.replicas: Invalid value: -1: must be greater than or equal to 0") {
			t.Fatalf("an invalid object was not rejected with the validation message (err %v):\n%s", err, out)
		}

		// Watch: start it and wait for its initial list (bee-sample exists), so the
		// watch is established; then create and delete an object and see both events.
		watchCtx, stopWatch := context.WithTimeout(context.Background(), time.Minute)
		defer stopWatch()
		w := exec.CommandContext(watchCtx, "kubectl", "--kubeconfig", kubeconfig, "get", "bees", "-w", "--output-watch-events")
		var watchOut syncBuffer
		w.Stdout = &watchOut
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, func() bool { return containsLine(watchOut.String(), "ADDED", "bee-sample") },
			func() string { return "the watch did not list bee-sample:\n" + watchOut.String() })
		watched := filepath.Join(t.TempDir(), "watched.yaml")
		writeFile(t, watched, "apiVersion: insect.example.com/v1alpha1\nkind: Bee\nmetadata:\n  name: watched\n")
		mustKubectl(t, kubeconfig, "create", "-f", watched)
		mustKubectl(t, kubeconfig, "delete", "bee", "watched")
		waitFor(t, 30*time.Second, func() bool {
			all := watchOut.String()
			return containsLine(all, "ADDED", "watched") && containsLine(all, "DELETED", "watched")
		}, func() string { return "kubectl get -w did not see ADDED and DELETED:\n" + watchOut.String() })
		stopWatch()
		_ = w.Wait()

		mustKubectl(t, kubeconfig, "delete", "-f", sample("bee.yaml"))
		if out := mustKubectl(t, kubeconfig, "get", "bees", "-o", "name"); strings.Contains(out, "bee-sample") {
			t.Fatalf("bee-sample still listed after delete:\n%s", out)
		}
	})

	t.Run("client-go", func(t *testing.T) {
		cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		disco, err := discovery.NewDiscoveryClientForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		resources, err := disco.ServerResourcesForGroupVersion("insect.example.com/v1alpha1")
		if err != nil {
			t.Fatal(err)
		}
		scope := map[string]bool{}
		for _, r := range resources.APIResources {
			scope[r.Name] = r.Namespaced
		}
		if _, ok := scope["bees/status"]; !ok || !scope["bees"] || scope["hives"] {
			t.Fatalf("discovery: %+v", scope)
		}

		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		bees := dyn.Resource(schema.GroupVersionResource{Group: "insect.example.com", Version: "v1alpha1", Resource: "bees"}).Namespace("ns1")
		watcher, err := bees.Watch(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer watcher.Stop()
		for i := 0; i < 3; i++ {
			obj := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "insect.example.com/v1alpha1", "kind": "Bee",
				"metadata": map[string]any{"name": fmt.Sprintf("bee-%d", i)},
				"spec":     map[string]any{"description": "from client-go"},
			}}
			created, err := bees.Create(ctx, obj, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r, _, _ := unstructured.NestedInt64(created.Object, "spec", "replicas"); r != 1 {
				t.Fatalf("defaulting: replicas = %d, want 1", r)
			}
		}
		// The three creates arrive as three ADDED events, in order.
		for i := 0; i < 3; i++ {
			select {
			case ev, ok := <-watcher.ResultChan():
				name := ""
				if u, isU := ev.Object.(*unstructured.Unstructured); isU {
					name = u.GetName()
				}
				if !ok || ev.Type != watch.Added || name != fmt.Sprintf("bee-%d", i) {
					t.Fatalf("watch event %d: %v %q (channel open %v), want ADDED bee-%d", i, ev.Type, name, ok, i)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("no watch event %d within 30s", i)
			}
		}

		// Pagination: one item per page, three pages.
		var names []string
		opts := metav1.ListOptions{Limit: 1}
		for {
			page, err := bees.List(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, item := range page.Items {
				names = append(names, item.GetName())
			}
			if opts.Continue = page.GetContinue(); opts.Continue == "" {
				break
			}
		}
		if strings.Join(names, ",") != "bee-0,bee-1,bee-2" {
			t.Fatalf("paginated list = %v", names)
		}

		// The status subresource changes the status only; the main resource ignores status.
		got, err := bees.Get(ctx, "bee-0", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_ = unstructured.SetNestedField(got.Object, int64(1), "status", "observedGeneration")
		_ = unstructured.SetNestedField(got.Object, "ignored", "spec", "description")
		updated, err := bees.UpdateStatus(ctx, got, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if g, _, _ := unstructured.NestedInt64(updated.Object, "status", "observedGeneration"); g != 1 {
			t.Fatalf("status update lost the status: %v", updated.Object["status"])
		}
		if d, _, _ := unstructured.NestedString(updated.Object, "spec", "description"); d != "from client-go" {
			t.Fatalf("status update changed the spec: %q", d)
		}
		patched, err := bees.Patch(ctx, "bee-0", types.MergePatchType, []byte(`{"status":{"observedGeneration":5}}`), metav1.PatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if g, _, _ := unstructured.NestedInt64(patched.Object, "status", "observedGeneration"); g != 1 {
			t.Fatalf("the main resource changed the status: observedGeneration %d", g)
		}

		// Cluster-scoped: no namespace in the path.
		hives := dyn.Resource(schema.GroupVersionResource{Group: "insect.example.com", Version: "v1alpha1", Resource: "hives"})
		list, err := hives.List(ctx, metav1.ListOptions{})
		if err != nil || len(list.Items) != 1 || list.Items[0].GetNamespace() != "" {
			t.Fatalf("hives: %v %+v", err, list)
		}
		if err := bees.Delete(ctx, "bee-0", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("openapi", func(t *testing.T) {
		cfg, _ := clientcmd.BuildConfigFromFlags("", kubeconfig)
		disco, _ := discovery.NewDiscoveryClientForConfig(cfg)
		v3, err := disco.OpenAPIV3().Paths()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := v3["apis/insect.example.com/v1alpha1"]; !ok {
			t.Fatalf("OpenAPI v3 paths lack the group: %v", v3)
		}
		if _, err := disco.OpenAPISchema(); err != nil {
			t.Fatalf("OpenAPI v2: %v", err)
		}
	})
}

// startStandalone starts the project's bin/apiserver with --standalone on
// loopback, authenticating clients by certificates of a fresh CA, and returns
// a kubeconfig for an admin (group system:masters).
func startStandalone(t *testing.T, dir, etcd string) string {
	t.Helper()
	pki, err := localrun.EnsurePKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "bin", "apiserver"),
		"--standalone",
		"--etcd-servers", etcd,
		"--bind-address", "127.0.0.1",
		"--secure-port", fmt.Sprint(port),
		"--tls-cert-file", pki.Path("apiserver.crt"),
		"--tls-private-key-file", pki.Path("apiserver.key"),
		"--client-ca-file", pki.Path("ca.crt"),
	)
	var log syncBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("apiserver log (last 4 KiB):\n%s", tail([]byte(log.String()), 4096))
		}
	})

	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	start := time.Now()
	readyCtx, stop := context.WithTimeout(context.Background(), 90*time.Second)
	defer stop()
	if err := pki.WaitReady(readyCtx, server, exited, true); err != nil {
		t.Fatalf("%v\n%s", err, tail([]byte(log.String()), 4096))
	}
	t.Logf("apiserver ready in %s", time.Since(start).Round(10*time.Millisecond))
	kubeconfig := filepath.Join(pki.Dir, "kubeconfig")
	if err := pki.WriteKubeconfig(kubeconfig, server, "default"); err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// containsLine reports whether some line of out has every field as a whole
// column (whitespace-separated), in this order: "1" does not match an AGE of
// "1s", nor "bee-sample" a "bee-sample-2".
func containsLine(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		cols, i := strings.Fields(line), 0
		for _, c := range cols {
			if i < len(fields) && c == fields[i] {
				i++
			}
		}
		if i == len(fields) {
			return true
		}
	}
	return false
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
