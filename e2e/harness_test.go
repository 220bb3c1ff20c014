// Package e2e holds the end-to-end tests: they build apiserver-boot, scaffold
// a project in a temporary directory, build it, run it, and talk to it with
// client-go and the real kubectl.
package e2e

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/localrun"
)

// buildCLI builds apiserver-boot from this tree, as `make build` does: a
// development build that knows its checkout, so the projects it scaffolds
// pin this tree (a replace directive) and `go tool apiserver-boot` runs it.
func buildCLI(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "apiserver-boot")
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-ldflags", "-X github.com/apiserver-boot/apiserver-boot/internal/release.SourceDir="+root, "-o", bin, "../cmd/apiserver-boot")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building apiserver-boot: %v\n%s", err, out)
	}
	return bin
}

// sideBySide lets a test run beside another (go test's -parallel, 2 on two
// cores) once the sequential tests are done. Those are the ones with HA
// checks under faults (TestNode, TestGeneratedServer) and the tutorial's
// real node: they count failed requests during restarts and must not share
// the machine with another test's build. A test that starts a node, puts
// servers under faults or measures time does not call it.
func sideBySide(t *testing.T) {
	t.Helper()
	t.Parallel()
}

// boot runs apiserver-boot in dir, failing the test on error.
func boot(t testing.TB, bin, dir string, args ...string) string {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("apiserver-boot %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	t.Logf("apiserver-boot %s (%s)", strings.Join(args, " "), time.Since(start).Round(100*time.Millisecond))
	return out.String()
}

// newProject builds apiserver-boot, scaffolds a project "bees" (module
// example.com/bees, domain example.com) in a temporary directory and runs
// each further apiserver-boot command line in it. It returns the CLI and the
// project directory.
func newProject(t testing.TB, commands ...[]string) (bin, dir string) {
	t.Helper()
	bin = buildCLI(t)
	dir = initProject(t, bin, "bees")
	for _, args := range commands {
		boot(t, bin, dir, args...)
	}
	return bin, dir
}

// initProject scaffolds an empty project called name (domain example.com,
// module example.com/<name>) in a temporary directory and returns it.
func initProject(t testing.TB, bin, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	boot(t, bin, dir, "init", "repo", "--domain", "example.com", "--module", "example.com/"+name)
	return dir
}

// createKind is the create command line of a kind of group insect, v1alpha1.
func createKind(kind string, extra ...string) []string {
	return append([]string{"create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", kind}, extra...)
}

// freePort returns a loopback port that is free now, below the kernel's
// ephemeral range: a port from that range can be handed to an outgoing
// connection (kubectl's, etcd's) between the test picking it and a server
// binding it, which made "port in use" failures.
func freePort(t testing.TB) int {
	t.Helper()
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 12000 {
				low = n
			}
		}
	}
	for i := 0; i < 1000; i++ {
		port := 10000 + rand.IntN(low-10000)
		if _, taken := usedPorts.LoadOrStore(port, true); taken {
			continue // handed out earlier in this run
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("no free port below the ephemeral range")
	return 0
}

// usedPorts are the ports freePort handed out: never twice in one run.
var usedPorts sync.Map

// runLocalPorts returns an etcd client port whose peer port (+1) is free too,
// and n more free ports that are neither: the kernel hands out ephemeral
// ports in sequence, so a port picked next is often the etcd port + 1.
func runLocalPorts(t *testing.T, n int) (etcd int, others []int) {
	t.Helper()
	etcd = freePort(t)
	for {
		if _, taken := usedPorts.LoadOrStore(etcd+1, true); !taken && !isListening(etcd+1) {
			break
		}
		etcd = freePort(t)
	}
	for len(others) < n {
		p := freePort(t)
		if p != etcd && p != etcd+1 && !slices.Contains(others, p) {
			others = append(others, p)
		}
	}
	return etcd, others
}

// startEtcd runs an embedded etcd on loopback for the test and returns its client URL.
func startEtcd(t testing.TB) string {
	t.Helper()
	e, err := localrun.StartEtcd(t.TempDir(), freePort(t), freePort(t), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e.ClientURL
}

// requireTool returns the path of a program the rest of the test needs. When
// it is missing, the test fails under CI (CI=true: a missing prerequisite
// must not turn a feature's proof into a skip); elsewhere it is skipped,
// naming what was not proven.
func requireTool(t testing.TB, name, proves string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, and CI must prove %s: .ci/run installs it", name, proves)
	}
	t.Skipf("%s is not installed: NOT PROVEN here: %s", name, proves)
	return ""
}

// projectTests runs the generated project's own checks: go vet, go test and gofmt.
func projectTests(t *testing.T, dir string, testPackages ...string) {
	t.Helper()
	if len(testPackages) == 0 {
		testPackages = []string{"./..."}
	}
	for _, args := range [][]string{{"vet", "./..."}, append([]string{"test"}, testPackages...)} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as the project's Makefile does
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s in the generated project: %v\n%s\nthe whole output:\n%s", strings.Join(args, " "), err, goTestFailures(out), out)
		}
		if bytes.Contains(out, []byte("matched no packages")) {
			t.Fatalf("go %s: a package pattern matched nothing (the layout changed?):\n%s", strings.Join(args, " "), out)
		}
	}
	cmd := exec.Command("gofmt", "-l", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("generated files are not gofmt-clean: %v\n%s", err, out)
	}
}

// goTestFailures picks the lines of go test (or vet) output that say what
// failed, so a truncated CI log still shows them before the server logs.
func goTestFailures(out []byte) string {
	var b strings.Builder
	for _, line := range strings.Split(string(out), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--- FAIL") || strings.HasPrefix(trimmed, "FAIL") || strings.HasPrefix(trimmed, "panic:") ||
			strings.HasPrefix(trimmed, "# ") || goTestLocation.MatchString(trimmed) {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

var goTestLocation = regexp.MustCompile(`^[\w./-]+\.go:\d+(:\d+)?: `)

// kubectl runs kubectl with the given kubeconfig.
func kubectl(ctx context.Context, kubeconfig string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", kubeconfig}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// kubectlSplit runs kubectl and returns its stdout and stderr (warnings)
// apart, failing the test on error.
func kubectlSplit(t *testing.T, kubeconfig string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", kubeconfig}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubectl %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

// mustKubectl runs kubectl and returns its output, failing the test on error.
func mustKubectl(t *testing.T, kubeconfig string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := kubectl(ctx, kubeconfig, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, failing the test after timeout with describe().
func waitFor(t testing.TB, timeout time.Duration, cond func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s; %s", timeout, describe())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestMain gives kubectl a discovery cache of this run's own: it caches per
// host:port, and a port reused by another project's server (an earlier test,
// an earlier run) would otherwise answer with that project's resources.
func TestMain(m *testing.M) {
	if spec := os.Getenv(etcdMemberEnv); spec != "" {
		os.Exit(runEtcdMember(spec))
	}
	dir, err := os.MkdirTemp("", "e2e-kube-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("KUBECACHEDIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
