package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/localrun"
)

// TestRunLocal is the proof of the `run local` issue: the control plane
// starts, kubectl works, the controller sets the status, and nothing outlives
// apiserver-boot — after Ctrl-C (ten times), when a child dies, and when
// apiserver-boot itself is SIGKILLed.
func TestRunLocal(t *testing.T) {
	sideBySide(t)
	requireTool(t, "kubectl", "run local serves kubectl and its processes start and stop cleanly")
	bin, dir := newProject(t, createKind("Bee"), []string{"build", "executables"})
	kubeconfig := filepath.Join(dir, "kubeconfig")

	t.Run("serves and reconciles", func(t *testing.T) {
		r := startRunLocal(t, bin, dir)
		mustKubectl(t, kubeconfig, "create", "-f", filepath.Join(dir, "sample", "bee.yaml"))
		deadline := time.Now().Add(60 * time.Second)
		for {
			out, _ := kubectl(context.Background(), kubeconfig, "get", "bee", "bee-sample", "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.observedGeneration}`)
			if out == "True 1" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the controller did not set Ready=True and observedGeneration=1: %q\n%s", out, r.logs())
			}
			time.Sleep(250 * time.Millisecond)
		}
		if out := mustKubectl(t, kubeconfig, "get", "bees"); !containsLine(out, "bee-sample", "1", "True") {
			t.Fatalf("get bees:\n%s", out)
		}
		etcdOnlyForTheAPIServer(t, filepath.Join(dir, ".local", "run", "pki"), r.etcdPort)
		r.interruptAndCheck(t)
	})

	// kubectl's everyday questions get a cluster's answers from the standalone
	// server, and nothing more is allowed than before.
	t.Run("answers like a cluster", func(t *testing.T) {
		r := startRunLocal(t, bin, dir)
		if out := mustKubectl(t, kubeconfig, "auth", "whoami"); !containsLine(out, "Username", "admin") || !strings.Contains(out, "system:masters") {
			t.Fatalf("auth whoami:\n%s", out)
		}
		if out := mustKubectl(t, kubeconfig, "auth", "whoami", "--as", "jane"); !containsLine(out, "Username", "jane") {
			t.Fatalf("auth whoami --as jane:\n%s", out)
		}
		if out := strings.TrimSpace(mustKubectl(t, kubeconfig, "auth", "can-i", "create", "bees")); out != "yes" {
			t.Fatalf("auth can-i create bees: %q, want yes", out)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// can-i answers "no" with exit code 1.
		if out, err := kubectl(ctx, kubeconfig, "auth", "can-i", "create", "bees", "--as", "jane"); err == nil || strings.TrimSpace(out) != "no" {
			t.Fatalf("auth can-i create bees --as jane: %q (err %v), want no", out, err)
		}
		// As kube-apiserver, it answers only authenticated users: a review
		// posted as system:anonymous is refused with 403 (kubectl auth whoami
		// would say only that it cannot call the API).
		review := filepath.Join(t.TempDir(), "review.json")
		writeFile(t, review, `{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}`)
		if out, err := kubectl(ctx, kubeconfig, "create", "--raw", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "-f", review,
			"--as", "system:anonymous", "--as-group", "system:unauthenticated"); err == nil || !strings.Contains(out, "Forbidden") {
			t.Fatalf("a SelfSubjectReview as system:anonymous (err %v), want Forbidden:\n%s", err, out)
		}
		if out, err := kubectl(ctx, kubeconfig, "create", "--raw", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "-f", review,
			"--as", "jane"); err != nil || !strings.Contains(out, `"username":"jane"`) {
			t.Fatalf("a SelfSubjectReview as jane (err %v):\n%s", err, out)
		}
		if out, err := kubectl(ctx, kubeconfig, "get", "bees", "--as", "jane"); err == nil || !strings.Contains(out, `User "jane" cannot list resource "bees"`) {
			t.Fatalf("jane listed bees (err %v):\n%s", err, out)
		}
		if out := mustKubectl(t, kubeconfig, "get", "--raw", "/openapi/v3"); !strings.Contains(out, `"apis/insect.example.com/v1alpha1"`) {
			t.Fatalf("/openapi/v3 lacks the group:\n%s", out)
		}
		if out := mustKubectl(t, kubeconfig, "get", "--raw", "/readyz?verbose"); !strings.Contains(out, "[+]etcd ok") || !strings.Contains(out, "readyz check passed") {
			t.Fatalf("/readyz?verbose:\n%s", out)
		}
		r.interruptAndCheck(t)
	})

	t.Run("data persists across runs; --reset wipes it", func(t *testing.T) {
		r := startRunLocal(t, bin, dir)
		if out := mustKubectl(t, kubeconfig, "get", "bees", "-o", "name"); !strings.Contains(out, "bee-sample") {
			t.Fatalf("bee-sample is gone after a restart:\n%s", out)
		}
		r.interruptAndCheck(t)
		r = startRunLocal(t, bin, dir, "--reset")
		if out := mustKubectl(t, kubeconfig, "get", "bees", "-o", "name"); strings.Contains(out, "bee-sample") {
			t.Fatalf("bee-sample survived --reset:\n%s", out)
		}
		r.interruptAndCheck(t)
	})

	t.Run("sqlite: no etcd, data in .local/run/kine", func(t *testing.T) {
		r := startRunLocal(t, bin, dir, "--storage", "sqlite")
		if isListening(r.etcdPort) || isListening(r.etcdPort+1) {
			t.Fatal("run local --storage sqlite started etcd")
		}
		if _, err := os.Stat(filepath.Join(dir, ".local", "run", "kine", "state.db")); err != nil {
			t.Fatalf("no SQLite database: %v", err)
		}
		// The DSN (a password, for postgres and mysql) goes in the
		// environment, which only its user reads, not in the arguments.
		pid := r.children(t)["apiserver"]
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if pid == 0 || bytes.Contains(cmdline, []byte("state.db")) || !bytes.Contains(environ, []byte("STORAGE_DSN=")) {
			t.Fatalf("the apiserver (pid %d) takes its DSN in its arguments: %q", pid, cmdline)
		}
		mustKubectl(t, kubeconfig, "create", "-f", filepath.Join(dir, "sample", "bee.yaml"))
		waitFor(t, time.Minute, func() bool {
			out, _ := kubectl(context.Background(), kubeconfig, "get", "bee", "bee-sample", "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
			return out == "True"
		}, func() string { return "the controller did not reconcile a bee kept in SQLite:\n" + r.logs() })
		r.interruptAndCheck(t)
		r = startRunLocal(t, bin, dir, "--storage", "sqlite")
		if out := mustKubectl(t, kubeconfig, "get", "bees", "-o", "name"); !strings.Contains(out, "bee-sample") {
			t.Fatalf("bee-sample is gone after a restart on SQLite:\n%s", out)
		}
		r.interruptAndCheck(t)
		cmd := exec.Command(bin, "run", "local", "--build=false", "--storage", "cassandra")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err == nil || strings.TrimSpace(string(out)) != `Error: unknown --storage "cassandra": use etcd, sqlite, postgres or mysql` {
			t.Fatalf("run local --storage cassandra: %v\n%s", err, out)
		}
	})

	t.Run("ten start and Ctrl-C cycles", func(t *testing.T) {
		for i := 0; i < 10; i++ {
			r := startRunLocal(t, bin, dir)
			mustKubectl(t, kubeconfig, "get", "bees")
			r.interruptAndCheck(t)
		}
	})

	t.Run("a dead apiserver stops the rest", func(t *testing.T) {
		r := startRunLocal(t, bin, dir)
		children := r.children(t)
		apiserver := children["apiserver"]
		if apiserver == 0 || children["controller-manager"] == 0 {
			t.Fatalf("children: %v", children)
		}
		if err := syscall.Kill(apiserver, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		code := r.wait(t, 15*time.Second)
		if code != 4 {
			t.Fatalf("exit code %d after the apiserver died, want 4\n%s", code, r.logs())
		}
		if !strings.Contains(r.logs(), "apiserver exited unexpectedly") {
			t.Fatalf("no message about the dead apiserver:\n%s", r.logs())
		}
		assertGone(t, children)
		assertPortClosed(t, r.etcdPort)
	})

	t.Run("SIGKILL of apiserver-boot leaves no child", func(t *testing.T) {
		r := startRunLocal(t, bin, dir)
		children := r.children(t)
		// Without the children found first, "none survived" would prove nothing.
		if children["apiserver"] == 0 || children["controller-manager"] == 0 {
			t.Fatalf("want the apiserver and the manager as children before the SIGKILL, got %v", children)
		}
		if err := r.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		r.wait(t, 10*time.Second)
		deadline := time.Now().Add(10 * time.Second)
		for alive(children) != "" && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		assertGone(t, children)
	})

	t.Run("port in use", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		port := l.Addr().(*net.TCPAddr).Port
		cmd := exec.Command(bin, "run", "local", "--build=false", "--secure-port", strconv.Itoa(port))
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), fmt.Sprintf("port %d is already in use: choose another with --secure-port", port)) {
			t.Fatalf("got %v:\n%s", err, out)
		}
	})
}

// runLocal is a running `apiserver-boot run local`.
type runLocal struct {
	cmd      *exec.Cmd
	out      *syncBuffer
	exited   chan struct{}
	etcdPort int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (r *runLocal) logs() string { return r.out.String() }

// startRunLocal starts `run local --build=false` on free ports, with extra
// flags, and waits for its "ready" line.
func startRunLocal(t *testing.T, bin, dir string, extra ...string) *runLocal {
	t.Helper()
	etcdPort, ports := runLocalPorts(t, 2)
	cmd := exec.Command(bin, append([]string{"run", "local", "--build=false",
		"--etcd-port", strconv.Itoa(etcdPort), "--secure-port", strconv.Itoa(ports[0]), "--manager-probe-port", strconv.Itoa(ports[1])}, extra...)...)
	cmd.Dir = dir
	r := &runLocal{cmd: cmd, out: &syncBuffer{}, exited: make(chan struct{}), etcdPort: etcdPort}
	cmd.Stdout, cmd.Stderr = r.out, r.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-r.exited
	})
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(r.logs(), "apiserver ready at") {
		select {
		case <-r.exited:
			t.Fatalf("run local exited before it was ready:\n%s", r.logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("run local not ready after 60s:\n%s", r.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return r
}

// children returns the child processes of run local by name.
func (r *runLocal) children(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	deadline := time.Now().Add(10 * time.Second)
	for len(out) < 2 && time.Now().Before(deadline) {
		for _, pid := range childPIDs(r.cmd.Process.Pid) {
			exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
			out[filepath.Base(exe)] = pid
		}
		time.Sleep(50 * time.Millisecond)
	}
	return out
}

// interruptAndCheck sends SIGINT and checks that run local and every child
// are gone within 10 s, with exit code 0.
func (r *runLocal) interruptAndCheck(t *testing.T) {
	t.Helper()
	children := r.children(t)
	if len(children) != 2 {
		t.Fatalf("want the apiserver and the manager as children, got %v", children)
	}
	start := time.Now()
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := r.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGINT\n%s", code, r.logs())
	}
	assertGone(t, children)
	assertPortClosed(t, r.etcdPort)
	t.Logf("stopped in %s", time.Since(start).Round(10*time.Millisecond))
}

// wait waits for run local to exit and returns its exit code.
func (r *runLocal) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-r.exited:
	case <-time.After(timeout):
		t.Fatalf("run local still running %s after the signal\n%s", timeout, r.logs())
	}
	return r.cmd.ProcessState.ExitCode()
}

// childPIDs lists the children of pid from /proc.
func childPIDs(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		data, _ := os.ReadFile(f)
		for _, field := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(field); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// alive names the first process of pids that still exists.
func alive(pids map[string]int) string {
	for name, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil || !errors.Is(err, syscall.ESRCH) {
			return fmt.Sprintf("%s (pid %d)", name, pid)
		}
	}
	return ""
}

func assertGone(t *testing.T, pids map[string]int) {
	t.Helper()
	if a := alive(pids); a != "" {
		t.Fatalf("%s survived run local", a)
	}
}

func isListening(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err == nil {
		c.Close()
		return true
	}
	return false
}

func assertPortClosed(t *testing.T, port int) {
	t.Helper()
	if isListening(port) {
		t.Fatalf("the embedded etcd still listens on %d", port)
	}
}

// etcdOnlyForTheAPIServer: the embedded etcd serves TLS on its client and
// peer ports and answers only certificates of its own CA: the apiserver's
// client certificate on the client port, etcd's own on the peer port; not
// plain HTTP, not a client without a certificate, not the admin's kubeconfig
// certificate (another CA).
func etcdOnlyForTheAPIServer(t *testing.T, pkiDir string, port int) {
	t.Helper()
	caPEM, err := os.ReadFile(filepath.Join(pkiDir, localrun.EtcdCACert))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	get := func(url, certFile, keyFile string) (int, error) {
		cfg := &tls.Config{RootCAs: roots}
		if certFile != "" {
			cert, err := tls.LoadX509KeyPair(filepath.Join(pkiDir, certFile), filepath.Join(pkiDir, keyFile))
			if err != nil {
				t.Fatal(err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
		resp, err := client.Get(url)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	// /version (client port) and /members (peer port) are answered once the
	// TLS handshake, and with it the certificate, is accepted.
	for _, p := range []struct {
		url           string
		okCert, okKey string
	}{
		{fmt.Sprintf("https://127.0.0.1:%d/version", port), localrun.EtcdClientCert, localrun.EtcdClientKey},
		{fmt.Sprintf("https://127.0.0.1:%d/members", port+1), "etcd-peer.crt", "etcd-peer.key"},
	} {
		// The right certificate is let in: the positive control.
		if code, err := get(p.url, p.okCert, p.okKey); err != nil || code != http.StatusOK {
			t.Fatalf("%s with %s: %d %v", p.url, p.okCert, code, err)
		}
		for name, files := range map[string][2]string{"no client certificate": {}, "the admin's certificate": {"admin.crt", "admin.key"}} {
			if code, err := get(p.url, files[0], files[1]); err == nil {
				t.Errorf("%s answered a client with %s: HTTP %d", p.url, name, code)
			}
		}
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(strings.Replace(p.url, "https", "http", 1))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Errorf("%s answered plain HTTP", p.url)
			}
		}
	}
}
