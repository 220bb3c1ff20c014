package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/apiserver-boot/apiserver-boot/internal/cli"
)

const (
	migrateObjects = 1000
	// writerObjects are the Bees the writer updates during the migration:
	// a tenth, so that most are left for the migration to rewrite itself.
	writerObjects = 100
)

// storageMigration is the storage-migration proof, with data: a server
// whose storage version is v1alpha1 (old, the project's binary before
// `create version v1beta1 --storage-version`) stores 1,000 Bees; the
// project's server serves them in both versions; `migrate storage` runs
// while a writer keeps updating Bees. Afterwards etcd holds every Bee as
// v1beta1 (read from the stored bytes), none is lost, none has content the
// migration changed, and a second run writes nothing (etcd's revision stays).
func storageMigration(t *testing.T, bin, dir, old string) {
	etcdURL := startEtcd(t)
	oldSrv := startServer(t, old, "--etcd-servers", etcdURL)
	alpha := schema.GroupVersionResource{Group: "insect.example.com", Version: "v1alpha1", Resource: "bees"}
	beta := alpha
	beta.Version = "v1beta1"

	client := func(kubeconfig string) dynamic.Interface {
		cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			t.Fatal(err)
		}
		cfg.QPS, cfg.Burst = -1, 0 // no client-side throttling
		return dynamic.NewForConfigOrDie(cfg)
	}
	name := func(i int) string { return fmt.Sprintf("bee-%04d", i) }
	oldBees := client(oldSrv.kubeconfig)
	parallel(t, migrateObjects, func(i int) error {
		bee := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "insect.example.com/v1alpha1", "kind": "Bee",
			"metadata": map[string]any{"name": name(i), "namespace": "migrate"},
			"spec":     map[string]any{"description": "as created " + name(i)},
		}}
		_, err := oldBees.Resource(alpha).Namespace("migrate").Create(context.Background(), bee, metav1.CreateOptions{})
		return err
	})
	oldSrv.stop()
	if got := storedVersions(t, etcdURL); got["insect.example.com/v1alpha1"] != migrateObjects || len(got) != 1 {
		t.Fatalf("before: etcd holds %v, want %d Bees as v1alpha1", got, migrateObjects)
	}

	srv := startServer(t, dir, "--etcd-servers", etcdURL)
	bees := client(srv.kubeconfig)
	for _, gvr := range []schema.GroupVersionResource{alpha, beta} {
		list, err := bees.Resource(gvr).Namespace("migrate").List(context.Background(), metav1.ListOptions{})
		if err != nil || len(list.Items) != migrateObjects {
			t.Fatalf("%s serves %v objects (%v), want %d", gvr.Version, len(list.Items), err, migrateObjects)
		}
	}

	// The writer: updates the first writerObjects Bees (through v1alpha1,
	// whose description is v1beta1's summary) until the migration ends,
	// remembering the last value. A Bee it wrote after the migration listed
	// it makes the migration's update conflict: that Bee counts as written
	// meanwhile, and the stored bytes below show the write stored it as v1beta1.
	want := map[string]string{}
	for i := range migrateObjects {
		want[name(i)] = "as created " + name(i)
	}
	var mu sync.Mutex
	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() {
		for n := 0; ; n++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			bee, value := name(rand.IntN(writerObjects)), fmt.Sprintf("written meanwhile %d", n)
			patch := fmt.Sprintf(`{"spec":{"description":%q}}`, value)
			if _, err := bees.Resource(alpha).Namespace("migrate").Patch(context.Background(), bee, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
				writerDone <- fmt.Errorf("the writer's patch of %s: %w", bee, err)
				return
			}
			mu.Lock()
			want[bee] = value
			mu.Unlock()
		}
	}()
	result := runMigrate(t, bin, dir, srv.kubeconfig)
	close(stop)
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}
	c := result.Kinds[0]
	if len(result.Kinds) != 1 || c.Listed != migrateObjects || c.Rewritten+c.Concurrent != migrateObjects || c.Rewritten < migrateObjects-writerObjects || c.Failed != 0 || c.Gone != 0 {
		t.Fatalf("migrate storage -o json: %+v", result)
	}
	t.Logf("migrated %d Bees: %d rewritten, %d written meanwhile by the writer", c.Listed, c.Rewritten, c.Concurrent)

	if got := storedVersions(t, etcdURL); got["insect.example.com/v1beta1"] != migrateObjects || len(got) != 1 {
		t.Errorf("after: etcd holds %v, want %d Bees as v1beta1", got, migrateObjects)
	}
	list, err := bees.Resource(alpha).Namespace("migrate").List(context.Background(), metav1.ListOptions{})
	if err != nil || len(list.Items) != migrateObjects {
		t.Fatalf("after: %d Bees (%v), want %d", len(list.Items), err, migrateObjects)
	}
	for _, b := range list.Items {
		got, _, _ := unstructured.NestedString(b.Object, "spec", "description")
		if got != want[b.GetName()] {
			t.Errorf("%s: description %q, want %q (lost or rolled back)", b.GetName(), got, want[b.GetName()])
		}
		if strings.HasPrefix(got, "as created") && b.GetGeneration() != 1 {
			t.Errorf("%s: generation %d: the migration changed its spec", b.GetName(), b.GetGeneration())
		}
	}

	// Everything is stored in the current version: a second run rewrites
	// each object with itself, and the server writes no Bee.
	before := beeRevisions(t, etcdURL)
	if again := runMigrate(t, bin, dir, srv.kubeconfig); again.Kinds[0].Rewritten != migrateObjects {
		t.Errorf("the second run: %+v", again.Kinds[0])
	}
	for key, rev := range beeRevisions(t, etcdURL) {
		if rev != before[key] {
			t.Errorf("the second run wrote %s again (revision %d → %d)", key, before[key], rev)
		}
	}
}

func runMigrate(t *testing.T, bin, dir, kubeconfig string) cli.MigrateStorageResult {
	t.Helper()
	cmd := exec.Command(bin, "migrate", "storage", "--kubeconfig", kubeconfig, "--page-size", "100", "-o", "json")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var result cli.MigrateStorageResult
	if jerr := json.Unmarshal(out, &result); err != nil || jerr != nil {
		t.Fatalf("migrate storage: %v %v\n%s", err, jerr, out)
	}
	return result
}

// storedVersions counts the Bees in etcd by the apiVersion they are stored
// in (protobuf: the magic, then a runtime.Unknown naming it).
func storedVersions(t *testing.T, etcdURL string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for key, value := range storedBees(t, etcdURL) {
		var u runtime.Unknown
		if !strings.HasPrefix(string(value.Value), string(protobufMagic)) || u.Unmarshal(value.Value[len(protobufMagic):]) != nil {
			t.Fatalf("%s is not protobuf: %q", key, value.Value[:min(len(value.Value), 16)])
		}
		out[u.APIVersion]++
	}
	return out
}

// beeRevisions is the revision each stored Bee was last written at.
func beeRevisions(t *testing.T, etcdURL string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for key, kv := range storedBees(t, etcdURL) {
		out[key] = kv.ModRevision
	}
	return out
}

// storedBees reads the Bees of namespace migrate from etcd, by key.
func storedBees(t *testing.T, etcdURL string) map[string]*mvccpb.KeyValue {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{etcdURL}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(context.Background(), "/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*mvccpb.KeyValue{}
	for _, kv := range resp.Kvs {
		if strings.Contains(string(kv.Key), "/bees/migrate/") {
			out[string(kv.Key)] = kv
		}
	}
	return out
}

// parallel runs fn for 0..n-1 on eight goroutines and fails on the first error.
func parallel(t *testing.T, n int, fn func(int) error) {
	t.Helper()
	work, errs := make(chan int), make(chan error, n)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := fn(i); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
}

// copyBinary copies the project's apiserver into a directory of its own
// (as startServer expects: <dir>/bin/apiserver), for a server of an earlier
// build of the project.
func copyBinary(t *testing.T, dir string) string {
	t.Helper()
	old := t.TempDir()
	data, err := os.ReadFile(filepath.Join(dir, "bin", "apiserver"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(old, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "bin", "apiserver"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	return old
}
