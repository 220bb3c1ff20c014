package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/apiserver-boot/apiserver-boot/internal/certs"
	"github.com/apiserver-boot/apiserver-boot/internal/localrun"
)

// kubeAPIServerBinary returns kube-apiserver built from the Go module proxy
// at the version e2e/tools/go.mod pins. The build (about 15 minutes cold on
// 2 cores) is cached by version under the user cache directory (or
// $APISERVER_BOOT_E2E_CACHE), so it happens once per machine.
func kubeAPIServerBinary(t testing.TB) string {
	t.Helper()
	version := toolsKubernetesVersion(t)
	bin := filepath.Join(e2eCache(t), "kube-apiserver-"+version)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	t.Logf("building kube-apiserver %s into %s (once per machine; minutes)", version, bin)
	start := time.Now()
	minor := strings.Split(strings.TrimPrefix(version, "v"), ".")[1]
	ldflags := fmt.Sprintf("-s -w -X k8s.io/component-base/version.gitVersion=%s -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=%s", version, minor)
	tmp := bin + ".tmp"
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", tmp, "k8s.io/kubernetes/cmd/kube-apiserver")
	cmd.Dir = "tools"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building kube-apiserver: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		t.Fatal(err)
	}
	t.Logf("built kube-apiserver in %s", time.Since(start).Round(time.Second))
	return bin
}

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

func toolsKubernetesVersion(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("tools/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse("tools/go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == "k8s.io/kubernetes" {
			return r.Mod.Version
		}
	}
	t.Fatal("tools/go.mod does not require k8s.io/kubernetes")
	return ""
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
	bin := kubeAPIServerBinary(t)
	dir := t.TempDir()
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
		[]net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.1")}, certs.Options{}))
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

	port := freePort(t)
	cp.server = fmt.Sprintf("https://127.0.0.1:%d", port)
	p := func(name string) string { return filepath.Join(dir, name) }
	cmd := exec.Command(bin,
		"--etcd-servers", etcd,
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--endpoint-reconciler-type", "none",
		"--secure-port", fmt.Sprint(port),
		"--tls-cert-file", p("apiserver.crt"), "--tls-private-key-file", p("apiserver.key"),
		"--client-ca-file", p("ca.crt"),
		"--service-account-key-file", p("sa.pub"), "--service-account-signing-key-file", p("sa.key"),
		"--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range", "10.0.0.0/24",
		"--authorization-mode", "RBAC",
		"--requestheader-client-ca-file", p("front-proxy-ca.crt"),
		"--requestheader-allowed-names", "front-proxy-client",
		"--requestheader-extra-headers-prefix", "X-Remote-Extra-",
		"--requestheader-group-headers", "X-Remote-Group",
		"--requestheader-username-headers", "X-Remote-User",
		"--proxy-client-cert-file", p("front-proxy-client.crt"), "--proxy-client-key-file", p("front-proxy-client.key"),
		"--profiling=false", "--v=1",
	)
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
