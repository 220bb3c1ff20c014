package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// protobufClientProgram is what a user's program does with the project's
// generated clientset and informers, with a transport that records the
// media types of every request and response, on a namespaced kind of
// insect/v1alpha1 with a status subresource (Kind stands for its name). Its
// arguments: the kubeconfig, a namespace, and "json" to take the documented
// switch back to JSON (rest.Config.ContentType).
const protobufClientProgram = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"

	insectv1alpha1 "example.com/bees/pkg/apis/insect/v1alpha1"
	"example.com/bees/pkg/generated/clientset/versioned"
	"example.com/bees/pkg/generated/informers/externalversions"
)

// exchange is one request: what it sent and what came back.
type exchange struct {
	Method, Path, Sent, Accept, Received string
}

type recorder struct {
	mu   sync.Mutex
	log  []exchange
	next http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.log = append(r.log, exchange{req.Method, req.URL.Path, req.Header.Get("Content-Type"), req.Header.Get("Accept"), resp.Header.Get("Content-Type")})
		r.mu.Unlock()
	}
	return resp, err
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	kubeconfig, ns := os.Args[1], os.Args[2]
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	if len(os.Args) > 3 && os.Args[3] == "json" {
		cfg.ContentType = "application/json"
	}
	rec := &recorder{}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { rec.next = rt; return rec }
	cs, err := versioned.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// An informer: list and watch.
	factory := externalversions.NewSharedInformerFactoryWithOptions(cs, 0, externalversions.WithNamespace(ns))
	seen := make(chan string, 16)
	informer := factory.Insect().V1alpha1().Kinds().Informer()
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, o any) { seen <- o.(metav1.Object).GetLabels()["encoding"] },
	}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		return fmt.Errorf("the informer did not sync")
	}

	// create, get, list, update, update status, delete.
	c := cs.InsectV1alpha1().Kinds(ns)
	obj := metav1.ObjectMeta{Name: "pb-object", Namespace: ns, Labels: map[string]string{"encoding": "any"}}
	o, err := c.Create(ctx, &insectv1alpha1.Kind{ObjectMeta: obj, Spec: insectv1alpha1.KindSpec{Description: "sent as protobuf"}}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if o, err = c.Get(ctx, o.Name, metav1.GetOptions{}); err != nil {
		return fmt.Errorf("get: %w", err)
	}
	if l, err := c.List(ctx, metav1.ListOptions{LabelSelector: "encoding"}); err != nil || len(l.Items) != 1 {
		return fmt.Errorf("list: %v (%d items)", err, len(l.Items))
	}
	// A controller may write the object too: retry on conflicts, as clients do.
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := c.Get(ctx, o.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Labels["encoding"] = "updated"
		o, err = c.Update(ctx, cur, metav1.UpdateOptions{})
		return err
	}); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := c.Get(ctx, o.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Status.ObservedGeneration = cur.Generation
		o, err = c.UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	}); err != nil {
		return fmt.Errorf("update status: %w", err)
	}
	got := fmt.Sprintf("%s %d", o.Spec.Description, o.Status.ObservedGeneration)
	// The informer sees the update (after a controller's, perhaps).
	for label := ""; label != "updated"; {
		select {
		case label = <-seen:
		case <-ctx.Done():
			return fmt.Errorf("the informer saw no update")
		}
	}
	if err := c.Delete(ctx, o.Name, metav1.DeleteOptions{}); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"object": got, "exchanges": rec.log})
}
`

// protobufClient builds protobufClientProgram for kind in the project and
// returns a function that runs it against a server.
func protobufClient(t *testing.T, dir, kind, plural string) func(t *testing.T, kubeconfig, ns string, jsonClient bool) []protobufExchange {
	t.Helper()
	src := filepath.Join(dir, "hack", "protobufclient")
	program := strings.NewReplacer("Kinds()", plural+"()", "Kinds(ns)", plural+"(ns)", "Kind{", kind+"{", "KindSpec{", kind+"Spec{").Replace(protobufClientProgram)
	writeFile(t, filepath.Join(src, "main.go"), program)
	bin := filepath.Join(t.TempDir(), "protobufclient")
	build := exec.Command("go", "build", "-o", bin, "./hack/protobufclient")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building a program on the generated clientset: %v\n%s", err, out)
	}
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T, kubeconfig, ns string, jsonClient bool) []protobufExchange {
		t.Helper()
		args := []string{kubeconfig, ns}
		if jsonClient {
			args = append(args, "json")
		}
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("the clientset program: %v\n%s", err, stderr)
		}
		var res struct {
			Object    string
			Exchanges []protobufExchange
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		// A label changes no generation: the status observed generation 1.
		if res.Object != "sent as protobuf 1" {
			t.Errorf("the object read back: %q", res.Object)
		}
		return res.Exchanges
	}
}

type protobufExchange struct {
	Method, Path, Sent, Accept, Received string
}

// requireEncoding checks that every exchange with the project's API group
// sent bodies and got answers in mediaType: get, list, watch, create, update
// and the status subresource.
func requireEncoding(t *testing.T, exchanges []protobufExchange, mediaType string) {
	t.Helper()
	verbs := map[string]bool{}
	for _, e := range exchanges {
		if !strings.HasPrefix(e.Path, "/apis/insect.example.com/") {
			continue
		}
		verb := e.Method
		if strings.HasSuffix(e.Path, "/status") {
			verb += " status"
		}
		verbs[verb] = true
		if e.Sent != "" && e.Sent != mediaType {
			t.Errorf("%s %s sent %s, want %s", e.Method, e.Path, e.Sent, mediaType)
		}
		if got, _, _ := strings.Cut(e.Received, ";"); got != mediaType {
			t.Errorf("%s %s (Accept: %s) answered %s, want %s", e.Method, e.Path, e.Accept, e.Received, mediaType)
		}
	}
	for _, v := range []string{"GET", "POST", "PUT", "PUT status", "DELETE"} {
		if !verbs[v] {
			t.Errorf("no %s request among %v", v, exchanges)
		}
	}
}

// storedBytes returns the value etcd holds for the object named name of the
// given plural, whatever the server's key prefix.
func storedBytes(t *testing.T, etcdURL, plural, ns, name string) []byte {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{etcdURL}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, "/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	suffix := "/" + plural + "/" + ns + "/" + name
	for _, kv := range resp.Kvs {
		if strings.HasSuffix(string(kv.Key), suffix) {
			got, err := cli.Get(ctx, string(kv.Key))
			if err != nil || len(got.Kvs) != 1 {
				t.Fatalf("reading %s: %v", kv.Key, err)
			}
			return got.Kvs[0].Value
		}
	}
	t.Fatalf("etcd holds no key ending in %s", suffix)
	return nil
}

// protobufMagic starts every object kube-apiserver's protobuf serializer writes.
var protobufMagic = []byte("k8s\x00")

// protobufOnTheWireAndInStorage is the protobuf issue's proof against one
// server: the clientset and informers talk protobuf by default and JSON when
// told; objects land in etcd as protobuf; an object an earlier release
// stored as JSON (a server with --storage-media-type application/json) is
// read and, once updated, rewritten as protobuf.
func protobufOnTheWireAndInStorage(t *testing.T, dir, etcdURL string) {
	bees, sightings := protobufClient(t, dir, "Bee", "Bees"), protobufClient(t, dir, "Sighting", "Sightings")
	// The JSON era: the server as an earlier release ran it.
	jsonServer := startServer(t, dir, "--etcd-servers", etcdURL, "--storage-media-type", "application/json")
	old := filepath.Join(t.TempDir(), "old.yaml")
	writeFile(t, old, "apiVersion: insect.example.com/v1alpha1\nkind: Bee\nmetadata:\n  name: stored-as-json\n  namespace: pb\nspec:\n  description: from the JSON era\n")
	mustKubectl(t, jsonServer.kubeconfig, "create", "-f", old)
	if v := storedBytes(t, etcdURL, "bees", "pb", "stored-as-json"); !bytes.HasPrefix(v, []byte("{")) {
		t.Fatalf("with --storage-media-type application/json etcd holds %q", v[:min(len(v), 16)])
	}
	jsonServer.stop()

	srv := startServer(t, dir, "--etcd-servers", etcdURL)
	t.Run("clientset and informer speak protobuf", func(t *testing.T) {
		requireEncoding(t, bees(t, srv.kubeconfig, "pb", false), "application/vnd.kubernetes.protobuf")
	})
	t.Run("custom storage speaks protobuf", func(t *testing.T) {
		requireEncoding(t, sightings(t, srv.kubeconfig, "pb", false), "application/vnd.kubernetes.protobuf")
	})
	t.Run("rest.Config.ContentType switches back to JSON", func(t *testing.T) {
		requireEncoding(t, bees(t, srv.kubeconfig, "pb-json", true), "application/json")
	})
	t.Run("etcd holds protobuf and still reads JSON", func(t *testing.T) {
		mustKubectl(t, srv.kubeconfig, "create", "-f", filepath.Join(dir, "sample", "bee.yaml"), "-n", "pb")
		if v := storedBytes(t, etcdURL, "bees", "pb", "bee-sample"); !bytes.HasPrefix(v, protobufMagic) {
			t.Errorf("a new object is stored as %q, not protobuf", v[:min(len(v), 16)])
		}
		if out := mustKubectl(t, srv.kubeconfig, "get", "bee", "stored-as-json", "-n", "pb", "-o", "jsonpath={.spec.description}"); out != "from the JSON era" {
			t.Fatalf("the object stored as JSON reads %q", out)
		}
		mustKubectl(t, srv.kubeconfig, "label", "bee", "stored-as-json", "-n", "pb", "era=protobuf")
		if v := storedBytes(t, etcdURL, "bees", "pb", "stored-as-json"); !bytes.HasPrefix(v, protobufMagic) {
			t.Errorf("after an update the JSON object is stored as %q, not protobuf", v[:min(len(v), 16)])
		}
	})
}

// protobufInKine checks that kine (SQLite, embedded in the apiserver) holds
// objects as protobuf too, read through kine's own etcd API on its socket.
func protobufInKine(t *testing.T, dir string) {
	srv := startServer(t, dir, "--storage", "sqlite", "--storage-dsn", filepath.Join(t.TempDir(), "state.db"))
	mustKubectl(t, srv.kubeconfig, "create", "-f", filepath.Join(dir, "sample", "bee.yaml"), "-n", "pb")
	socket := "unix://" + kineSocket(t, srv.pid)
	if v := storedBytes(t, socket, "bees", "pb", "bee-sample"); !bytes.HasPrefix(v, protobufMagic) {
		t.Errorf("kine holds %q, not protobuf", v[:min(len(v), 16)])
	}
}

// kineSocket is the path of the kine socket the process pid listens on: its
// directory is a private temporary one (pkg/cmd/server/storage.go), found
// through the socket inodes the process holds and the kernel's table of
// unix sockets, which names their paths.
func kineSocket(t *testing.T, pid int) string {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if inode, ok := strings.CutPrefix(target, "socket:["); ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	table, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/unix", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(table), "\n") {
		// Num RefCount Protocol Flags Type St Inode Path
		f := strings.Fields(line)
		if len(f) == 8 && inodes[f[6]] && filepath.Base(f[7]) == "kine.sock" {
			return f[7]
		}
	}
	t.Fatalf("process %d listens on no kine.sock", pid)
	return ""
}
