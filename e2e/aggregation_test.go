package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAggregation is the proof of the build config / run in-cluster issue,
// against a real kube-apiserver on loopback:
//  1. the build config output is accepted by server-side apply (run in-cluster),
//     and run in-cluster reports an unavailable APIService with its condition;
//  2. run local --register-into makes the APIServices Available, and kubectl
//     through kube-apiserver creates, gets, lists, watches and deletes;
//  3. delegated authorization works: a user with a Role gets 200, one without
//     gets 403, and X-Remote-User headers without the front-proxy certificate are 403;
//  4. without the auth-delegator binding a non-admin request fails.
func TestAggregation(t *testing.T) {
	sideBySide(t)
	requireTool(t, "kubectl", "the aggregation layer serves the API to kubectl with delegated authn/authz")
	cp := startKubeAPIServer(t, startEtcd(t))
	admin := cp.kubeconfigs["admin"]
	bin, dir := newProject(t, createKind("Bee"), []string{"create", "admission", "--name", "BanDuplicates", "--kind", "Bee"}, []string{"build", "executables"})

	t.Run("build config is accepted by server-side apply", func(t *testing.T) {
		cmd := exec.Command(bin, "run", "in-cluster", "--kubeconfig", admin, "--name", "bees-apiserver", "--namespace", "bees",
			"--image", "registry.example.com/bees:v0.1.0", "--build-image=false", "--wait-timeout", "5s",
			"--replicas", "3", "--etcd-members", "3")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		// No controller manager or kubelet runs here, so nothing rolls out:
		// the command must say which workload waits for what, and fail.
		// (The node e2e deploys for real.)
		if err == nil || !strings.Contains(string(out), "not rolled out after 5s") ||
			!strings.Contains(string(out), "bees/bees-apiserver-apiserver: waiting for the controller to see the new spec") {
			t.Fatalf("run in-cluster: %v\n%s", err, out)
		}
		for _, kind := range []string{"namespace", "serviceaccount", "clusterrole", "clusterrolebinding", "rolebinding", "secret", "service", "statefulset", "deployment", "poddisruptionbudget", "apiservice"} {
			if !strings.Contains(string(out), "applied "+kind+" ") {
				t.Errorf("no %s applied:\n%s", kind, out)
			}
		}
		for _, obj := range [][]string{
			{"-n", "bees", "deployment", "bees-apiserver-apiserver"}, {"-n", "bees", "deployment", "bees-apiserver-controller-manager"},
			{"-n", "bees", "statefulset", "bees-apiserver-etcd"}, {"-n", "bees", "secret", "bees-apiserver-serving-cert"},
			{"-n", "kube-system", "rolebinding", "bees-apiserver:extension-apiserver-authentication-reader"},
			{"clusterrolebinding", "bees-apiserver:system:auth-delegator"},
		} {
			mustKubectl(t, admin, append([]string{"get"}, obj...)...)
		}
		// HA: three apiservers, a standby manager, three etcd members on TLS, budgets.
		for obj, want := range map[string]string{
			"deployment/bees-apiserver-apiserver":          "3",
			"deployment/bees-apiserver-controller-manager": "2",
			"statefulset/bees-apiserver-etcd":              "3",
		} {
			if got := mustKubectl(t, admin, "-n", "bees", "get", obj, "-o", "jsonpath={.spec.replicas}"); got != want {
				t.Errorf("%s replicas %s, want %s", obj, got, want)
			}
		}
		if got := mustKubectl(t, admin, "-n", "bees", "get", "pdb", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.minAvailable}{.spec.maxUnavailable} {end}"); got != "bees-apiserver-apiserver=1 bees-apiserver-controller-manager=1 bees-apiserver-etcd=2 " {
			t.Errorf("PodDisruptionBudgets: %q", got)
		}
		mustKubectl(t, admin, "-n", "bees", "get", "secret", "bees-apiserver-etcd-tls", "bees-apiserver-etcd-client")
		// Every overlay renders with kubectl's own kustomize.
		for _, k := range []string{"base", "overlays/cert-manager", "overlays/external-etcd"} {
			out, err := exec.Command("kubectl", "kustomize", filepath.Join(dir, "config", k)).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "kind: Deployment") {
				t.Errorf("kubectl kustomize config/%s: %v\n%s", k, err, out)
			}
		}
		ca := mustKubectl(t, admin, "get", "apiservice", "v1alpha1.insect.example.com", "-o", "jsonpath={.spec.caBundle}")
		if len(ca) < 100 {
			t.Fatalf("APIService caBundle is %q", ca)
		}
		if out := mustKubectl(t, admin, "get", "apiservice", "v1alpha1.insect.example.com", "-o", "jsonpath={.spec.insecureSkipTLSVerify}"); out == "true" {
			t.Fatal("insecureSkipTLSVerify is set")
		}
	})

	// The API is served by the deployment above: run local --register-into
	// refuses to move it to this machine, and changes nothing.
	t.Run("register-into refuses to take over a deployed API", func(t *testing.T) {
		state := func() string {
			return mustKubectl(t, admin, "get", "apiservices,clusterroles,clusterrolebindings", "-o",
				`jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}`)
		}
		before := state()
		etcdPort, ports := runLocalPorts(t, 2)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "run", "local", "--build=false", "--register-into", admin,
			"--etcd-port", strconv.Itoa(etcdPort), "--secure-port", strconv.Itoa(ports[0]), "--manager-probe-port", strconv.Itoa(ports[1]))
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "APIService v1alpha1.insect.example.com exists and no run local --register-into made it (it points at Service bees/bees-apiserver)") {
			t.Fatalf("run local --register-into over a deployed API: %v\n%s", err, out)
		}
		if after := state(); after != before {
			t.Errorf("the refused run changed the cluster:\nbefore %s\nafter  %s", before, after)
		}
		if out, err := kubectlOut(admin, "get", "namespace", "bees-system"); err == nil {
			t.Errorf("the refused run made its namespace:\n%s", out)
		}
	})

	// Asked to, it takes the API over (and removes it on exit).
	r := startRegistered(t, bin, dir, admin, "--take-over")

	// A replica is not ready before it can authenticate kube-apiserver's
	// proxied requests (the node's rolling restarts depend on it).
	t.Run("readiness waits for the front proxy's CA", func(t *testing.T) {
		url := fmt.Sprintf("https://127.0.0.1:%d/readyz?verbose", r.securePort)
		if code, body := directGet(t, cp, r, url); code != http.StatusOK || !strings.Contains(body, "[+]front-proxy-ca ok") {
			t.Fatalf("/readyz?verbose answered %d:\n%s", code, body)
		}
	})

	t.Run("kubectl through kube-apiserver", func(t *testing.T) {
		if out := mustKubectl(t, admin, "get", "apiservice", "v1alpha1.insect.example.com"); !containsLine(out, "v1alpha1.insect.example.com", "bees-system/bees-apiserver", "True") {
			t.Fatalf("APIService:\n%s", out)
		}
		if out := mustKubectl(t, admin, "get", "bees"); !strings.Contains(out, "No resources found") {
			t.Fatalf("get bees on an empty server:\n%s", out)
		}
		mustKubectl(t, admin, "create", "-f", filepath.Join(dir, "sample", "bee.yaml"))
		if out := mustKubectl(t, admin, "get", "bee", "bee-sample", "-o", "jsonpath={.spec.replicas}"); out != "1" {
			t.Fatalf("get: %q", out)
		}
		if out := mustKubectl(t, admin, "get", "bees", "-A"); !containsLine(out, "default", "bee-sample") {
			t.Fatalf("list:\n%s", out)
		}
		// The watch lists bee-sample first (so it is established), then sees it go.
		ctx, stop := context.WithTimeout(context.Background(), time.Minute)
		defer stop()
		w := exec.CommandContext(ctx, "kubectl", "--kubeconfig", admin, "get", "bees", "-w", "--output-watch-events")
		var watched syncBuffer
		w.Stdout = &watched
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, func() bool { return containsLine(watched.String(), "ADDED", "bee-sample") },
			func() string { return "the watch did not list bee-sample:\n" + watched.String() })
		mustKubectl(t, admin, "delete", "bee", "bee-sample")
		waitFor(t, 30*time.Second, func() bool { return containsLine(watched.String(), "DELETED", "bee-sample") },
			func() string { return "watch output:\n" + watched.String() })
		stop()
		_ = w.Wait()
	})

	// The aggregator passes protobuf through both ways: the clientset and an
	// informer talk it with kube-apiserver, which proxies to this server.
	t.Run("protobuf through kube-apiserver", func(t *testing.T) {
		bees := protobufClient(t, dir, "Bee", "Bees")
		mustKubectl(t, admin, "create", "namespace", "pb")
		requireEncoding(t, bees(t, admin, "pb", false), "application/vnd.kubernetes.protobuf")
	})

	// Registered into a cluster, the server runs the generic admission plugins
	// (which read the cluster's namespaces, policies and webhooks) and its own.
	t.Run("admission through kube-apiserver", func(t *testing.T) { aggregatedAdmission(t, admin) })

	t.Run("delegated authorization", func(t *testing.T) {
		mustKubectl(t, admin, "create", "role", "bee-editor", "-n", "default", "--verb=*", "--resource=bees.insect.example.com")
		mustKubectl(t, admin, "create", "rolebinding", "bee-editors", "-n", "default", "--role=bee-editor", "--user=bob", "--user=carol")

		// bob is no system:master: the extension server's SubjectAccessReview allowed him.
		mustKubectl(t, cp.kubeconfigs["bob"], "get", "bees", "-n", "default")
		if out, err := kubectlOut(cp.kubeconfigs["bob"], "get", "bees", "-n", "kube-system"); err == nil || !strings.Contains(out, "forbidden") {
			t.Fatalf("bob in kube-system: %v %s", err, out)
		}
		if out, err := kubectlOut(cp.kubeconfigs["jane"], "get", "bees", "-n", "default"); err == nil || !strings.Contains(out, "forbidden") {
			t.Fatalf("jane: %v %s", err, out)
		}

		// Directly at the extension server: the front proxy's identity headers
		// count only with its client certificate.
		url := fmt.Sprintf("https://127.0.0.1:%d/apis/insect.example.com/v1alpha1/namespaces/default/bees", r.securePort)
		for _, tc := range []struct {
			name       string
			frontProxy bool
			user       string
			want       int
		}{
			{"bob through the front proxy's certificate", true, "bob", http.StatusOK},
			{"jane through the front proxy's certificate", true, "jane", http.StatusForbidden},
			{"bob's headers without the certificate", false, "bob", http.StatusForbidden},
		} {
			if got := directRequest(t, cp, r, url, tc.frontProxy, tc.user); got != tc.want {
				t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
			}
		}
	})

	t.Run("auth-delegator binding is what makes it work", func(t *testing.T) {
		mustKubectl(t, admin, "delete", "clusterrolebinding", "bees-apiserver:system:auth-delegator")
		// carol has the same Role as bob but has made no request yet, so no
		// cached authorization decision can hide the missing binding.
		out, err := kubectlOut(cp.kubeconfigs["carol"], "get", "bees", "-n", "default")
		if err == nil {
			t.Fatalf("carol was served without the auth-delegator binding:\n%s", out)
		}
		if !strings.Contains(out, "subjectaccessreviews") {
			t.Fatalf("want the extension server's SubjectAccessReview to be forbidden, got:\n%s", out)
		}
		// system:masters needs no SubjectAccessReview.
		mustKubectl(t, admin, "get", "bees", "-n", "default")
	})

	t.Run("unregister on exit", func(t *testing.T) {
		identity := filepath.Join(dir, ".local", "run", "apiserver.kubeconfig")
		if out, err := kubectlOut(identity, "auth", "whoami"); err != nil || !strings.Contains(out, "system:serviceaccount:bees-system:bees-apiserver") {
			t.Fatalf("the run's identity does not authenticate while it runs (%v):\n%s", err, out)
		}
		r.interrupt(t)
		if out, err := kubectlOut(admin, "get", "apiservice", "v1alpha1.insect.example.com"); err == nil || !strings.Contains(out, "NotFound") {
			t.Fatalf("the APIService is still there after run local stopped: %v\n%s", err, out)
		}
		// Nothing the run made is left (the namespace may still be terminating).
		left := mustKubectl(t, admin, "get", "apiservices,clusterroles,clusterrolebindings,rolebindings,serviceaccounts,services", "-A",
			"-l", "apiserver-boot.io/run-local", "-o", "name")
		if strings.TrimSpace(left) != "" {
			t.Errorf("run local left behind:\n%s", left)
		}
		if phase, err := kubectlOut(admin, "get", "namespace", "bees-system", "-o", "jsonpath={.status.phase}"); err == nil && phase != "Terminating" {
			t.Errorf("the namespace the run made is %q, not deleted", phase)
		}
		// Its ServiceAccount is gone, and its token with it (once
		// kube-apiserver's 10 s cache of authenticated tokens lets go).
		var whoami string
		waitFor(t, 30*time.Second, func() bool {
			out, err := kubectlOut(identity, "auth", "whoami")
			whoami = out
			return err != nil && strings.Contains(out, "Unauthorized")
		}, func() string { return "the run's token still authenticates after exit:\n" + whoami })
	})

	t.Run("register-into a cluster in another network", func(t *testing.T) { registerFromAnotherNetwork(t, bin, dir) })

	t.Run("after a killed register-into run: doctor names it, the next run cleans up", func(t *testing.T) {
		killedRegistration(t, bin, dir, admin)
	})
}

type registered struct {
	cmd        *exec.Cmd
	out        *syncBuffer
	exited     chan struct{}
	securePort int
	caFile     string
}

// startRegistered starts run local --register-into and waits until it says
// the APIServices are Available.
func startRegistered(t *testing.T, bin, dir, kubeconfig string, extra ...string) *registered {
	t.Helper()
	etcdPort, ports := runLocalPorts(t, 2)
	r := &registered{out: &syncBuffer{}, exited: make(chan struct{}), securePort: ports[0]}
	r.cmd = exec.Command(bin, append([]string{"run", "local", "--build=false", "--register-into", kubeconfig,
		"--etcd-port", strconv.Itoa(etcdPort), "--secure-port", strconv.Itoa(r.securePort), "--manager-probe-port", strconv.Itoa(ports[1])}, extra...)...)
	r.cmd.Dir = dir
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() { r.interrupt(t) })
	waitFor(t, 3*time.Minute, func() bool {
		select {
		case <-r.exited:
			t.Fatalf("run local --register-into exited:\n%s", r.out.String())
		default:
		}
		return strings.Contains(r.out.String(), "APIServices Available")
	}, func() string { return r.out.String() })
	r.caFile = filepath.Join(dir, ".local", "run", "pki", "ca.crt")
	return r
}

func (r *registered) interrupt(t *testing.T) {
	select {
	case <-r.exited:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-r.exited:
	case <-time.After(20 * time.Second):
		_ = r.cmd.Process.Kill()
		t.Errorf("run local --register-into did not stop within 20s:\n%s", r.out.String())
	}
}

// directClient talks to the extension server directly, with or without the
// front proxy's client certificate.
func directClient(t *testing.T, cp *controlPlane, r *registered, frontProxy bool) *http.Client {
	t.Helper()
	caPEM, err := os.ReadFile(r.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	cfg := &tls.Config{RootCAs: pool}
	if frontProxy {
		cert, err := tls.X509KeyPair(cp.frontProxy.CertPEM, cp.frontProxy.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// directRequest sends a GET to the extension server as user through
// X-Remote-User, with or without the front proxy's client certificate.
func directRequest(t *testing.T, cp *controlPlane, r *registered, url string, frontProxy bool, user string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("X-Remote-User", user)
	resp, err := directClient(t, cp, r, frontProxy).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// directGet sends an unauthenticated GET to the extension server and returns
// the status and the body.
func directGet(t *testing.T, cp *controlPlane, r *registered, url string) (int, string) {
	t.Helper()
	resp, err := directClient(t, cp, r, false).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
