package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/apiserver-boot/apiserver-boot/internal/uninstall"
)

// ownedKinds are every kind a deployment's objects (and its StatefulSets'
// claims) have; what carries the deployment's name label among them is left
// behind.
const ownedKinds = "apiservices,namespaces,deployments,statefulsets,replicasets,pods,services,secrets,configmaps,serviceaccounts," +
	"roles,rolebindings,clusterroles,clusterrolebindings,poddisruptionbudgets,networkpolicies,persistentvolumeclaims,leases"

// nodeUninstall removes the three deployments TestNode made: the
// host-network one, the SQLite one first without and then with
// --delete-data, then the HA one after a dry run. Afterwards nothing with their labels is left, discovery is clean, and
// a namespace is deleted at once (a stale APIService would hold it
// Terminating). Last, build config's layout applies in one `kubectl apply
// --server-side -k`, as GitOps tools apply it, and is uninstalled again.
func nodeUninstall(t *testing.T, n *node, bin, dir, ns string) {
	const liteNS, hostNS = "bees-sqlite", "bees-host"
	// The group's APIService points at the host-network deployment, the last
	// one made: the SQLite one's uninstall would keep it.
	res := uninstallJSON(t, bin, dir, n.admin, "--output-dir", "config-sqlite", "--dry-run")
	if !hasObject(res.Kept, "APIService", "v1alpha1.insect.example.com") || hasObject(res.Deleted, "APIService", "v1alpha1.insect.example.com") {
		t.Fatalf("the SQLite deployment's uninstall would not keep the APIService another deployment serves: %+v", res)
	}
	out := boot(t, bin, dir, "uninstall", "--output-dir", "config-host", "--delete-data", "--kubeconfig", n.admin)
	t.Logf("uninstall of the host-network deployment:\n%s", out)
	// Its APIService was the one serving the group: gone before the server.
	if out, err := kubectlOut(n.admin, "get", "apiservice", "v1alpha1.insect.example.com"); err == nil {
		t.Fatalf("the APIService is still there:\n%s", out)
	}
	if left := labelled(t, n, "bees-host"); left != "" {
		t.Errorf("left after uninstall --delete-data of bees-host:\n%s", left)
	}

	out = boot(t, bin, dir, "uninstall", "--output-dir", "config-sqlite", "--kubeconfig", n.admin)
	t.Logf("uninstall, data kept:\n%s", out)
	res = uninstallJSON(t, bin, dir, n.admin, "--output-dir", "config-sqlite", "--dry-run")
	if len(res.Deleted) != 0 {
		t.Errorf("after uninstall, a dry run would still delete %v", res.Deleted)
	}
	if !hasObject(res.Kept, "PersistentVolumeClaim", "bees-lite-data") || !hasObject(res.Kept, "Namespace", liteNS) {
		t.Fatalf("without --delete-data the claim and its namespace must be kept: %+v", res.Kept)
	}
	if phase := mustKubectl(t, n.admin, "-n", liteNS, "get", "pvc", "bees-lite-data", "-o", "jsonpath={.status.phase}"); phase != "Bound" {
		t.Fatalf("the SQLite claim is %q after uninstall without --delete-data", phase)
	}
	boot(t, bin, dir, "uninstall", "--output-dir", "config-sqlite", "--delete-data", "--kubeconfig", n.admin)

	// The HA deployment: a dry run changes nothing.
	res = uninstallJSON(t, bin, dir, n.admin, "--dry-run", "--delete-data")
	if !res.DryRun || !hasObject(res.Deleted, "StatefulSet", "bees-etcd") || !hasObject(res.Deleted, "Namespace", ns) {
		t.Fatalf("uninstall --dry-run --delete-data: %+v", res)
	}
	mustKubectl(t, n.admin, "-n", ns, "get", "statefulset", "bees-etcd")
	start := time.Now()
	out = boot(t, bin, dir, "uninstall", "--delete-data", "--kubeconfig", n.admin)
	t.Logf("uninstall --delete-data in %s:\n%s", time.Since(start).Round(time.Second), out)
	for _, name := range []string{"bees", "bees-lite"} {
		if left := labelled(t, n, name); left != "" {
			t.Errorf("left after uninstall --delete-data of %s:\n%s", name, left)
		}
	}
	for _, gone := range []string{ns, liteNS, hostNS} {
		if out, err := kubectlOut(n.admin, "get", "namespace", gone); err == nil {
			t.Errorf("namespace %s is still there:\n%s", gone, out)
		}
	}
	cleanDiscovery(t, n)

	// GitOps: the layout in one server-side apply, no ordering errors.
	if out, err := exec.Command("kubectl", "--kubeconfig", n.admin, "apply", "--server-side", "-k", dir+"/config/base").CombinedOutput(); err != nil {
		t.Fatalf("kubectl apply --server-side -k config/base: %v\n%s", err, out)
	}
	boot(t, bin, dir, "uninstall", "--delete-data", "--kubeconfig", n.admin)
	if left := labelled(t, n, "bees"); left != "" {
		t.Errorf("left after the second uninstall:\n%s", left)
	}
	cleanDiscovery(t, n)
}

// cleanDiscovery: every API group answers, and a namespace created now is
// deleted within 10 s.
func cleanDiscovery(t *testing.T, n *node) {
	t.Helper()
	if out, err := kubectlOut(n.admin, "api-resources"); err != nil {
		t.Fatalf("kubectl api-resources: %v\n%s", err, out)
	}
	mustKubectl(t, n.admin, "create", "namespace", "uninstall-probe")
	deleted := time.Now()
	mustKubectl(t, n.admin, "delete", "namespace", "uninstall-probe", "--wait=false")
	waitFor(t, 10*time.Second-time.Since(deleted), func() bool {
		_, err := kubectlOut(n.admin, "get", "namespace", "uninstall-probe")
		return err != nil
	}, func() string {
		out, _ := kubectlOut(n.admin, "get", "namespace", "uninstall-probe", "-o", "yaml")
		return "a new namespace was not gone 10 s after its deletion:\n" + out
	})
}

// labelled lists what carries the deployment's name label, everywhere.
func labelled(t *testing.T, n *node, name string) string {
	t.Helper()
	out, err := kubectlOut(n.admin, "get", ownedKinds, "-A", "-l", "app.kubernetes.io/name="+name, "-o", "name")
	if err != nil {
		t.Fatalf("kubectl get: %v\n%s", err, out)
	}
	return strings.TrimSpace(out)
}

type uninstallResult struct {
	uninstall.Result
	DryRun bool `json:"dryRun"`
}

func uninstallJSON(t *testing.T, bin, dir, kubeconfig string, args ...string) uninstallResult {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"uninstall", "-o", "json", "--kubeconfig", kubeconfig}, args...)...)
	cmd.Dir = dir
	stdout, err := cmd.Output()
	var res uninstallResult
	if jerr := json.Unmarshal(stdout, &res); err != nil || jerr != nil {
		t.Fatalf("uninstall -o json %v: %v %v\n%s", args, err, jerr, stdout)
	}
	return res
}

func hasObject(objs []uninstall.Object, kind, name string) bool {
	for _, o := range objs {
		if o.Kind == kind && o.Name == name {
			return true
		}
	}
	return false
}

// nodeHostNetwork deploys the project on the node's network (--host-network,
// as for a kube-apiserver that cannot reach pods): the pod has the node's
// address and listens on the host port there, the Service's endpoint is
// that address and port, the APIService is Available and kubectl works
// through kube-apiserver.
func nodeHostNetwork(t *testing.T, n *node, bin, dir, image string, bees resourceUnderTest) {
	const ns, port = "bees-host", "4443"
	n.localVolumes(t, "host", 1)
	out := boot(t, bin, dir, "run", "in-cluster", "--name", "bees-host", "--namespace", ns, "--image", image, "--build-image=false",
		"--storage", "sqlite", "--replicas", "1", "--host-network", "--host-port", port,
		"--kubeconfig", n.admin, "--wait-timeout", "5m", "--output-dir", "config-host")
	if !strings.Contains(out, "apiservice v1alpha1.insect.example.com: Available") {
		t.Fatalf("run in-cluster --host-network:\n%s", out)
	}
	pod := mustKubectl(t, n.admin, "-n", ns, "get", "pod", "-l", "app.kubernetes.io/component=apiserver",
		"-o", "jsonpath={.items[0].spec.hostNetwork} {.items[0].status.podIP}")
	if pod != "true "+nodeIP {
		t.Fatalf("the apiserver pod: hostNetwork and address %q, want true %s", pod, nodeIP)
	}
	ep := mustKubectl(t, n.admin, "-n", ns, "get", "endpointslices", "-l", "kubernetes.io/service-name=bees-host",
		"-o", "jsonpath={.items[0].endpoints[0].addresses[0]}:{.items[0].ports[0].port}")
	if ep != nodeIP+":"+port {
		t.Fatalf("the Service's endpoint is %q, want %s:%s", ep, nodeIP, port)
	}
	kubectlMatrix(t, n.admin, bees)
}
