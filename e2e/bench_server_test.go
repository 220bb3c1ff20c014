package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/protobuf/encoding/protowire"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/apiserver-boot/apiserver-boot/internal/benchload"
)

// sampleAPIServerVersion is the k8s.io/sample-apiserver the server benchmark
// compares with: the release of the libraries generated projects use.
const sampleAPIServerVersion = "v0.37.1"

// sampleAPIServerBinary builds k8s.io/sample-apiserver from the module
// proxy, once per version.
func sampleAPIServerBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(e2eCache(t), "sample-apiserver-"+sampleAPIServerVersion)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	gobin := t.TempDir()
	cmd := exec.Command("go", "install", "k8s.io/sample-apiserver@"+sampleAPIServerVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building k8s.io/sample-apiserver@%s: %v\n%s", sampleAPIServerVersion, err, out)
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(gobin, "sample-apiserver"), bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// delegated is an aggregated apiserver started by startDelegated.
type delegated struct {
	pid   int
	etcd  string
	cfg   *rest.Config
	res   dynamic.ResourceInterface
	watch func(context.Context, string) (io.ReadCloser, error)
}

// startDelegated starts an aggregated apiserver binary as a cluster runs
// it: on its own etcd, authenticating and authorizing through kube-apiserver
// (admin), with its generic admission, and any extra flags. It returns
// clients for resource.
func startDelegated(b testing.TB, bin, admin string, gvr schema.GroupVersionResource, extra ...string) delegated {
	b.Helper()
	port := freePort(b)
	d := delegated{etcd: startEtcd(b)}
	cmd := exec.Command(bin, append([]string{
		"--etcd-servers", d.etcd,
		"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(port), "--cert-dir", b.TempDir(),
		"--kubeconfig", admin, "--authentication-kubeconfig", admin, "--authorization-kubeconfig", admin,
	}, extra...)...)
	cmd.Dir = b.TempDir()
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	cfg, err := clientcmd.BuildConfigFromFlags("", admin)
	if err != nil {
		b.Fatal(err)
	}
	// The admin's client certificate, to this server (self-signed serving certificate).
	cfg.Host = fmt.Sprintf("https://127.0.0.1:%d", port)
	cfg.TLSClientConfig.CAData, cfg.TLSClientConfig.CAFile, cfg.TLSClientConfig.Insecure = nil, "", true
	cfg.QPS, cfg.Burst = -1, 0
	cfg.WarningHandler = rest.NoWarnings{}
	d.cfg = cfg
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	d.res = dyn.Resource(gvr).Namespace(metav1.NamespaceDefault)
	if d.watch, err = benchload.RawWatch(cfg, gvr, metav1.NamespaceDefault); err != nil {
		b.Fatal(err)
	}
	waitFor(b, 2*time.Minute, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := d.res.List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil
	}, func() string {
		return bin + " does not serve " + gvr.String() + ":\n" + string(tail([]byte(log.String()), 3072))
	})
	d.pid = cmd.Process.Pid
	return d
}

// bytesPerObject is the mean size of the values etcd holds for a resource.
func bytesPerObject(b testing.TB, etcdURL, resource string) float64 {
	b.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{etcdURL}, DialTimeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(context.Background(), "/", clientv3.WithPrefix())
	if err != nil {
		b.Fatal(err)
	}
	total, n := 0, 0
	for _, kv := range resp.Kvs {
		if strings.Contains(string(kv.Key), "/"+resource+"/") {
			total += len(kv.Value)
			n++
		}
	}
	if n == 0 {
		b.Fatalf("etcd holds no %s", resource)
	}
	return float64(total) / float64(n)
}

// kindMessage encodes the i-th object of a scaffolded kind of insect/v1alpha1
// as protobuf: metadata (named <kind in lower case>-i), and the spec's
// replicas and description at the field numbers the project's generated.proto
// gives them.
func kindMessage(b testing.TB, dir, kind string) func(i int) []byte {
	idl, err := os.ReadFile(filepath.Join(dir, "pkg/apis/insect/v1alpha1/generated.proto"))
	if err != nil {
		b.Fatal(err)
	}
	spec := regexp.MustCompile(`(?s)message ` + kind + `Spec \{.*?\n\}`).Find(idl)
	field := func(re string) protowire.Number {
		m := regexp.MustCompile(re).FindSubmatch(spec)
		if m == nil {
			b.Fatalf("generated.proto's %sSpec has no %s:\n%s", kind, re, spec)
		}
		n, _ := strconv.Atoi(string(m[1]))
		return protowire.Number(n)
	}
	replicas, description := field(`optional int32 replicas = (\d+);`), field(`optional string description = (\d+);`)
	return func(i int) []byte {
		s := protowire.AppendVarint(protowire.AppendTag(nil, replicas, protowire.VarintType), 1)
		s = protowire.AppendString(protowire.AppendTag(s, description, protowire.BytesType), fmt.Sprintf("%s number %d", kind, i))
		return benchload.MessageField(benchload.ObjectMetaField(fmt.Sprintf("%s-%d", strings.ToLower(kind), i)), 2, s)
	}
}

// BenchmarkServerVsSampleAPIServer runs a generated server, once with JSON
// clients and JSON storage and once with protobuf clients and storage (its
// default), and k8s.io/sample-apiserver (whose
// types have no protobuf: JSON), of the same shape (a namespaced kind with a
// spec of two fields), each on its own embedded etcd and delegating to one
// real kube-apiserver, through the same load; bench/server.sh runs it. Two
// rounds on fresh servers, in one order and then the reverse, so that none
// gains from its place (a warmer machine, a page cache): it prints each
// figure, the bytes per object etcd holds, the ratios to sample-apiserver's
// in each round, and their spread.
func BenchmarkServerVsSampleAPIServer(b *testing.B) {
	cp := startKubeAPIServer(b, startEtcd(b))
	admin := cp.kubeconfigs["admin"]
	sample := sampleAPIServerBinary(b)
	_, dir := newProject(b, createKind("Bee"), []string{"build", "executables"})
	encode := kindMessage(b, dir, "Bee")

	bees := schema.GroupVersionResource{Group: "insect.example.com", Version: "v1alpha1", Resource: "bees"}
	flunders := schema.GroupVersionResource{Group: "wardle.example.com", Version: "v1alpha1", Resource: "flunders"}
	bee := func(i int) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "insect.example.com/v1alpha1", "kind": "Bee",
			"metadata": map[string]any{"name": fmt.Sprintf("bee-%d", i)},
			"spec":     map[string]any{"replicas": int64(1), "description": fmt.Sprintf("bee number %d", i)},
		}}
	}
	type target struct {
		benchload.Target
		etcd, resource string
	}
	targets := func() []*target {
		// JSON on the wire and in storage: the generated server as it was before protobuf.
		oursJSON := startDelegated(b, filepath.Join(dir, "bin", "apiserver"), admin, bees, "--storage-media-type", "application/json")
		oursPB := startDelegated(b, filepath.Join(dir, "bin", "apiserver"), admin, bees)
		pb, err := benchload.NewProtobuf(oursPB.cfg, bees, "Bee", metav1.NamespaceDefault, encode)
		if err != nil {
			b.Fatal(err)
		}
		theirs := startDelegated(b, sample, admin, flunders)
		return []*target{
			{benchload.Target{Name: "generated-json", PID: oursJSON.pid, Res: oursJSON.res, Watch: oursJSON.watch, Object: bee}, oursJSON.etcd, "bees"},
			{benchload.Target{Name: "generated-protobuf", PID: oursPB.pid, Proto: pb}, oursPB.etcd, "bees"},
			{benchload.Target{Name: "sample-apiserver", PID: theirs.pid, Res: theirs.res, Watch: theirs.watch, Object: func(i int) *unstructured.Unstructured {
				return &unstructured.Unstructured{Object: map[string]any{
					"apiVersion": "wardle.example.com/v1alpha1", "kind": "Flunder",
					"metadata": map[string]any{"name": fmt.Sprintf("flunder-%d", i)},
					"spec":     map[string]any{"reference": fmt.Sprintf("flunder-%d", i+1), "referenceType": "Flunder"},
				}}
			}}, theirs.etcd, "flunders"},
		}
	}
	for b.Loop() {
		fmt.Printf("machine: %d cores; 1000 creates by 16 workers, then objects up to 10000; lists: median of 5; watch: 100 watchers, 1000 events; replay: 100 watchers from resourceVersion 0, every object\n", numCPU())
		var ratios []string
		for round := range 2 {
			order := targets()
			if round == 1 {
				slices.Reverse(order)
			}
			figures := map[string]benchload.Figures{}
			size := map[string]float64{}
			for _, target := range order {
				f, err := benchload.Measure(context.Background(), target.Target, benchload.Options{SettleFor: 2 * time.Second})
				if err != nil {
					b.Fatal(err)
				}
				size[target.Name] = bytesPerObject(b, target.etcd, target.resource)
				fmt.Printf("round %d %-18s %s  etcd %4.0f B/object\n", round+1, target.Name, f, size[target.Name])
				figures[target.Name] = f
			}
			base := figures["sample-apiserver"]
			r := fmt.Sprintf("protobuf: %s | json: %s | etcd bytes protobuf/json %.2f",
				figures["generated-protobuf"].Ratios(base), figures["generated-json"].Ratios(base), size["generated-protobuf"]/size["generated-json"])
			fmt.Printf("round %d (%s first) ratios vs sample-apiserver: %s\n", round+1, order[0].Name, r)
			ratios = append(ratios, r)
		}
		fmt.Printf("ratios vs sample-apiserver: %s\n", strings.Join(ratios, " || "))
	}
}

func numCPU() int {
	out, err := exec.Command("nproc").Output()
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}
