package e2e

import (
	"bytes"
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/certs"
	"github.com/apiserver-boot/apiserver-boot/internal/localrun"
)

// e2eTool returns the path of one of the binaries e2e/tools builds
// (kube-apiserver, kubelet, kube-controller-manager, kube-scheduler,
// kube-proxy, coredns, registry, etcd, pause; golangci-lint and actionlint). tools/build.sh builds them
// once per machine, cached by the Kubernetes version and a hash of the tools
// module; `make test` runs it before go test, so here it only finds them.
func e2eTool(t testing.TB, name string) string {
	t.Helper()
	toolsOnce.Do(func() {
		cmd := exec.Command("bash", "tools/build.sh")
		var stderr bytes.Buffer
		cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
		out, err := cmd.Output()
		if err != nil {
			toolsErr = fmt.Errorf("tools/build.sh: %v\n%s", err, stderr.String())
			return
		}
		// The last two lines: the tools' directory and the linters'.
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) < 2 {
			toolsErr = fmt.Errorf("tools/build.sh printed %q, want the tools' and the linters' directories", out)
			return
		}
		toolsDirs = lines[len(lines)-2:]
	})
	if toolsErr != nil {
		t.Fatal(toolsErr)
	}
	for _, dir := range toolsDirs {
		bin := filepath.Join(dir, name)
		if _, err := os.Stat(bin); err == nil {
			return bin
		}
	}
	t.Fatalf("%s is not among the e2e tools in %v", name, toolsDirs)
	return ""
}

var (
	toolsOnce sync.Once
	toolsDirs []string
	toolsErr  error
)

// e2eCache is where slow e2e builds are kept, by version: the user cache
// directory, or $APISERVER_BOOT_E2E_CACHE.
func e2eCache(t testing.TB) string {
	t.Helper()
	if cache := os.Getenv("APISERVER_BOOT_E2E_CACHE"); cache != "" {
		return cache
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "apiserver-boot", "e2e")
}

// controlPlane is a kube-apiserver on loopback with the certificates of its
// users: admin (system:masters) and the ordinary users bob, carol and jane.
type controlPlane struct {
	dir         string
	server      string
	kubeconfigs map[string]string // user → kubeconfig
	frontProxy  *certs.KeyPair    // client certificate of the aggregator's proxy
	ca          *certs.KeyPair
}

// startKubeAPIServer runs kube-apiserver on etcd, with RBAC, request-header
// (front proxy) authentication for the aggregation layer, and only loopback
// addresses (see shared notes: --endpoint-reconciler-type=none).
func startKubeAPIServer(t testing.TB, etcd string) *controlPlane {
	t.Helper()
	return startKubeAPIServerWith(t, etcd, apiserverConfig{})
}

// apiserverConfig is how a test's kube-apiserver differs from the loopback one.
type apiserverConfig struct {
	// host is the address it binds and advertises: loopback (the default)
	// or, for a cluster with a node, the node bridge's address, which pods
	// reach through the kubernetes Service.
	host string
	// serviceRange is the Service ClusterIP range (default 10.0.0.0/24).
	serviceRange string
	// dir holds its certificates and kubeconfigs (default a test temp dir).
	dir string
	// authorization is --authorization-mode (default RBAC).
	authorization string
	// extraArgs are appended to its command line.
	extraArgs []string
	// netns, if set, is the network namespace it runs in.
	netns string
	// beforeStart, if set, is called with the cluster CA before the process
	// starts, for certificates its flags name.
	beforeStart func(ca *certs.KeyPair)
}

func startKubeAPIServerWith(t testing.TB, etcd string, c apiserverConfig) *controlPlane {
	t.Helper()
	bin := e2eTool(t, "kube-apiserver")
	if c.host == "" {
		c.host = "127.0.0.1"
	}
	if c.serviceRange == "" {
		c.serviceRange = "10.0.0.0/24"
	}
	_, services, err := net.ParseCIDR(c.serviceRange)
	if err != nil {
		t.Fatal(err)
	}
	kubernetesIP := slices.Clone(services.IP.To4())
	kubernetesIP[3]++ // the first address: the kubernetes Service
	dir := c.dir
	if dir == "" {
		dir = t.TempDir()
	}
	cp := &controlPlane{dir: dir, kubeconfigs: map[string]string{}}
	must := func(kp *certs.KeyPair, err error) *certs.KeyPair {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return kp
	}
	cp.ca = must(certs.NewCA("kube-ca", certs.Options{}))
	serving := must(cp.ca.NewServing("kube-apiserver", []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		[]net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(c.host), kubernetesIP}, certs.Options{}))
	frontProxyCA := must(certs.NewCA("front-proxy-ca", certs.Options{}))
	cp.frontProxy = must(frontProxyCA.NewClient("front-proxy-client", nil, certs.Options{}))
	write := func(name string, kp *certs.KeyPair) {
		t.Helper()
		if err := kp.Write(filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")); err != nil {
			t.Fatal(err)
		}
	}
	write("ca", cp.ca)
	write("apiserver", serving)
	write("front-proxy-ca", frontProxyCA)
	write("front-proxy-client", cp.frontProxy)
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := x509.MarshalPKCS8PrivateKey(saKey)
	pub, _ := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	writeFile(t, filepath.Join(dir, "sa.key"), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})))
	writeFile(t, filepath.Join(dir, "sa.pub"), string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})))

	if c.beforeStart != nil {
		c.beforeStart(cp.ca)
	}
	port := freePort(t)
	cp.server = "https://" + net.JoinHostPort(c.host, fmt.Sprint(port))
	// On loopback there are no endpoints for the kubernetes Service (the API
	// refuses 127.0.0.0/8); with a node, kube-apiserver keeps them itself.
	reconciler := "lease"
	if net.ParseIP(c.host).IsLoopback() {
		reconciler = "none"
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	cmd := exec.Command(bin,
		"--etcd-servers", etcd,
		"--bind-address", c.host, "--advertise-address", c.host, "--endpoint-reconciler-type", reconciler,
		"--secure-port", fmt.Sprint(port),
		"--tls-cert-file", p("apiserver.crt"), "--tls-private-key-file", p("apiserver.key"),
		"--client-ca-file", p("ca.crt"),
		"--service-account-key-file", p("sa.pub"), "--service-account-signing-key-file", p("sa.key"),
		"--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range", c.serviceRange,
		"--authorization-mode", cmp.Or(c.authorization, "RBAC"),
		"--requestheader-client-ca-file", p("front-proxy-ca.crt"),
		"--requestheader-allowed-names", "front-proxy-client",
		"--requestheader-extra-headers-prefix", "X-Remote-Extra-",
		"--requestheader-group-headers", "X-Remote-Group",
		"--requestheader-username-headers", "X-Remote-User",
		"--proxy-client-cert-file", p("front-proxy-client.crt"), "--proxy-client-key-file", p("front-proxy-client.key"),
		"--profiling=false", "--v=1",
	)
	cmd.Args = append(cmd.Args, c.extraArgs...)
	if c.netns != "" {
		// ip execs kube-apiserver in the namespace: the process is the same.
		cmd = exec.Command("ip", append([]string{"netns", "exec", c.netns}, cmd.Args...)...)
	}
	var log syncBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("kube-apiserver log (last 3 KiB):\n%s", tail([]byte(log.String()), 3072))
		}
	})

	users := map[string][]string{"admin": {"system:masters"}, "bob": nil, "carol": nil, "jane": nil}
	for user, groups := range users {
		kp := must(cp.ca.NewClient(user, groups, certs.Options{}))
		pki := &localrun.PKI{Dir: dir, CA: cp.ca, Admin: kp}
		path := filepath.Join(dir, user+".kubeconfig")
		if err := pki.WriteKubeconfig(path, cp.server, "default"); err != nil {
			t.Fatal(err)
		}
		cp.kubeconfigs[user] = path
	}

	start := time.Now()
	for {
		out, err := kubectlOut(cp.kubeconfigs["admin"], "get", "--raw", "/readyz")
		if err == nil && strings.TrimSpace(out) == "ok" {
			break
		}
		select {
		case <-exited:
			t.Fatalf("kube-apiserver exited:\n%s", tail([]byte(log.String()), 3072))
		default:
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatalf("kube-apiserver not ready after 2m: %v %s\n%s", err, out, tail([]byte(log.String()), 3072))
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("kube-apiserver ready in %s", time.Since(start).Round(10*time.Millisecond))
	return cp
}

func kubectlOut(kubeconfig string, args ...string) (string, error) {
	out, err := exec.Command("kubectl", append([]string{"--kubeconfig", kubeconfig}, args...)...).CombinedOutput()
	return string(out), err
}
