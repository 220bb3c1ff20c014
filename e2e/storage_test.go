package e2e

import (
	"context"
	"crypto/sha256"
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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

// resourceUnderTest is a namespaced kind scaffolded with the default types
// (spec.replicas, spec.description, status.conditions) and columns.
type resourceUnderTest struct {
	plural, kind, group, version string
	sample                       string // its sample/<kind>.yaml
	// reconciled: the project's controller runs against the server, so the
	// Ready column may already say True.
	reconciled bool
}

func (r resourceUnderTest) gvr() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: r.group, Version: r.version, Resource: r.plural}
}

// manifest writes an object of r to a file and returns its path.
func (r resourceUnderTest) manifest(t *testing.T, name, rest string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".yaml")
	writeFile(t, path, fmt.Sprintf("apiVersion: %s/%s\nkind: %s\nmetadata:\n  name: %s\n%s", r.group, r.version, r.kind, name, rest))
	return path
}

// kubectlMatrix runs what a user does with real kubectl against r: create,
// get with the scaffolded columns, field and label selectors, server-side
// apply, patch, label, a rejected invalid object, a chunked list, watch,
// explain and delete. It leaves "applied" and three "chunk-N" objects.
func kubectlMatrix(t *testing.T, kubeconfig string, r resourceUnderTest) {
	t.Helper()
	sample := strings.ToLower(r.kind) + "-sample"
	mustKubectl(t, kubeconfig, "create", "-f", r.sample)
	out := mustKubectl(t, kubeconfig, "get", r.plural)
	if !containsLine(out, "NAME", "REPLICAS", "READY", "AGE") || !(containsLine(out, sample, "1", "Unknown") || r.reconciled && containsLine(out, sample, "1", "True")) {
		t.Fatalf("kubectl get %s does not show the scaffolded columns:\n%s", r.plural, out)
	}
	out = mustKubectl(t, kubeconfig, "get", r.plural, sample, "-o", "yaml")
	for _, want := range []string{"apiVersion: " + r.group + "/" + r.version, "kind: " + r.kind, "namespace: default", "replicas: 1", "generation: 1", "uid: ", "creationTimestamp: "} {
		if !strings.Contains(out, want) {
			t.Fatalf("get -o yaml lacks %q:\n%s", want, out)
		}
	}
	if out = mustKubectl(t, kubeconfig, "get", r.plural, "--field-selector", "metadata.name="+sample, "-o", "name"); strings.TrimSpace(out) != strings.ToLower(r.kind)+"."+r.group+"/"+sample {
		t.Fatalf("field selector:\n%s", out)
	}

	applied := r.manifest(t, "applied", "spec:\n  replicas: 3\n  description: applied server-side\n")
	mustKubectl(t, kubeconfig, "apply", "--server-side", "--field-manager", "e2e", "-f", applied)
	out = mustKubectl(t, kubeconfig, "get", r.plural, "applied", "-o", "yaml", "--show-managed-fields")
	if !strings.Contains(out, "manager: e2e") || !strings.Contains(out, "operation: Apply") || !strings.Contains(out, "replicas: 3") {
		t.Fatalf("server-side apply did not record managed fields:\n%s", out)
	}
	// A second apply by another manager that takes spec.replicas conflicts,
	// and wins with --force-conflicts.
	other := r.manifest(t, "applied", "spec:\n  replicas: 4\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := kubectl(ctx, kubeconfig, "apply", "--server-side", "--field-manager", "other", "-f", other); err == nil || !strings.Contains(out, "conflict") {
		t.Fatalf("a conflicting server-side apply was accepted (err %v):\n%s", err, out)
	}
	mustKubectl(t, kubeconfig, "apply", "--server-side", "--field-manager", "other", "--force-conflicts", "-f", other)
	if out = mustKubectl(t, kubeconfig, "get", r.plural, "applied", "-o", "jsonpath={.spec.replicas} {.spec.description}"); out != "4 applied server-side" {
		t.Fatalf("after a forced apply: %q", out)
	}

	mustKubectl(t, kubeconfig, "patch", r.plural, sample, "--type=merge", "-p", `{"spec":{"description":"patched"}}`)
	mustKubectl(t, kubeconfig, "label", r.plural, sample, "color=gold")
	out = mustKubectl(t, kubeconfig, "get", r.plural, "-l", "color=gold", "-o", "jsonpath={.items[*].metadata.name} {.items[0].spec.description} {.items[0].metadata.generation}")
	if out != sample+" patched 2" {
		t.Fatalf("after patch and label, the label selector gives %q, want %q", out, sample+" patched 2")
	}
	if out = mustKubectl(t, kubeconfig, "get", r.plural, "-l", "color!=gold", "-o", "name"); strings.Contains(out, sample) || !strings.Contains(out, "applied") {
		t.Fatalf("negative label selector:\n%s", out)
	}

	invalid := r.manifest(t, "invalid", "spec:\n  replicas: -1\n")
	out, err := kubectl(ctx, kubeconfig, "create", "-f", invalid)
	if err == nil || !strings.Contains(out, "spec.replicas: Invalid value: -1: must be greater than or equal to 0") {
		t.Fatalf("an invalid object was not rejected with the validation message (err %v):\n%s", err, out)
	}

	// A chunked list: one object per request, following continue tokens.
	for i := 0; i < 3; i++ {
		mustKubectl(t, kubeconfig, "create", "-f", r.manifest(t, fmt.Sprintf("chunk-%d", i), ""))
	}
	out = mustKubectl(t, kubeconfig, "get", r.plural, "--chunk-size=1", "-o", "name", "-v=6")
	var listed []string
	for _, line := range strings.Split(out, "\n") {
		if name, ok := strings.CutPrefix(line, strings.ToLower(r.kind)+"."+r.group+"/"); ok {
			listed = append(listed, name)
		}
	}
	if want := []string{"applied", sample, "chunk-0", "chunk-1", "chunk-2"}; !sameSet(listed, want) {
		t.Fatalf("chunked list gave %v, want %v:\n%s", listed, want, out)
	}
	if n := strings.Count(out, "continue="); n < 4 {
		t.Fatalf("the list was not chunked: %d continued requests:\n%s", n, out)
	}

	// Watch: wait for the initial list (the sample), then see a create and a delete.
	watchCtx, stopWatch := context.WithTimeout(context.Background(), time.Minute)
	defer stopWatch()
	w := exec.CommandContext(watchCtx, "kubectl", "--kubeconfig", kubeconfig, "get", r.plural, "-w", "--output-watch-events")
	var watchOut syncBuffer
	w.Stdout = &watchOut
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return containsLine(watchOut.String(), "ADDED", sample) },
		func() string { return "the watch did not list the sample:\n" + watchOut.String() })
	mustKubectl(t, kubeconfig, "create", "-f", r.manifest(t, "watched", ""))
	mustKubectl(t, kubeconfig, "label", r.plural, "watched", "seen=yes")
	mustKubectl(t, kubeconfig, "delete", r.plural, "watched")
	waitFor(t, 30*time.Second, func() bool {
		all := watchOut.String()
		return containsLine(all, "ADDED", "watched") && containsLine(all, "MODIFIED", "watched") && containsLine(all, "DELETED", "watched")
	}, func() string { return "kubectl get -w did not see ADDED, MODIFIED and DELETED:\n" + watchOut.String() })
	stopWatch()
	_ = w.Wait()

	if out = mustKubectl(t, kubeconfig, "explain", r.plural+".spec"); !strings.Contains(out, "replicas") || !strings.Contains(out, "description") {
		t.Fatalf("explain %s.spec:\n%s", r.plural, out)
	}

	mustKubectl(t, kubeconfig, "delete", "-f", r.sample)
	if out := mustKubectl(t, kubeconfig, "get", r.plural, "-o", "name"); strings.Contains(out, sample) {
		t.Fatalf("%s still listed after delete:\n%s", sample, out)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func dynamicClient(t *testing.T, kubeconfig string) dynamic.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return dyn
}

// informerSyncs proves what client-go informers need: a watch-list request
// (sendInitialEvents, as informers make by default) gets every object as
// ADDED and then the bookmark that ends them; and an informer syncs and sees
// a later update.
func informerSyncs(t *testing.T, kubeconfig string, r resourceUnderTest) {
	t.Helper()
	dyn := dynamicClient(t, kubeconfig)
	res := dyn.Resource(r.gvr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	list, err := res.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := res.Watch(ctx, metav1.ListOptions{SendInitialEvents: ptr.To(true), AllowWatchBookmarks: true, ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan})
	if err != nil {
		t.Fatalf("watch-list request: %v", err)
	}
	var added []string
	for ended := false; !ended; {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("the watch-list ended before its bookmark; ADDED %v", added)
			}
			u, _ := ev.Object.(*unstructured.Unstructured)
			switch {
			case ev.Type == watch.Added && u != nil:
				added = append(added, u.GetName())
			case ev.Type == watch.Bookmark && u != nil && u.GetAnnotations()[metav1.InitialEventsAnnotationKey] == "true":
				ended = true
			case ev.Type == watch.Bookmark:
			default:
				t.Fatalf("watch-list: unexpected %v event %+v", ev.Type, ev.Object)
			}
		case <-ctx.Done():
			t.Fatalf("no initial-events-end bookmark; ADDED %v", added)
		}
	}
	w.Stop()
	var names []string
	for _, item := range list.Items {
		names = append(names, item.GetName())
	}
	if !sameSet(added, names) {
		t.Fatalf("watch-list sent %v, a list gives %v", added, names)
	}

	factory := dynamicinformer.NewDynamicSharedInformerFactory(dyn, 0)
	informer := factory.ForResource(r.gvr()).Informer()
	updated := make(chan string, 16)
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{UpdateFunc: func(_, obj any) {
		if u, ok := obj.(*unstructured.Unstructured); ok && u.GetLabels()["informed"] == "yes" {
			updated <- u.GetName()
		}
	}}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	factory.Start(stop)
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		t.Fatal("the informer did not sync")
	}
	if n := len(informer.GetStore().List()); n != len(names) {
		t.Fatalf("the informer holds %d objects, the server %d", n, len(names))
	}
	name := "informed-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": r.group + "/" + r.version, "kind": r.kind, "metadata": map[string]any{"name": name}}}
	ns := res.Namespace(metav1.NamespaceDefault)
	if _, err := ns.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"labels":{"informed":"yes"}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-updated:
		if got != name {
			t.Fatalf("the informer saw an update of %s, want %s", got, name)
		}
	case <-ctx.Done():
		t.Fatal("the informer did not see the update")
	}
	if err := ns.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// statusSubresource: the status is written through /status only, which
// leaves the spec alone; and an update with a stale resourceVersion is a 409.
func statusSubresource(t *testing.T, kubeconfig string, r resourceUnderTest) {
	t.Helper()
	res := dynamicClient(t, kubeconfig).Resource(r.gvr()).Namespace(metav1.NamespaceDefault)
	stale, err := res.Get(context.Background(), "applied", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	statusOnlyThroughSubresource(t, res, "applied", "applied server-side")
	_ = unstructured.SetNestedField(stale.Object, "stale", "spec", "description")
	if _, err := res.Update(context.Background(), stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("update with a stale resourceVersion: %v, want 409 Conflict", err)
	}
}

// statusOnlyThroughSubresource: an update of name's status changes the
// status and not the spec (whose description is description); a patch of
// the main resource does not change the status.
func statusOnlyThroughSubresource(t *testing.T, res dynamic.ResourceInterface, name, description string) {
	t.Helper()
	ctx := context.Background()
	got, err := res.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedField(got.Object, int64(7), "status", "observedGeneration")
	_ = unstructured.SetNestedField(got.Object, "ignored", "spec", "description")
	updated, err := res.UpdateStatus(ctx, got, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g, _, _ := unstructured.NestedInt64(updated.Object, "status", "observedGeneration"); g != 7 {
		t.Fatalf("status update lost the status: %v", updated.Object["status"])
	}
	if d, _, _ := unstructured.NestedString(updated.Object, "spec", "description"); d != description {
		t.Fatalf("status update changed the spec: %q", d)
	}
	patched, err := res.Patch(ctx, name, types.MergePatchType, []byte(`{"status":{"observedGeneration":9}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g, _, _ := unstructured.NestedInt64(patched.Object, "status", "observedGeneration"); g != 7 {
		t.Fatalf("the main resource changed the status: observedGeneration %d", g)
	}
}

// computedNodeUsages is how a user fills a read-only kind, as backend.go's
// comment shows: a loop that refreshes the objects once a second.
const computedNodeUsages = `package nodeusage

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/bees/pkg/apis/metrics"
	"example.com/bees/pkg/storage/custom"
)

// newBackend returns NodeUsages that refresh computes.
func newBackend() custom.Reader[*metrics.NodeUsage] {
	m := custom.NewMemory[*metrics.NodeUsage](metrics.Resource("nodeusages"))
	go refresh(m)
	return m
}

// refresh measures each node once a second.
func refresh(m *custom.Memory[*metrics.NodeUsage]) {
	ctx := context.Background()
	for i := 0; ; i++ {
		for _, node := range []struct{ name, role string }{{"node-a", "control-plane"}, {"node-b", "worker"}} {
			usage := fmt.Sprintf("sample %d", i)
			current, err := m.Get(ctx, "", node.name)
			if err != nil {
				obj := &metrics.NodeUsage{ObjectMeta: metav1.ObjectMeta{Name: node.name, Labels: map[string]string{"role": node.role}, CreationTimestamp: metav1.Now()}}
				obj.Spec.Description = usage
				_, _ = m.Create(ctx, obj)
				continue
			}
			current.Spec.Description = usage
			_, _ = m.Update(ctx, current)
		}
		time.Sleep(time.Second)
	}
}
`

// readOnlyComputed: a read-only kind serves get, list with selectors and
// watch; every write is 405 Method Not Allowed.
func readOnlyComputed(t *testing.T, kubeconfig, dir string) {
	t.Helper()
	waitFor(t, 10*time.Second, func() bool {
		out, _ := kubectl(context.Background(), kubeconfig, "get", "nodeusages")
		return containsLine(out, "node-a") && containsLine(out, "node-b")
	}, func() string { return "nodeusages were not listed" })
	if out := mustKubectl(t, kubeconfig, "get", "nodeusages", "-l", "role=worker", "-o", "name"); strings.TrimSpace(out) != "nodeusage.metrics.example.com/node-b" {
		t.Fatalf("label selector on a computed kind:\n%s", out)
	}
	if out := mustKubectl(t, kubeconfig, "get", "nodeusage", "node-a", "-o", "jsonpath={.spec.description}"); !strings.HasPrefix(out, "sample ") {
		t.Fatalf("get node-a: %q", out)
	}
	watchCtx, stopWatch := context.WithTimeout(context.Background(), time.Minute)
	defer stopWatch()
	w := exec.CommandContext(watchCtx, "kubectl", "--kubeconfig", kubeconfig, "get", "nodeusages", "-w", "--output-watch-events")
	var watchOut syncBuffer
	w.Stdout = &watchOut
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, func() bool { return containsLine(watchOut.String(), "MODIFIED", "node-a") },
		func() string { return "no MODIFIED event of a computed object:\n" + watchOut.String() })
	stopWatch()
	_ = w.Wait()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, args := range [][]string{
		{"create", "-f", filepath.Join(dir, "sample", "nodeusage.yaml")},
		{"delete", "nodeusage", "node-a"},
		{"patch", "nodeusage", "node-a", "--type=merge", "-p", `{"spec":{"description":"x"}}`},
		{"label", "nodeusage", "node-a", "x=y"},
	} {
		if out, err := kubectl(ctx, kubeconfig, args...); err == nil || !strings.Contains(out, "MethodNotAllowed") {
			t.Fatalf("kubectl %s on a read-only kind (err %v):\n%s", strings.Join(args, " "), err, out)
		}
	}
	res := dynamicClient(t, kubeconfig).Resource(schema.GroupVersionResource{Group: "metrics.example.com", Version: "v1beta1", Resource: "nodeusages"})
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "metrics.example.com/v1beta1", "kind": "NodeUsage", "metadata": map[string]any{"name": "x"}}}
	if _, err := res.Create(ctx, obj, metav1.CreateOptions{}); !apierrors.IsMethodNotSupported(err) {
		t.Fatalf("create through client-go: %v, want 405", err)
	}
}

// backendMatrix starts the server on a SQL backend, runs the kubectl matrix,
// the watch-list and informer checks, checks that consistent lists are
// served from the watch cache, then restarts the server on the same
// database and finds every object as it was.
func backendMatrix(t *testing.T, dir string, r resourceUnderTest, storageArgs ...string) {
	t.Helper()
	srv := startServer(t, dir, storageArgs...)
	kubectlMatrix(t, srv.kubeconfig, r)
	informerSyncs(t, srv.kubeconfig, r)
	consistentReadsFromCache(t, srv.kubeconfig, r)

	mustKubectl(t, srv.kubeconfig, "label", r.plural, "applied", "persisted=yes")
	before := mustKubectl(t, srv.kubeconfig, "get", r.plural, "-o", "jsonpath={range .items[*]}{.metadata.name} {.metadata.uid} {.metadata.resourceVersion} {.spec.replicas}{\"\\n\"}{end}")
	srv.stop()

	srv = startServer(t, dir, storageArgs...)
	after := mustKubectl(t, srv.kubeconfig, "get", r.plural, "-o", "jsonpath={range .items[*]}{.metadata.name} {.metadata.uid} {.metadata.resourceVersion} {.spec.replicas}{\"\\n\"}{end}")
	if before != after || strings.Count(after, "\n") != 4 {
		t.Fatalf("the objects changed across a restart:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if out := mustKubectl(t, srv.kubeconfig, "get", r.plural, "-l", "persisted=yes", "-o", "name"); !strings.Contains(out, "/applied") {
		t.Fatalf("the label did not survive the restart:\n%s", out)
	}
	// Writes go on from where they were.
	mustKubectl(t, srv.kubeconfig, "create", "-f", r.manifest(t, "after-restart", ""))
	mustKubectl(t, srv.kubeconfig, "delete", r.plural, "chunk-0")
	if out := mustKubectl(t, srv.kubeconfig, "get", r.plural, "-o", "name"); !strings.Contains(out, "/after-restart") || strings.Contains(out, "/chunk-0") {
		t.Fatalf("after the restart:\n%s", out)
	}
}

var consistentRead = regexp.MustCompile(`apiserver_watch_cache_consistent_read_total\{fallback="(\w+)",group="([^"]+)",resource="([^"]+)",success="(\w+)"\} (\d+)`)

// consistentReadsFromCache checks how the apiserver served a consistent
// list (resourceVersion ""): from its watch cache, without falling back to
// the backend. It does so only if the backend says it supports watch
// progress requests and sends progress notifications, which kine does when
// configured (storage.go); otherwise every such list goes to the database.
func consistentReadsFromCache(t *testing.T, kubeconfig string, r resourceUnderTest) {
	t.Helper()
	mustKubectl(t, kubeconfig, "get", r.plural)
	metrics := mustKubectl(t, kubeconfig, "get", "--raw", "/metrics")
	served := 0
	for _, m := range consistentRead.FindAllStringSubmatch(metrics, -1) {
		if m[2] != r.group || m[3] != r.plural {
			continue
		}
		n, _ := strconv.Atoi(m[5])
		if m[1] != "false" || m[4] != "true" {
			if n > 0 {
				t.Fatalf("consistent reads fell back or failed: %s", m[0])
			}
			continue
		}
		served += n
	}
	if served == 0 {
		t.Fatalf("no consistent read was served from the watch cache:\n%s", strings.Join(consistentRead.FindAllString(metrics, -1), "\n"))
	}
	t.Logf("%d consistent lists served from the watch cache", served)
}

// storageBadInput: each mistake is one clear line and a non-zero exit, and
// the file given is left as it was.
func storageBadInput(t *testing.T, dir string) {
	notDB := filepath.Join(t.TempDir(), "notes.txt")
	writeFile(t, notDB, "my notes, not a database\n")
	sum := func() [32]byte { b, _ := os.ReadFile(notDB); return sha256.Sum256(b) }
	before := sum()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--storage", "cassandra"}, `unknown --storage "cassandra": use etcd, sqlite, postgres or mysql`},
		{[]string{"--storage", "sqlite"}, "--storage=sqlite needs --storage-dsn"},
		{[]string{"--storage", "sqlite", "--storage-dsn", notDB}, "--storage-dsn: " + notDB + " is not a SQLite database"},
		{[]string{"--storage", "sqlite", "--storage-dsn", notDB, "--etcd-servers", "http://127.0.0.1:2379"}, "--etcd-servers cannot be used with --storage=sqlite"},
		{[]string{"--storage", "postgres", "--storage-dsn", "host=db user=kine"}, "--storage-dsn for --storage=postgres must be a URL starting with postgres://"},
		{[]string{"--storage", "postgres", "--storage-dsn", "postgres://kine:secret@127.0.0.1:1/kine?sslmode=disable", "--storage-connect-timeout", "2s"},
			"cannot reach the postgres server of --storage-dsn (postgres://kine:xxxxx@127.0.0.1:1/kine?sslmode=disable) within 2s"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, filepath.Join(dir, "bin", "apiserver"), append(c.args, "--standalone", "--client-ca-file", notDB,
			"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(freePort(t)))...)
		out, err := cmd.CombinedOutput()
		cancel()
		out = []byte(strings.ReplaceAll(string(out), `\"`, `"`)) // klog quotes the message
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("apiserver %s: err %v, want a failure saying %q:\n%s", strings.Join(c.args, " "), err, c.want, tail(out, 2048))
		}
		if strings.Contains(string(out), "secret") {
			t.Errorf("apiserver %s printed the DSN's password:\n%s", strings.Join(c.args, " "), out)
		}
	}
	if sum() != before {
		t.Error("a failed start changed the file given as --storage-dsn")
	}
}

// controllerReconciles runs the project's controller manager against the
// server and waits until the scaffolded controller marks r's "applied"
// Ready, through the status subresource.
func controllerReconciles(t *testing.T, dir, kubeconfig string, r resourceUnderTest) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "bin", "controller-manager"), "--kubeconfig", kubeconfig,
		"--health-probe-bind-address", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--metrics-bind-address", "0")
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	waitFor(t, time.Minute, func() bool {
		out, _ := kubectl(context.Background(), kubeconfig, "get", r.plural, "applied", "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
		return out == "True"
	}, func() string {
		return "the controller did not mark applied Ready:\n" + string(tail([]byte(log.String()), 4096))
	})
	if out := mustKubectl(t, kubeconfig, "get", r.plural, "applied"); !containsLine(out, "applied", "True") {
		t.Fatalf("the Ready column:\n%s", out)
	}
}

// customStorageGone proves over HTTP the answers of custom storage that send
// clients back to a fresh list, as etcd's do: 410 Gone for the next page of
// a list that changed since its first (with a token for the rest of the
// current state), for a list at an exact resourceVersion no longer served,
// and for a watch from before the history the backend keeps.
func customStorageGone(t *testing.T, kubeconfig string, r resourceUnderTest) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS = -1 // a thousand writes below, without client-side throttling
	res := dynamic.NewForConfigOrDie(cfg).Resource(r.gvr()).Namespace("default")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	selector := "e2e=gone"
	t.Cleanup(func() {
		_ = res.DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: selector})
	})
	create := func(name string) *unstructured.Unstructured {
		t.Helper()
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": r.group + "/" + r.version, "kind": r.kind,
			"metadata": map[string]any{"name": name, "labels": map[string]any{"e2e": "gone"}},
		}}
		created, err := res.Create(ctx, obj, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return created
	}
	for _, name := range []string{"gone-a", "gone-b", "gone-c"} {
		create(name)
	}
	first, err := res.List(ctx, metav1.ListOptions{LabelSelector: selector, Limit: 2})
	if err != nil || first.GetContinue() == "" {
		t.Fatalf("first page: %v, continue %q", err, first.GetContinue())
	}
	create("gone-bb")
	_, err = res.List(ctx, metav1.ListOptions{LabelSelector: selector, Limit: 2, Continue: first.GetContinue()})
	var status apierrors.APIStatus
	if !apierrors.IsResourceExpired(err) || !errors.As(err, &status) || status.Status().Continue == "" {
		t.Fatalf("the next page after a write: %v, want 410 Gone with a continue token", err)
	}
	rest, err := res.List(ctx, metav1.ListOptions{LabelSelector: selector, Limit: 2, Continue: status.Status().Continue})
	if err != nil || len(rest.Items) != 2 || rest.Items[0].GetName() != "gone-bb" {
		t.Fatalf("paging on with the 410's token: %v, %v", err, rest)
	}

	if _, err := res.List(ctx, metav1.ListOptions{ResourceVersion: first.GetResourceVersion(), ResourceVersionMatch: metav1.ResourceVersionMatchExact}); !apierrors.IsResourceExpired(err) {
		t.Fatalf("a list at a past exact resourceVersion: %v, want 410 Gone", err)
	}

	// More changes than custom.Memory keeps for watches that resume (1000).
	obj := create("gone-changing")
	from := obj.GetResourceVersion()
	for i := range 1001 {
		patch := fmt.Sprintf(`{"metadata":{"annotations":{"change":"%d"}}}`, i)
		if obj, err = res.Patch(ctx, obj.GetName(), types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	w, err := res.Watch(ctx, metav1.ListOptions{ResourceVersion: from})
	if err == nil {
		// The apiserver may also answer with the error as the watch's first event.
		select {
		case ev := <-w.ResultChan():
			if ev.Type == watch.Error {
				err = apierrors.FromObject(ev.Object)
			}
		case <-ctx.Done():
		}
		w.Stop()
	}
	if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
		t.Fatalf("a watch from before the kept history: %v, want 410 Gone", err)
	}
	w, err = res.Watch(ctx, metav1.ListOptions{ResourceVersion: obj.GetResourceVersion()})
	if err != nil {
		t.Fatalf("a watch from the current resourceVersion: %v", err)
	}
	w.Stop()
}
