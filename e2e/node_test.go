package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	policyv1 "k8s.io/api/policy/v1"

	"github.com/apiserver-boot/apiserver-boot/internal/doctor"
)

// TestNode is the proof of the real-node issue: a one-node cluster of real
// components (see startNode), and every way a project is deployed into it
// with `run in-cluster`, running as pods: the image `build container`
// makes, the manifests `build config` writes, the HA layout under faults,
// SQLite on a PersistentVolumeClaim, doctor against real pods, the node's
// network, and uninstall. Its subtests share the node and the project
// (`go test ./e2e -run Node`).
func TestNode(t *testing.T) {
	requireTool(t, "kubectl", "run in-cluster against a real node")
	n := startNode(t)
	t.Run("Containment", func(t *testing.T) { nodeContainment(t, n) })

	bin, dir := newProject(t, createKind("Bee", "--controller"))
	bees := resourceUnderTest{plural: "bees", kind: "Bee", group: "insect.example.com", version: "v1alpha1", sample: filepath.Join(dir, "sample", "bee.yaml"), reconciled: true}
	const ns = "bees-system"
	var image string
	ok := t.Run("InCluster", func(t *testing.T) { image = nodeInCluster(t, n, bin, dir, ns, bees) })
	if !ok {
		t.Fatal("the deployment the other subtests use failed")
	}
	t.Run("HA", func(t *testing.T) { nodeHA(t, n, ns) })
	t.Run("Doctor", func(t *testing.T) { nodeDoctor(t, n, bin, dir, ns) })
	t.Run("SQLite", func(t *testing.T) { nodeSQLite(t, n, bin, dir, image) })
	t.Run("HostNetwork", func(t *testing.T) { nodeHostNetwork(t, n, bin, dir, image, bees) })
	t.Run("Uninstall", func(t *testing.T) { nodeUninstall(t, n, bin, dir, ns) })
}

// nodeContainment proves, without sending anything out, that nothing a pod
// sends leaves the machine: the rules and routes are in place, a pod's
// connection to an unused Service address fails at once with "network is
// unreachable", a name outside the cluster is answered by CoreDNS itself,
// and an image from a public registry is looked for on the loopback one.
func nodeContainment(t *testing.T, n *node) {
	rules := run(t, "nft", "list", "table", "inet", nodeNFTable)
	for _, want := range []string{`oifname != "` + nodeBridge + `" counter packets`, "ip saddr " + nodePodCIDR} {
		if !strings.Contains(rules, want) {
			t.Fatalf("the containment rules lack %q:\n%s", want, rules)
		}
	}
	if routes := run(t, "ip", "route", "show", "type", "unreachable"); !strings.Contains(routes, nodeSvcCIDR) {
		t.Fatalf("no unreachable route for the Service range:\n%s", routes)
	}
	if rules := run(t, "ip", "rule", "show"); !strings.Contains(rules, "to "+nodeSvcCIDR+" iif "+nodeBridge+" unreachable") {
		t.Fatalf("no unreachable rule for the pods' Service traffic:\n%s", rules)
	}
	if out := run(t, "ip", "-o", "-4", "addr", "show", "dev", nodeBridge); !strings.Contains(out, nodeIP+"/24") {
		t.Fatalf("the bridge has no gateway address:\n%s", out)
	}

	const ns = "e2e-probe"
	mustKubectl(t, n.admin, "create", "namespace", ns)
	mustKubectl(t, n.admin, "label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted")
	waitFor(t, time.Minute, func() bool {
		_, err := kubectlOut(n.admin, "-n", ns, "get", "serviceaccount", "default")
		return err == nil
	}, func() string { return "kube-controller-manager made no default ServiceAccount" })
	probeImage := n.registry + "/netprobe:e2e"
	pushBinaryImage(t, probeImage, e2eTool(t, "netprobe"), "/netprobe")
	// 10.201.0.250 and .251 are in the Service range and no Service has them.
	probe := writeTemp(t, "probe.yaml", fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: %s}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: probe
    image: %s
    args: ["-connect", "10.201.0.250:443,10.201.0.251:80,kubernetes.default.svc.cluster.local:443", "-resolve", "kubernetes.default.svc.cluster.local,example.com,registry.k8s.io"]
    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`, ns, probeImage))
	mustKubectl(t, n.admin, "apply", "-f", probe)
	waitFor(t, 2*time.Minute, func() bool {
		out, _ := kubectlOut(n.admin, "-n", ns, "get", "pod", "probe", "-o", "jsonpath={.status.phase}")
		return out == "Succeeded" || out == "Failed"
	}, func() string {
		out, _ := kubectlOut(n.admin, "-n", ns, "describe", "pod", "probe")
		return "the probe pod did not finish:\n" + out
	})
	logs := mustKubectl(t, n.admin, "-n", ns, "logs", "probe")
	t.Logf("probe:\n%s", logs)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`connect 10\.201\.0\.250:443: dial tcp 10\.201\.0\.250:443: connect: network is unreachable in \d+ms`),
		regexp.MustCompile(`connect 10\.201\.0\.251:80: dial tcp 10\.201\.0\.251:80: connect: network is unreachable in \d+ms`),
		// The kubernetes Service works: through kube-proxy's rules to kube-apiserver.
		regexp.MustCompile(`connect kubernetes\.default\.svc\.cluster\.local:443: ok`),
		regexp.MustCompile(`resolve kubernetes\.default\.svc\.cluster\.local: server ` + regexp.QuoteMeta(nodeIP) + ` rcode RCodeSuccess answers \[10\.201\.0\.1\]`),
		regexp.MustCompile(`resolve example\.com: server ` + regexp.QuoteMeta(nodeIP) + ` rcode (RCodeRefused|RCodeNameError) answers \[\]`),
		regexp.MustCompile(`resolve registry\.k8s\.io: server ` + regexp.QuoteMeta(nodeIP) + ` rcode (RCodeRefused|RCodeNameError) answers \[\]`),
	} {
		if !want.MatchString(logs) {
			t.Errorf("the probe's log does not match %s", want)
		}
	}
	for _, m := range regexp.MustCompile(`network is unreachable in (\d+)ms`).FindAllStringSubmatch(logs, -1) {
		if ms, _ := strconv.Atoi(m[1]); ms > 100 {
			t.Errorf("an unused Service address failed only after %s ms, not at once", m[1])
		}
	}

	// Images of public registries: containerd asks the loopback registry,
	// whose log shows the request with the registry it was meant for.
	for i, image := range []string{"registry.k8s.io/e2e-not-here:v1", "docker.io/library/e2e-not-here:v1"} {
		pod := fmt.Sprintf("public-%d", i)
		mustKubectl(t, n.admin, "apply", "-f", writeTemp(t, pod+".yaml", fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s}
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: %s
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`, pod, ns, image)))
		host, rest, _ := strings.Cut(image, "/")
		repo, tag, _ := strings.Cut(rest, ":")
		want := fmt.Sprintf(`uri="/v2/%s/manifests/%s?ns=%s"`, repo, tag, host)
		var events string
		waitFor(t, time.Minute, func() bool {
			events, _ = kubectlOut(n.admin, "-n", ns, "get", "events", "--field-selector", "involvedObject.name="+pod, "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}")
			return strings.Contains(events, "Failed to pull image") && strings.Contains(n.logTail("registry", 1<<20), want)
		}, func() string {
			return fmt.Sprintf("%s was not looked for on the loopback registry (want %s in its log):\n%s", image, want, events)
		})
	}
	mustKubectl(t, n.admin, "delete", "namespace", ns, "--wait=false")
}

// nodeInCluster deploys the project with `run in-cluster` in the HA layout
// and checks what a user does with it, through kube-apiserver. It returns
// the image it deployed.
func nodeInCluster(t *testing.T, n *node, bin, dir, ns string, bees resourceUnderTest) string {
	// The volumes a cluster's provisioner would make: one per etcd member.
	n.localVolumes(t, "etcd", 3)
	image := n.registry + "/bees:dev"
	start := time.Now()
	out := boot(t, bin, dir, "run", "in-cluster", "--name", "bees", "--namespace", ns, "--image", image, "--base", "scratch",
		"--etcd-image", n.etcdImage, "--replicas", "2", "--etcd-members", "3",
		"--kubeconfig", n.admin, "--wait-timeout", "5m")
	t.Logf("run in-cluster: Available in %s\n%s", time.Since(start).Round(time.Second), out)
	if !strings.Contains(out, "apiservice v1alpha1.insect.example.com: Available") {
		t.Fatalf("run in-cluster did not report the APIService Available:\n%s", out)
	}
	deployed := regexp.MustCompile(regexp.QuoteMeta(image) + `@sha256:[0-9a-f]{64}`).FindString(mustKubectl(t, n.admin, "-n", ns, "get", "deployment", "bees-apiserver", "-o", "jsonpath={.spec.template.spec.containers[0].image}"))
	if deployed == "" {
		t.Fatal("the Deployment does not run the image run in-cluster pushed, by digest")
	}

	// Pod Security: the namespace enforces restricted, and every pod of the
	// layout was admitted and runs.
	if out := mustKubectl(t, n.admin, "get", "namespace", ns, "-o", `jsonpath={.metadata.labels.pod-security\.kubernetes\.io/enforce}`); out != "restricted" {
		t.Fatalf("namespace %s does not enforce the restricted Pod Security Standard: %q", ns, out)
	}
	n.podsReady(t, ns, map[string]int{"app.kubernetes.io/component=apiserver": 2, "app.kubernetes.io/component=controller-manager": 2, "app.kubernetes.io/component=etcd": 3})
	// The negative control: the namespace refuses a pod that breaks the
	// standard, here one with no securityContext (so root may run, with
	// privilege escalation and every capability), which kube-apiserver itself
	// would admit. Admission runs on a server-side dry run; nothing is created.
	if out, err := kubectlOut(n.admin, "-n", ns, "run", "psa-probe", "--image", deployed, "--restart=Never", "--dry-run=server"); err == nil || !strings.Contains(out, `violates PodSecurity "restricted`) {
		t.Fatalf("namespace %s admitted a privileged pod (err %v):\n%s", ns, err, out)
	}

	nodeLeastPrivilege(t, n, ns, bees)
	kubectlMatrix(t, n.admin, bees)
	// The manager pod (the leader of two, its Lease held with a Role in
	// its namespace only) reconciles status with the rights it is given.
	mustKubectl(t, n.admin, "apply", "-f", bees.manifest(t, "reconciled", "spec:\n  replicas: 2\n"))
	waitFor(t, 2*time.Minute, func() bool {
		out, _ := kubectlOut(n.admin, "get", "bees", "reconciled", "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
		return out == "True"
	}, func() string {
		out, _ := kubectlOut(n.admin, "-n", ns, "logs", "-l", "app.kubernetes.io/component=controller-manager", "--tail=40")
		return "the manager pod did not mark the bee Ready:\n" + out
	})
	code, report, text := runDoctorIn(t, bin, dir, "", "--kubeconfig", n.admin, "--namespace", ns, "--name", "bees")
	if code != 0 || !report.Healthy {
		t.Fatalf("doctor on the healthy deployment: exit %d\n%s", code, text)
	}
	return deployed
}

// podsReady waits until, for each label selector, that many pods are Ready.
func (n *node) podsReady(t *testing.T, ns string, want map[string]int) {
	t.Helper()
	for selector, count := range want {
		waitFor(t, 4*time.Minute, func() bool {
			out, _ := kubectlOut(n.admin, "-n", ns, "get", "pods", "-l", selector, "-o",
				`jsonpath={range .items[*]}{.metadata.deletionTimestamp}/{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`)
			ready := 0
			for _, line := range strings.Split(out, "\n") {
				if line == "/True" { // Ready and not being deleted
					ready++
				}
			}
			return ready == count
		}, func() string {
			out, _ := kubectlOut(n.admin, "-n", ns, "get", "pods", "-o", "wide")
			ev, _ := kubectlOut(n.admin, "-n", ns, "get", "events", "--sort-by=.lastTimestamp")
			return fmt.Sprintf("%d pods %s not Ready:\n%s\n%s", count, selector, out, tail([]byte(ev), 4096))
		})
	}
}

// localVolumes makes count local PersistentVolumes on the node, with no
// storage class, as a cluster's provisioner would: root-owned directories
// the kubelet hands to the pod's fsGroup.
func (n *node) localVolumes(t *testing.T, prefix string, count int) {
	t.Helper()
	var docs []string
	for i := range count {
		path := filepath.Join(n.dir, "volumes", fmt.Sprintf("%s-%d", prefix, i))
		if err := os.MkdirAll(path, 0o755); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: %s-%d}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  local: {path: %s}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [%s]}]
`, prefix, i, path, nodeName))
	}
	mustKubectl(t, n.admin, "apply", "-f", writeTemp(t, prefix+"-volumes.yaml", strings.Join(docs, "---\n")))
}

// nodeLeastPrivilege: the manager's identity cannot take the cluster's
// Leases (kube-scheduler's leader Lease, the node's heartbeat), and the
// apiserver's cannot write the project's objects through the API. Each is a
// real request made as the ServiceAccount (impersonated by the admin), which
// RBAC refuses.
func nodeLeastPrivilege(t *testing.T, n *node, ns string, bees resourceUnderTest) {
	t.Helper()
	manager := "system:serviceaccount:" + ns + ":bees-controller-manager"
	apiserver := "system:serviceaccount:" + ns + ":bees"
	for _, lease := range []struct{ namespace, name string }{{"kube-system", "kube-scheduler"}, {"kube-node-lease", nodeName}} {
		if out, _ := kubectlOut(n.admin, "auth", "can-i", "update", "leases", "-n", lease.namespace, "--as", manager); strings.TrimSpace(out) != "no" {
			t.Errorf("kubectl auth can-i update leases -n %s as the manager: %q, want no", lease.namespace, out)
		}
		out, err := kubectlOut(n.admin, "-n", lease.namespace, "annotate", "lease", lease.name, "e2e-takeover=1", "--overwrite", "--as", manager)
		if err == nil || !strings.Contains(out, "forbidden") {
			t.Errorf("the manager's identity updated Lease %s/%s (err %v):\n%s", lease.namespace, lease.name, err, out)
		}
	}
	// Its own Lease, in its namespace, it may hold.
	if out, _ := kubectlOut(n.admin, "auth", "can-i", "update", "leases", "-n", ns, "--as", manager); strings.TrimSpace(out) != "yes" {
		t.Errorf("the manager may not update Leases in its namespace %s: %q", ns, out)
	}
	out, err := kubectlOut(n.admin, "create", "--dry-run=server", "-f", bees.manifest(t, "as-apiserver", "spec:\n  replicas: 1\n"), "--as", apiserver)
	if err == nil || !strings.Contains(out, "forbidden") {
		t.Errorf("the apiserver's identity created a bee through the API (err %v):\n%s", err, out)
	}
}

// runDoctorIn runs doctor -o json, in the network namespace netns if given.
func runDoctorIn(t *testing.T, bin, dir, netns string, args ...string) (int, *doctor.Report, string) {
	t.Helper()
	argv := append([]string{bin, "doctor", "-o", "json"}, args...)
	if netns != "" {
		argv = append([]string{"ip", "netns", "exec", netns}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run()
	var r doctor.Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("doctor -o json is not JSON (exit %d): %v\n%s\n%s", cmd.ProcessState.ExitCode(), err, stdout.String(), stderr.String())
	}
	return cmd.ProcessState.ExitCode(), &r, stdout.String() + stderr.String()
}

// nodeHA puts the default HA layout under faults while writers write through
// kube-apiserver: the etcd leader's pod deleted, one apiserver pod deleted,
// a rolling restart of the apiservers (which must fail no request), and an
// eviction the budget refuses.
func nodeHA(t *testing.T, n *node, ns string) {
	clients := n.clients(t)
	// Three members, one cluster: every member is healthy and exactly one
	// leads (three one-member clusters would each lead).
	leader := n.etcdLeader(t, ns)
	t.Logf("etcd leader: %s", leader)

	// Only the load's bees from here on.
	mustKubectl(t, n.admin, "delete", "bees", "--all", "-n", "default")
	load := &faultLoad{acked: map[string]int64{}, attempted: map[string]bool{}, uids: map[string]string{}}
	bees := clients.dynamic.Resource(resourceUnderTest{plural: "bees", group: "insect.example.com", version: "v1alpha1"}.gvr()).Namespace("default")
	load.clients = [2]dynamic.ResourceInterface{bees, bees}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	workers := load.run(ctx, 4)
	time.Sleep(3 * time.Second)
	load.report(t, "before any fault")
	if load.errorCount() != 0 {
		t.Fatalf("%d writes failed before any fault", load.errorCount())
	}

	// A fault counts once it has happened: writes are checked from the moment
	// the member is gone, not from the moment its deletion was asked for.
	faulted := n.deletePod(t, ns, leader)
	load.resumes(t, faulted, "the etcd leader's pod deletion")
	n.podsReady(t, ns, map[string]int{"app.kubernetes.io/component=etcd": 3})
	load.report(t, "after the etcd leader's pod was deleted")
	t.Logf("new etcd leader: %s", n.etcdLeader(t, ns))

	pods := strings.Fields(mustKubectl(t, n.admin, "-n", ns, "get", "pods", "-l", "app.kubernetes.io/component=apiserver", "-o", "jsonpath={.items[*].metadata.name}"))
	if len(pods) != 2 {
		t.Fatalf("apiserver pods: %v", pods)
	}
	// While one is away, the budget refuses to evict the other. The node is
	// cordoned meanwhile, so that the replacement stays Pending and cannot
	// become Ready (and make the eviction allowed) before it is tried.
	mustKubectl(t, n.admin, "cordon", nodeName)
	t.Cleanup(func() { _, _ = kubectlOut(n.admin, "uncordon", nodeName) }) // were it to fail before uncordoning
	faulted = n.deletePod(t, ns, pods[0])
	waitFor(t, time.Minute, func() bool {
		out, _ := kubectlOut(n.admin, "-n", ns, "get", "pdb", "bees-apiserver", "-o", "jsonpath={.status.disruptionsAllowed}")
		return out == "0"
	}, func() string {
		out, _ := kubectlOut(n.admin, "-n", ns, "get", "pdb", "-o", "yaml")
		return "the budget never reached 0:\n" + out
	})
	err := clients.kube.CoreV1().Pods(ns).EvictV1(context.Background(), &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: pods[1], Namespace: ns}})
	if !apierrors.IsTooManyRequests(err) {
		t.Fatalf("evicting the second apiserver pod while one is away: %v, want 429 TooManyRequests from the budget", err)
	}
	t.Logf("eviction refused: %v", err)
	load.resumes(t, faulted, "an apiserver pod's deletion")
	mustKubectl(t, n.admin, "uncordon", nodeName)
	n.podsReady(t, ns, map[string]int{"app.kubernetes.io/component=apiserver": 2})
	load.report(t, "after an apiserver pod was deleted")

	// Rolling restarts: readiness and the shutdown delay must keep every
	// request succeeding. Twice, since a race shows only now and then.
	for i := range 2 {
		before := load.errorCount()
		old := strings.Fields(mustKubectl(t, n.admin, "-n", ns, "get", "pods", "-l", "app.kubernetes.io/component=apiserver", "-o", "jsonpath={.items[*].metadata.name}"))
		mustKubectl(t, n.admin, "-n", ns, "rollout", "restart", "deployment/bees-apiserver")
		rctx, rcancel := context.WithTimeout(context.Background(), 6*time.Minute)
		if out, err := kubectl(rctx, n.admin, "-n", ns, "rollout", "status", "deployment/bees-apiserver", "--timeout=5m"); err != nil {
			rcancel()
			t.Fatalf("rollout %d: %v\n%s", i+1, err, out)
		}
		rcancel()
		// The old pods keep serving for the shutdown delay after they leave:
		// failures are counted until the last of them is gone.
		for _, pod := range old {
			n.waitPodGone(t, ns, pod, "")
		}
		load.report(t, fmt.Sprintf("after rolling restart %d", i+1))
		if failed := load.errorCount() - before; failed != 0 {
			load.mu.Lock()
			t.Errorf("%d requests failed during rolling restart %d (all failures so far):\n%s", failed, i+1, strings.Join(load.failures, "\n"))
			load.mu.Unlock()
			// The new pods' logs: the old ones are gone with their pods.
			logs, _ := kubectlOut(n.admin, "-n", ns, "logs", "-l", "app.kubernetes.io/component=apiserver", "--tail=80", "--prefix", "--timestamps")
			t.Logf("the apiserver pods' logs after rolling restart %d:\n%s", i+1, logs)
		}
	}
	cancel()
	workers.Wait()
	load.verify(t, bees)
	// The next subtests start from no bees. One delete-collection for thousands
	// can outlast the request timeout (60 s: the registry deletes them one by one,
	// --delete-collection-workers=1 as in kube-apiserver) on a loaded machine; a
	// client, like the namespace controller, then asks again for what is left.
	deadline := time.Now().Add(6 * time.Minute)
	for round := 1; ; round++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		err := bees.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		cancel()
		if err == nil {
			break
		}
		if !apierrors.IsTimeout(err) || time.Now().After(deadline) {
			t.Fatalf("deleting the load's bees (round %d): %v", round, err)
		}
		left, lerr := bees.List(context.Background(), metav1.ListOptions{})
		if lerr != nil {
			t.Fatalf("deleting the load's bees (round %d): %v; then listing: %v", round, err, lerr)
		}
		t.Logf("deleting the load's bees, round %d: %v; %d left", round, err, len(left.Items))
	}
}

type nodeClients struct {
	kube    kubernetes.Interface
	dynamic dynamic.Interface
}

func (n *node) clients(t *testing.T) nodeClients {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", n.admin)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = -1, 0
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return nodeClients{kube: kube, dynamic: dyn}
}

// etcdLeader returns the pod of the etcd member that leads, after checking
// that every member is healthy and exactly one leads. It asks each member's
// metrics port on its pod address.
func (n *node) etcdLeader(t *testing.T, ns string) string {
	t.Helper()
	var leader string
	waitFor(t, 2*time.Minute, func() bool {
		leader = ""
		leaders := 0
		for i := range 3 {
			pod := fmt.Sprintf("bees-etcd-%d", i)
			ip := n.podIP(t, ns, pod)
			metrics, err := httpGet(fmt.Sprintf("http://%s:2381/metrics", ip))
			if err != nil {
				return false
			}
			if !strings.Contains(metrics, "\netcd_server_has_leader 1\n") {
				return false
			}
			if strings.Contains(metrics, "\netcd_server_is_leader 1\n") {
				leaders++
				leader = pod
			}
		}
		return leaders == 1
	}, func() string { return "the etcd members do not form one cluster with one leader" })
	return leader
}

func httpGet(url string) (string, error) {
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", url, resp.Status)
	}
	return string(body), nil
}

// nodeDoctor runs doctor against real pods: from outside the pod network (a
// network namespace that reaches kube-apiserver but no pod, like a laptop),
// it goes through kube-apiserver's service proxy; with the Deployment scaled
// to 0 it names the missing endpoints and exits 1; scaled back, 0.
func nodeDoctor(t *testing.T, n *node, bin, dir, ns string) {
	const netns = "e2e-doctor"
	vethNetns(t, netns, "e2e-doc", "10.202.0.1", "10.202.0.2")
	// Only kube-apiserver's address is routed; the pod network is not.
	run(t, "ip", "netns", "exec", netns, "ip", "route", "add", nodeIP+"/32", "via", "10.202.0.1")
	args := []string{"--kubeconfig", n.admin, "--namespace", ns, "--name", "bees"}

	findings := func(r *doctor.Report, check string) []doctor.Finding {
		var out []doctor.Finding
		for _, f := range r.Findings {
			if f.Check == check {
				out = append(out, f)
			}
		}
		return out
	}
	code, report, text := runDoctorIn(t, bin, dir, netns, args...)
	if code != 0 {
		t.Fatalf("doctor from outside the pod network: exit %d\n%s", code, text)
	}
	proxied := false
	for _, f := range findings(report, "certificate") {
		proxied = proxied || strings.Contains(f.Message, "answers through kube-apiserver's service proxy")
	}
	if !proxied {
		t.Fatalf("doctor did not go through the service proxy:\n%s", text)
	}

	// A port the Service does not have (run in-cluster's Service is a
	// ClusterIP one, whose ports kube-aggregator matches: ServicePortError).
	const apiservice = "v1alpha1.insect.example.com"
	mustKubectl(t, n.admin, "patch", "apiservice", apiservice, "--type=merge", "-p", `{"spec":{"service":{"port":8443}}}`)
	waitFor(t, time.Minute, func() bool {
		code, report, text = runDoctorIn(t, bin, dir, "", args...)
		f := report.FirstProblem()
		return code == 1 && f != nil && f.Check == "service" && strings.Contains(f.Message, "has no port 8443") && f.Fix != ""
	}, func() string { return "doctor did not name the Service's missing port first:\n" + text })
	mustKubectl(t, n.admin, "patch", "apiservice", apiservice, "--type=merge", "-p", `{"spec":{"service":{"port":443}}}`)
	waitFor(t, 2*time.Minute, func() bool {
		code, _, text = runDoctorIn(t, bin, dir, "", args...)
		return code == 0
	}, func() string { return "doctor did not turn healthy with the port restored:\n" + text })

	// A namespace with a bee in it, deleted while the API is down, is what
	// the real namespace controller leaves stuck Terminating.
	const stuck = "doctor-stuck"
	mustKubectl(t, n.admin, "create", "namespace", stuck)
	mustKubectl(t, n.admin, "-n", stuck, "apply", "-f", resourceUnderTest{kind: "Bee", group: "insect.example.com", version: "v1alpha1"}.manifest(t, "inside", "spec:\n  replicas: 1\n"))

	mustKubectl(t, n.admin, "-n", ns, "scale", "deployment/bees-apiserver", "--replicas=0")
	waitFor(t, 2*time.Minute, func() bool {
		out, _ := kubectlOut(n.admin, "-n", ns, "get", "pods", "-l", "app.kubernetes.io/component=apiserver", "-o", "name")
		return strings.TrimSpace(out) == ""
	}, func() string { return "the apiserver pods did not go away" })
	code, report, text = runDoctorIn(t, bin, dir, "", args...)
	first := report.FirstProblem()
	if code != 1 || first == nil || first.Check != "endpoints" || !strings.Contains(first.Message, "MissingEndpoints") {
		t.Fatalf("doctor with the apiserver scaled to 0: exit %d, first problem %+v, want endpoints (MissingEndpoints)\n%s", code, first, text)
	}
	mustKubectl(t, n.admin, "delete", "namespace", stuck, "--wait=false")
	waitFor(t, 2*time.Minute, func() bool {
		code, report, text = runDoctorIn(t, bin, dir, "", args...)
		for _, f := range findings(report, "namespace") {
			if f.Subject == stuck && f.Severity == doctor.Error && strings.Contains(f.Message, "stuck Terminating") && f.Fix != "" {
				return code == 1
			}
		}
		return false
	}, func() string { return "doctor did not name the namespace stuck Terminating:\n" + text })

	mustKubectl(t, n.admin, "-n", ns, "scale", "deployment/bees-apiserver", "--replicas=2")
	n.podsReady(t, ns, map[string]int{"app.kubernetes.io/component=apiserver": 2})
	waitFor(t, 2*time.Minute, func() bool {
		code, _, text = runDoctorIn(t, bin, dir, "", args...)
		return code == 0
	}, func() string { return "doctor did not turn healthy after scaling back:\n" + text })
	// Back up, the API lets the namespace controller finish.
	waitFor(t, 4*time.Minute, func() bool {
		_, err := kubectlOut(n.admin, "get", "namespace", stuck)
		return err != nil
	}, func() string {
		ns, _ := kubectlOut(n.admin, "get", "namespace", stuck, "-o", "jsonpath={.status}")
		left, _ := kubectlOut(n.admin, "-n", stuck, "get", "bees", "-o", "yaml")
		return "namespace " + stuck + " was not deleted once the API was back: " + ns + "\nwhat is left in it:\n" + left
	})
}

// nodeSQLite deploys the same image with --storage sqlite into another
// namespace: one replica on a PersistentVolumeClaim bound to a volume the
// test provides; an object survives the pod's deletion.
func nodeSQLite(t *testing.T, n *node, bin, dir, image string) {
	const ns = "bees-sqlite"
	n.localVolumes(t, "sqlite", 1)
	// The same project under another name: its APIServices (cluster-wide)
	// now point at this deployment.
	out := boot(t, bin, dir, "run", "in-cluster", "--name", "bees-lite", "--namespace", ns, "--image", image, "--build-image=false",
		"--storage", "sqlite", "--replicas", "1", "--kubeconfig", n.admin, "--wait-timeout", "5m", "--output-dir", "config-sqlite")
	if !strings.Contains(out, ns+"/bees-lite-apiserver: rolled out") || !strings.Contains(out, "Available") {
		t.Fatalf("run in-cluster --storage sqlite did not wait for its rollout:\n%s", out)
	}
	if svc := mustKubectl(t, n.admin, "get", "apiservice", "v1alpha1.insect.example.com", "-o", "jsonpath={.spec.service.namespace}/{.spec.service.name}"); svc != ns+"/bees-lite" {
		t.Fatalf("the APIService points at %s", svc)
	}
	if phase := mustKubectl(t, n.admin, "-n", ns, "get", "pvc", "bees-lite-data", "-o", "jsonpath={.status.phase}"); phase != "Bound" {
		t.Fatalf("the SQLite claim is %q, want Bound", phase)
	}
	n.podsReady(t, ns, map[string]int{"app.kubernetes.io/component=apiserver": 1})
	mustKubectl(t, n.admin, "apply", "-f", resourceUnderTest{kind: "Bee", group: "insect.example.com", version: "v1alpha1"}.manifest(t, "kept", "spec:\n  replicas: 5\n"))
	old := strings.TrimSpace(mustKubectl(t, n.admin, "-n", ns, "get", "pod", "-l", "app.kubernetes.io/component=apiserver", "-o", "name"))
	deleted := time.Now()
	mustKubectl(t, n.admin, "-n", ns, "delete", old, "--wait=false")
	n.podsReady(t, ns, map[string]int{"app.kubernetes.io/component=apiserver": 1})
	// The old pod drains (shutdown delay, then its watches closed by
	// --shutdown-watch-termination-grace-period) and exits well before the
	// kubelet's 60 s grace period would kill it: without that flag it waits
	// for its watches until it is killed.
	const drained = 45 * time.Second
	waitFor(t, drained-time.Since(deleted), func() bool {
		_, err := kubectlOut(n.admin, "-n", ns, "get", old)
		return err != nil
	}, func() string {
		return fmt.Sprintf("%s was not gone %s after its deletion: it did not close its watches and exit before the 60 s grace period", old, drained)
	})
	t.Logf("the deleted apiserver pod was gone after %s", time.Since(deleted).Round(time.Second))
	waitFor(t, 2*time.Minute, func() bool {
		out, _ := kubectlOut(n.admin, "get", "bees", "kept", "-o", "jsonpath={.spec.replicas}")
		return out == "5"
	}, func() string {
		out, _ := kubectlOut(n.admin, "get", "bees", "kept", "-o", "yaml")
		return "the bee did not survive the pod's deletion:\n" + out
	})
}
