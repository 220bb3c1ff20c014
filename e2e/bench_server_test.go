package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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

// startDelegated starts an aggregated apiserver binary as a cluster runs
// it: on its own etcd, authenticating and authorizing through kube-apiserver
// (admin), with its generic admission. It returns a client for resource.
func startDelegated(b testing.TB, bin, admin string, gvr schema.GroupVersionResource) (pid int, res dynamic.ResourceInterface, watch func(context.Context, string) (io.ReadCloser, error)) {
	b.Helper()
	port := freePort(b)
	cmd := exec.Command(bin,
		"--etcd-servers", startEtcd(b),
		"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(port), "--cert-dir", b.TempDir(),
		"--kubeconfig", admin, "--authentication-kubeconfig", admin, "--authorization-kubeconfig", admin,
	)
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
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	res = dyn.Resource(gvr).Namespace(metav1.NamespaceDefault)
	if watch, err = benchload.RawWatch(cfg, gvr, metav1.NamespaceDefault); err != nil {
		b.Fatal(err)
	}
	waitFor(b, 2*time.Minute, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := res.List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil
	}, func() string {
		return bin + " does not serve " + gvr.String() + ":\n" + string(tail([]byte(log.String()), 3072))
	})
	return cmd.Process.Pid, res, watch
}

// BenchmarkServerVsSampleAPIServer runs a generated server and
// k8s.io/sample-apiserver, of the same shape (a namespaced kind with a spec
// of two fields), each on its own embedded etcd and delegating to one real
// kube-apiserver, through the same load; bench/server.sh runs it. Two
// rounds on fresh servers, ours measured first in one and second in the
// other, so neither gains from going first (a warmer machine, a page cache):
// it prints each figure, the ratios of ours to sample-apiserver's in each
// round, and their spread.
func BenchmarkServerVsSampleAPIServer(b *testing.B) {
	cp := startKubeAPIServer(b, startEtcd(b))
	admin := cp.kubeconfigs["admin"]
	sample := sampleAPIServerBinary(b)
	_, dir := newProject(b, createKind("Bee"), []string{"build", "executables"})

	bees := schema.GroupVersionResource{Group: "insect.example.com", Version: "v1alpha1", Resource: "bees"}
	flunders := schema.GroupVersionResource{Group: "wardle.example.com", Version: "v1alpha1", Resource: "flunders"}
	targets := func() (ours, theirs benchload.Target) {
		ourPID, ourRes, ourWatch := startDelegated(b, filepath.Join(dir, "bin", "apiserver"), admin, bees)
		ours = benchload.Target{Name: "generated", PID: ourPID, Res: ourRes, Watch: ourWatch, Object: func(i int) *unstructured.Unstructured {
			return &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "insect.example.com/v1alpha1", "kind": "Bee",
				"metadata": map[string]any{"name": fmt.Sprintf("bee-%d", i)},
				"spec":     map[string]any{"replicas": int64(1), "description": fmt.Sprintf("bee number %d", i)},
			}}
		}}
		samplePID, sampleRes, sampleWatch := startDelegated(b, sample, admin, flunders)
		theirs = benchload.Target{Name: "sample-apiserver", PID: samplePID, Res: sampleRes, Watch: sampleWatch, Object: func(i int) *unstructured.Unstructured {
			return &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "wardle.example.com/v1alpha1", "kind": "Flunder",
				"metadata": map[string]any{"name": fmt.Sprintf("flunder-%d", i)},
				"spec":     map[string]any{"reference": fmt.Sprintf("flunder-%d", i+1), "referenceType": "Flunder"},
			}}
		}}
		return ours, theirs
	}
	for b.Loop() {
		fmt.Printf("machine: %d cores; 1000 creates by 16 workers, then objects up to 10000; lists: median of 5; watch: 100 watchers, 1000 events\n", numCPU())
		var ratios []string
		for round := range 2 {
			ours, theirs := targets()
			order := []*benchload.Target{&ours, &theirs}
			if round == 1 {
				order[0], order[1] = order[1], order[0]
			}
			figures := map[string]benchload.Figures{}
			for _, target := range order {
				f, err := benchload.Measure(context.Background(), *target, benchload.Options{SettleFor: 2 * time.Second})
				if err != nil {
					b.Fatal(err)
				}
				fmt.Printf("round %d %-16s %s\n", round+1, target.Name, f)
				figures[target.Name] = f
			}
			r := figures[ours.Name].Ratios(figures[theirs.Name])
			fmt.Printf("round %d (%s first) ratios vs sample-apiserver: %s\n", round+1, order[0].Name, r)
			ratios = append(ratios, r)
		}
		fmt.Printf("ratios vs sample-apiserver: %s\n", strings.Join(ratios, " | "))
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
