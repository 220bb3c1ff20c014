package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/apiserver-boot/apiserver-boot/internal/localrun"
)

// TestGeneratedServer is the proof of the codegen/build/serve issue and of
// the storage issue: from the built CLI, a project with a namespaced kind
// (with status), a cluster-scoped kind, a kind kept by a custom backend and a
// read-only computed kind is scaffolded and built; its own tests pass; its
// apiserver runs standalone with client-certificate authentication on each
// backend — embedded etcd, kine on SQLite, kine on a real Postgres — and the
// same real-kubectl matrix, a watch-list and an informer run against each.
func TestGeneratedServer(t *testing.T) {
	bin, dir := newProject(t, createKind("Bee", "--short-names", "bz"), createKind("Hive", "--non-namespaced"),
		createKind("Sighting", "--storage", "custom"),
		[]string{"create", "group", "version", "resource", "--group", "metrics", "--version", "v1beta1", "--kind", "NodeUsage",
			"--storage", "custom", "--read-only", "--non-namespaced"})
	// Admission plugins on the cluster-scoped kind: one refuses, one labels.
	boot(t, bin, dir, "create", "admission", "--name", "BanDuplicates", "--kind", "Hive")
	boot(t, bin, dir, "create", "admission", "--name", "StampOwner", "--kind", "Hive", "--mutating")
	// The user computes NodeUsages, as the scaffold's comment shows: a loop
	// that refreshes them in the backend.
	writeFile(t, filepath.Join(dir, "pkg/registry/metrics/nodeusage/backend.go"), computedNodeUsages)
	// Fields with declarative validation tags, on a kind in etcd and a custom one.
	addTaggedFields(t, dir, "bee", "sighting")
	boot(t, bin, dir, "build", "executables")
	if out := boot(t, bin, dir, "build", "generated", "--verify"); !strings.Contains(out, "up to date") {
		t.Fatalf("build generated --verify after a build: %s", out)
	}

	t.Run("project tests", func(t *testing.T) { projectTests(t, dir) })

	// The API reference covers custom-storage kinds like any other.
	t.Run("build docs", func(t *testing.T) {
		boot(t, bin, dir, "build", "docs", "--format", "markdown")
		for file, kinds := range map[string][]string{"insect.example.com_v1alpha1.md": {"Bee", "Hive", "Sighting"}, "metrics.example.com_v1beta1.md": {"NodeUsage"}} {
			doc, err := os.ReadFile(filepath.Join(dir, "docs", "reference", file))
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range kinds {
				if !strings.Contains(string(doc), "\n## "+k+"\n") {
					t.Errorf("%s has no section for %s", file, k)
				}
			}
			if file != "insect.example.com_v1alpha1.md" {
				continue
			}
			// The +k8s: tags, in the constraints column.
			for _, want := range []string{"| `minimum=1`, `maximum=10` |", "| `minLength=3`, `maxBytes=12` |", "| `format=k8s-short-name` |",
				"| one of `Drone`, `Queen`, `Worker` |", "| `minItems=2`, `maxItems=3` |", "| `immutable` |", "| `update=NoUnset` |"} {
				if !strings.Contains(string(doc), want) {
					t.Errorf("%s lacks the constraint %q", file, want)
				}
			}
		}
	})

	etcdURL := startEtcd(t)
	etcdServer := startServer(t, dir, "--etcd-servers", etcdURL)
	kubeconfig := etcdServer.kubeconfig
	bees := resourceUnderTest{plural: "bees", kind: "Bee", group: "insect.example.com", version: "v1alpha1", sample: filepath.Join(dir, "sample", "bee.yaml")}
	sightings := resourceUnderTest{plural: "sightings", kind: "Sighting", group: "insect.example.com", version: "v1alpha1", sample: filepath.Join(dir, "sample", "sighting.yaml")}

	t.Run("kubectl", func(t *testing.T) {
		requireTool(t, "kubectl", "the generated server answers real kubectl (columns, apply, explain, watch, validation)")
		out := mustKubectl(t, kubeconfig, "api-resources", "--api-group", "insect.example.com", "--no-headers")
		if !containsLine(out, "bees", "bz", "insect.example.com/v1alpha1", "true", "Bee") ||
			!containsLine(out, "hives", "insect.example.com/v1alpha1", "false", "Hive") ||
			!containsLine(out, "sightings", "insect.example.com/v1alpha1", "true", "Sighting") {
			t.Fatalf("api-resources:\n%s", out)
		}
		kubectlMatrix(t, kubeconfig, bees)

		mustKubectl(t, kubeconfig, "create", "-f", filepath.Join(dir, "sample", "bee.yaml"))
		mustKubectl(t, kubeconfig, "create", "-f", filepath.Join(dir, "sample", "hive.yaml"))
		if out = mustKubectl(t, kubeconfig, "get", "hives"); !containsLine(out, "hive-sample", "1") {
			t.Fatalf("kubectl get hives:\n%s", out)
		}
		if out = mustKubectl(t, kubeconfig, "get", "bz", "-o", "wide"); !strings.Contains(out, "An example Bee.") {
			t.Fatalf("short name and -o wide:\n%s", out)
		}
		if out = mustKubectl(t, kubeconfig, "explain", "bees.spec"); !strings.Contains(out, "Defaults to 1") {
			t.Fatalf("explain bees.spec lacks the default:\n%s", out)
		}
		mustKubectl(t, kubeconfig, "delete", "-f", filepath.Join(dir, "sample", "bee.yaml"))
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

		statusOnlyThroughSubresource(t, bees, "bee-0", "from client-go")

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
		v2, err := disco.OpenAPISchema()
		if err != nil {
			t.Fatalf("OpenAPI v2: %v", err)
		}
		// The +k8s: tags of the fixture's fields, published in both.
		v3JSON, err := v3["apis/insect.example.com/v1alpha1"].Schema("application/json")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"minimum":1`, `"maximum":10`, `"minLength":3`, `"maxLength":256`, `"minItems":2`, `"maxItems":3`,
			`"pattern":"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"`, `"enum":["Drone","Queen","Worker"]`} {
			if !strings.Contains(string(v3JSON), want) {
				t.Errorf("OpenAPI v3 of insect.example.com/v1alpha1 lacks %s", want)
			}
		}
		if v2 == nil {
			t.Fatal("no OpenAPI v2")
		}
		v2JSON, err := disco.RESTClient().Get().AbsPath("/openapi/v2").SetHeader("Accept", "application/json").DoRaw(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"minimum":1`, `"maximum":10`, `"minLength":3`, `"maxItems":3`, `"enum":["Drone","Queen","Worker"]`} {
			if !strings.Contains(string(v2JSON), want) {
				t.Errorf("OpenAPI v2 lacks %s", want)
			}
		}
	})

	t.Run("declarative validation/etcd", func(t *testing.T) { declarativeValidation(t, kubeconfig, bees, etcdURL) })
	t.Run("declarative validation/custom", func(t *testing.T) { declarativeValidation(t, kubeconfig, sightings, "") })

	t.Run("informer/etcd", func(t *testing.T) { informerSyncs(t, kubeconfig, bees) })
	t.Run("protobuf", func(t *testing.T) { protobufOnTheWireAndInStorage(t, dir, startEtcd(t)) })
	t.Run("protobuf in kine", func(t *testing.T) { protobufInKine(t, dir) })

	t.Run("admission plugins", func(t *testing.T) {
		requireTool(t, "kubectl", "the server's own admission plugins refuse and change objects")
		etcd := startEtcd(t)
		srv := startServer(t, dir, "--etcd-servers", etcd)
		hive := func(name string) string {
			path := filepath.Join(t.TempDir(), name+".yaml")
			writeFile(t, path, "apiVersion: insect.example.com/v1alpha1\nkind: Hive\nmetadata:\n  name: "+name+"\nspec:\n  description: by the pond\n")
			return path
		}
		mustKubectl(t, srv.kubeconfig, "create", "-f", hive("first"))
		if out := mustKubectl(t, srv.kubeconfig, "get", "hive", "first", "-o", "jsonpath={.metadata.labels}"); !strings.Contains(out, `"admission.example.com/admitted-by":"stampowner"`) {
			t.Fatalf("the mutating plugin did not label the hive: %s", out)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := kubectl(ctx, srv.kubeconfig, "create", "-f", hive("second"))
		if err == nil || !strings.Contains(out, `hives.insect.example.com "second" is forbidden: spec.description "by the pond" is already used by hive first`) {
			t.Fatalf("a duplicate description was not refused by BanDuplicates (err %v):\n%s", err, out)
		}
		srv.stop()
		// Switched off by the server's flag, the plugin lets it through.
		srv = startServer(t, dir, "--etcd-servers", etcd, "--disable-admission-plugins", "BanDuplicates")
		mustKubectl(t, srv.kubeconfig, "create", "-f", hive("second"))
		if out := mustKubectl(t, srv.kubeconfig, "get", "hive", "second", "-o", "jsonpath={.metadata.labels}"); !strings.Contains(out, "stampowner") {
			t.Fatalf("StampOwner went off with BanDuplicates: %s", out)
		}
	})

	// Custom storage does not depend on the server's backend: its kinds are
	// proven on the etcd server.
	t.Run("custom storage", func(t *testing.T) {
		requireTool(t, "kubectl", "custom-storage kinds answer the real-kubectl matrix")
		kubectlMatrix(t, kubeconfig, sightings)
		statusSubresource(t, kubeconfig, sightings)
		informerSyncs(t, kubeconfig, sightings)
		readOnlyComputed(t, kubeconfig, dir)
		controllerReconciles(t, dir, kubeconfig, sightings)
		customStorageGone(t, kubeconfig, sightings)
	})

	t.Run("sqlite", func(t *testing.T) {
		requireTool(t, "kubectl", "kine on SQLite answers the real-kubectl matrix")
		backendMatrix(t, dir, bees, "--storage", "sqlite", "--storage-dsn", filepath.Join(t.TempDir(), "data", "state.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		requireTool(t, "kubectl", "kine on Postgres answers the real-kubectl matrix")
		dsn := startPostgres(t)
		backendMatrix(t, dir, bees, "--storage", "postgres", "--storage-dsn", dsn)
	})
	t.Run("storage bad input", func(t *testing.T) { storageBadInput(t, dir) })

	// High availability, proven by killing what HA is meant to survive.
	t.Run("HA: etcd cluster and two apiservers under faults", func(t *testing.T) { haUnderFaults(t, dir) })
	t.Run("HA: two apiservers on postgres under faults", func(t *testing.T) { haOnPostgres(t, dir, startPostgres(t)) })
}

// startStandalone starts the project's bin/apiserver with --standalone on
// the etcd at etcd and returns a kubeconfig for an admin.
func startStandalone(t *testing.T, dir, etcd string) string {
	t.Helper()
	return startServer(t, dir, "--etcd-servers", etcd).kubeconfig
}

// server is a running bin/apiserver of a project.
type server struct {
	kubeconfig string
	log        *syncBuffer
	stop       func() // stops it and waits for it to exit
	kill       func() // SIGKILL, as a node's loss or an OOM kill does, and waits
	pid        int
}

// startServer starts the project's bin/apiserver with --standalone on
// loopback with the given storage flags, authenticating clients by
// certificates of a fresh CA, and returns it with a kubeconfig for an admin
// (group system:masters). It is stopped when the test ends, if not before.
func startServer(t testing.TB, dir string, storageArgs ...string) *server {
	t.Helper()
	pki, err := localrun.EnsurePKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "bin", "apiserver"), append(storageArgs,
		"--standalone",
		"--bind-address", "127.0.0.1",
		"--secure-port", fmt.Sprint(port),
		"--tls-cert-file", pki.Path("apiserver.crt"),
		"--tls-private-key-file", pki.Path("apiserver.key"),
		"--client-ca-file", pki.Path("ca.crt"),
	)...)
	// SIGTERM, as a kubelet would: the server shuts down gracefully (and
	// kine with it), so a restart finds the database as it was left.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 20 * time.Second
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			<-exited
		})
	}
	kill := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("apiserver log (last 4 KiB):\n%s", tail([]byte(log.String()), 4096))
		}
	})

	addr := fmt.Sprintf("https://127.0.0.1:%d", port)
	start := time.Now()
	readyCtx, cancelReady := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancelReady()
	if err := pki.WaitReady(readyCtx, addr, exited, true); err != nil {
		t.Fatalf("%v\n%s", err, tail([]byte(log.String()), 4096))
	}
	t.Logf("apiserver (%s) ready in %s", strings.Join(storageArgs, " "), time.Since(start).Round(10*time.Millisecond))
	kubeconfig := filepath.Join(pki.Dir, "kubeconfig")
	if err := pki.WriteKubeconfig(kubeconfig, addr, "default"); err != nil {
		t.Fatal(err)
	}
	return &server{kubeconfig: kubeconfig, log: log, stop: stop, kill: kill, pid: cmd.Process.Pid}
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
