package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/apiserver-boot/apiserver-boot/internal/certs"
	"github.com/apiserver-boot/apiserver-boot/internal/localrun"
)

// The node's network. Pods live on a bridge of the test's own, in network
// namespaces containerd creates; kube-apiserver, the kubelet and CoreDNS
// listen on the bridge's address, so pods reach them and nothing listens on
// the machine's own interfaces.
const (
	nodeName      = "e2e-node"
	nodeBridge    = "abnode0"
	nodePodCIDR   = "10.200.0.0/24"
	nodeIP        = "10.200.0.1" // the bridge: the pods' gateway, the node's address
	nodeSvcCIDR   = "10.201.0.0/24"
	nodeSvcTable  = "201" // routing table for the host's own Service traffic
	nodePodRule   = "202" // the rule that makes unused Service addresses unreachable for pods
	nodeNFTable   = "apiserver_boot_e2e"
	nodeEtcdImage = "etcd:e2e"
	nodePause     = "pause:e2e"
)

// node is a one-node Kubernetes cluster made of real components, all on this
// machine: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
// containerd with runc and the CNI bridge, the kubelet, kube-proxy, CoreDNS,
// and a distribution registry on loopback that containerd pulls every image
// from.
type node struct {
	dir      string
	cp       *controlPlane
	admin    string // admin kubeconfig
	registry string // host:port of the loopback registry
	// etcdImage is the image of the etcd StatefulSet, built from the etcd
	// Kubernetes pins and pushed to the registry.
	etcdImage      string
	containerdSock string
	dnsReady       int // CoreDNS's readiness port
	logs           map[string]*os.File
	exited         map[string]chan struct{}
}

// nodePrerequisites are the programs a node needs from the machine (Debian's
// containerd, runc, containernetworking-plugins, iptables and nftables),
// besides the binaries e2e/tools builds. Without root, or without one of
// them, the test fails under CI and is skipped elsewhere.
func nodePrerequisites(t *testing.T) {
	t.Helper()
	what := "that run in-cluster's manifests and image run in a real node"
	if os.Getuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("the node tests need root (kubelet, containerd, network namespaces), and CI must prove %s", what)
		}
		t.Skipf("not root: NOT PROVEN here: %s", what)
	}
	for _, tool := range []string{"containerd", "runc", "iptables", "nft", "ip"} {
		requireTool(t, tool, what)
	}
	if _, err := os.Stat("/usr/lib/cni/bridge"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the CNI plugins (containernetworking-plugins) are missing, and CI must prove %s", what)
		}
		t.Skipf("the CNI plugins are not installed: NOT PROVEN here: %s", what)
	}
}

// startNode brings the cluster up and registers its teardown with t, which
// undoes everything: processes, containers, mounts, network namespaces,
// rules and routes.
func startNode(t *testing.T) *node {
	t.Helper()
	nodePrerequisites(t)
	start := time.Now()
	reclaimNode(t)
	dir, err := os.MkdirTemp("", nodeDirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{dir: dir, logs: map[string]*os.File{}, exited: map[string]chan struct{}{}}
	t.Cleanup(func() {
		for _, f := range n.logs {
			f.Close()
		}
		if t.Failed() {
			t.Logf("node logs kept in %s", dir)
			return
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("removing %s: %v", dir, err)
		}
	})
	tools := func(name string) string { return e2eTool(t, name) }
	for _, b := range []string{"kube-apiserver", "kubelet", "kube-controller-manager", "kube-scheduler", "kube-proxy", "coredns", "registry", "etcd", "pause"} {
		tools(b)
	}

	n.network(t)
	n.startRegistry(t)
	n.pushImages(t)
	sharedNetnsDir(t)
	n.startContainerd(t)

	etcd := startEtcd(t)
	// A cluster's usual admission (PodSecurity and the rest are on by
	// default), the Node authorizer, and the kubelet client certificate for
	// logs and exec.
	kubeletClient := filepath.Join(dir, "pki")
	if err := os.MkdirAll(kubeletClient, 0o755); err != nil {
		t.Fatal(err)
	}
	n.cp = startKubeAPIServerWith(t, etcd, apiserverConfig{
		host: nodeIP, serviceRange: nodeSvcCIDR, dir: filepath.Join(dir, "pki"),
		authorization: "Node,RBAC",
		extraArgs: []string{
			"--enable-admission-plugins", "NodeRestriction",
			// The kubelet by its address: the default tries the node's name
			// first, which only the machine's resolver would answer.
			"--kubelet-preferred-address-types", "InternalIP",
			// The aggregator picks a ready endpoint per request, as managed
			// control planes (which run no kube-proxy) do. With the default,
			// every proxied request shares one HTTP/2 connection to the
			// Service's ClusterIP, pinned to one replica, and a write in
			// flight when that replica sends GOAWAY at the end of its shutdown
			// delay fails with 503 (the aggregator cannot replay its body):
			// measured here at about one write per rolling restart, which
			// the zero-failure rollout check below would flag.
			"--enable-aggregator-routing=true",
			"--kubelet-client-certificate", filepath.Join(dir, "pki", "kubelet-client.crt"),
			"--kubelet-client-key", filepath.Join(dir, "pki", "kubelet-client.key"),
		},
		beforeStart: func(ca *certs.KeyPair) {
			kp, err := ca.NewClient("kube-apiserver-kubelet-client", []string{"system:masters"}, certs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := kp.Write(filepath.Join(dir, "pki", "kubelet-client.crt"), filepath.Join(dir, "pki", "kubelet-client.key")); err != nil {
				t.Fatal(err)
			}
		},
	})
	n.admin = n.cp.kubeconfigs["admin"]
	n.startControllers(t)
	n.startCoreDNS(t)
	n.startKubelet(t)
	n.startKubeProxy(t)
	n.waitReady(t)
	t.Logf("node %s Ready in %s (registry %s)", nodeName, time.Since(start).Round(100*time.Millisecond), n.registry)
	return n
}

// nodeDirPrefix names the node's directory under the temporary directory.
const nodeDirPrefix = "e2e-node-"

// reclaimNode takes the node lock (one node test at a time on a machine) and
// removes what a node test killed before its cleanup left behind (go test
// exits at once on SIGINT): its processes, containers, mounts, directories,
// rules, routes and bridge.
func reclaimNode(t *testing.T) {
	t.Helper()
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "apiserver-boot-e2e-node.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		t.Fatalf("another node test is running on this machine (%s is locked)", lock.Name())
	}
	t.Cleanup(func() { lock.Close() })
	stale, _ := filepath.Glob(filepath.Join(os.TempDir(), nodeDirPrefix+"*"))
	if len(stale) == 0 {
		if err := exec.Command("ip", "link", "show", nodeBridge).Run(); err != nil {
			return
		}
	}
	t.Logf("removing what an interrupted node test left: %v", stale)
	for _, dir := range stale {
		n := &node{dir: dir, containerdSock: filepath.Join(dir, "containerd", "containerd.sock")}
		n.killProcesses(func(cmdline, cgroup string) bool {
			return strings.Contains(cmdline, dir+"/") || strings.Contains(cgroup, "/kubepods")
		})
		n.unmountAll()
		removeKubepodsCgroups()
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("removing %s: %v", dir, err)
		}
	}
	_ = exec.Command(e2eTool(t, "kube-proxy"), "--cleanup").Run()
	removeNodeNetwork()
}

// removeNodeNetwork removes the node's bridge, rules and routes, and the
// empty canary chains the kubelet leaves (kube-proxy --cleanup removes its own).
func removeNodeNetwork() {
	for _, ipt := range []string{"iptables", "ip6tables"} {
		for _, table := range []string{"nat", "mangle", "filter"} {
			_ = exec.Command(ipt, "-t", table, "-X", "KUBE-KUBELET-CANARY").Run()
		}
	}
	for _, args := range [][]string{
		{"ip", "rule", "del", "pref", nodeSvcTable},
		{"ip", "rule", "del", "pref", nodePodRule},
		{"ip", "route", "flush", "table", nodeSvcTable},
		{"ip", "route", "del", "unreachable", nodeSvcCIDR},
		{"ip", "link", "del", nodeBridge},
		{"nft", "delete", "table", "inet", nodeNFTable},
	} {
		_ = exec.Command(args[0], args[1:]...).Run()
	}
}

// run runs a command the node's setup needs, failing the test with its output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// network makes the bridge and the containment: nothing the pods send may
// leave the machine. The host forwards only onto the bridge (an nftables
// chain ahead of every other filter, so kube-proxy's rules cannot open a
// way out); the bridge does not masquerade; the Service range is unreachable
// for forwarded packets, so a ClusterIP without rules fails at once instead of
// following the default route. The host's own Service traffic (kube-apiserver
// dialling an aggregated server's ClusterIP) goes through kube-proxy's OUTPUT
// rules on a route via the bridge, never the default route.
func (n *node) network(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("ip", "link", "show", nodeBridge).CombinedOutput(); err == nil {
		t.Fatalf("%s exists already: another node test is running, or one did not clean up\n%s", nodeBridge, out)
	}
	forward, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		t.Fatal(err)
	}
	bridgeNF, _ := os.ReadFile("/proc/sys/net/bridge/bridge-nf-call-iptables")
	t.Cleanup(func() {
		// Undo in reverse; each step on its own, so one failure does not
		// leave the rest behind.
		_ = os.WriteFile("/proc/sys/net/ipv4/ip_forward", forward, 0o644)
		if len(bridgeNF) > 0 {
			_ = os.WriteFile("/proc/sys/net/bridge/bridge-nf-call-iptables", bridgeNF, 0o644)
		}
		removeNodeNetwork()
	})
	run(t, "ip", "link", "add", nodeBridge, "type", "bridge")
	run(t, "ip", "addr", "add", nodeIP+"/24", "dev", nodeBridge)
	run(t, "ip", "link", "set", nodeBridge, "up")
	_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+nodeBridge+"/disable_ipv6", []byte("1"), 0o644)

	// The containment comes before forwarding is switched on.
	rules := fmt.Sprintf(`table inet %[1]s {
	chain forward {
		type filter hook forward priority -300; policy accept;
		oifname != "%[2]s" counter drop comment "the host forwards only onto the test's bridge"
	}
	chain postrouting {
		type filter hook postrouting priority 300; policy accept;
		ip saddr %[3]s ip saddr != %[4]s oifname != { "%[2]s", "lo" } counter drop comment "nothing from a pod leaves by another interface"
	}
}
`, nodeNFTable, nodeBridge, nodePodCIDR, nodeIP)
	cmd := exec.Command("nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v\n%s", err, out)
	}
	// The pods' packets to a Service address kube-proxy has not DNATed:
	// "network is unreachable" at once (a rule's unreachable; the route's
	// below answers "no route to host" to anything else that reaches it).
	run(t, "ip", "rule", "add", "to", nodeSvcCIDR, "iif", nodeBridge, "unreachable", "pref", nodePodRule)
	run(t, "ip", "route", "add", "unreachable", nodeSvcCIDR)
	run(t, "ip", "route", "add", nodeSvcCIDR, "dev", nodeBridge, "table", nodeSvcTable)
	run(t, "ip", "rule", "add", "to", nodeSvcCIDR, "iif", "lo", "lookup", nodeSvcTable, "pref", nodeSvcTable)
	if err := os.WriteFile("/proc/sys/net/bridge/bridge-nf-call-iptables", []byte("1"), 0o644); err != nil {
		t.Fatalf("br_netfilter: %v", err)
	}
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(n.dir, "cni", "net.d", "10-e2e.conflist"), fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": "e2e",
  "plugins": [
    {
      "type": "bridge", "bridge": %q, "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": %q, "gateway": %q}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": %q}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, nodeBridge, nodePodCIDR, nodeIP, filepath.Join(n.dir, "cni", "ipam")))
}

// daemon starts a long-running component with its log in the node's
// directory, and stops it (SIGTERM, then SIGKILL after grace) at cleanup.
func (n *node) daemon(t *testing.T, name string, grace time.Duration, env []string, args ...string) {
	t.Helper()
	logPath := filepath.Join(n.dir, "logs", name+".log")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	n.logs[name] = log
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	n.exited[name] = exited
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(grace):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s log (last 2 KiB):\n%s", name, n.logTail(name, 2048))
		}
	})
}

// logTail returns the end of a component's log.
func (n *node) logTail(name string, size int) string {
	data, _ := os.ReadFile(filepath.Join(n.dir, "logs", name+".log"))
	return string(tail(data, size))
}

// alive fails the test when a component has exited.
func (n *node) alive(t *testing.T, name string) {
	t.Helper()
	select {
	case <-n.exited[name]:
		t.Fatalf("%s exited:\n%s", name, n.logTail(name, 4096))
	default:
	}
}

// startRegistry runs the distribution registry on loopback, storing on disk.
func (n *node) startRegistry(t *testing.T) {
	t.Helper()
	port := freePort(t)
	n.registry = fmt.Sprintf("127.0.0.1:%d", port)
	config := filepath.Join(n.dir, "registry.yaml")
	writeFile(t, config, fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(n.dir, "registry"), n.registry))
	// No tracing exporter: it would dial a collector.
	n.daemon(t, "registry", 5*time.Second, []string{"OTEL_TRACES_EXPORTER=none", "OTEL_SDK_DISABLED=true"}, e2eTool(t, "registry"), "serve", config)
	waitFor(t, 30*time.Second, func() bool {
		n.alive(t, "registry")
		_, err := httpGet("http://" + n.registry + "/v2/")
		return err == nil
	}, func() string { return "the registry did not answer /v2/:\n" + n.logTail("registry", 2048) })
}

// pushImages pushes the images the node needs that no project builds: the
// pod sandbox (pause) and etcd, each one static binary FROM scratch.
func (n *node) pushImages(t *testing.T) {
	t.Helper()
	n.etcdImage = n.registry + "/" + nodeEtcdImage
	pushBinaryImage(t, n.registry+"/"+nodePause, e2eTool(t, "pause"), "/pause")
	pushBinaryImage(t, n.etcdImage, e2eTool(t, "etcd"), "/usr/local/bin/etcd")
}

// pushBinaryImage pushes an image of one file, the entrypoint, at path.
func pushBinaryImage(t *testing.T, ref, binary, path string) {
	t.Helper()
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := strings.Split(strings.Trim(filepath.Dir(path), "/"), "/")
	for i := range dirs {
		if dirs[i] == "" {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: strings.Join(dirs[:i+1], "/") + "/", Mode: 0o755}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(path, "/"), Mode: 0o755, Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy() // keeps rootfs.diff_ids, which must match the layers
	cfg.Architecture, cfg.OS = runtime.GOARCH, "linux"
	cfg.Config = v1.Config{Entrypoint: []string{path}, Env: []string{"PATH=" + filepath.Dir(path)}}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
}

// startContainerd runs Debian's containerd with its CRI plugin, runc, the CNI
// bridge, and every registry (docker.io, registry.k8s.io, any other) sent to
// the loopback one, so an image that is not there fails here instead of being
// fetched from outside.
func (n *node) startContainerd(t *testing.T) {
	t.Helper()
	root := filepath.Join(n.dir, "containerd")
	hosts := filepath.Join(root, "certs.d")
	for _, host := range []string{"_default", n.registry} {
		writeFile(t, filepath.Join(hosts, host, "hosts.toml"), fmt.Sprintf("server = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n  skip_verify = true\n",
			"http://"+n.registry, "http://"+n.registry))
	}
	n.containerdSock = filepath.Join(root, "containerd.sock")
	config := filepath.Join(root, "config.toml")
	writeFile(t, config, fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = %q

[ttrpc]
  address = %q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  stream_server_address = "127.0.0.1"
  enable_selinux = false
  # Root here lacks CAP_SYS_RESOURCE, so the negative OOM scores the kubelet
  # gives sandboxes and Guaranteed pods cannot be written: runc fails with
  # "can't get final child's PID from pipe". Clamp them at containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = %q
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = %q
`, filepath.Join(root, "root"), filepath.Join(root, "state"), n.containerdSock, n.containerdSock+".ttrpc",
		n.registry+"/"+nodePause, filepath.Join(n.dir, "cni", "net.d"), hosts))
	// After the kubelet stops, its containers keep running under their
	// shims: kill them, then unmount what they and the kubelet mounted, before
	// containerd itself stops (cleanups run in reverse).
	t.Cleanup(func() { n.unmountAll(); removeKubepodsCgroups() })
	n.daemon(t, "containerd", 10*time.Second, nil, "containerd", "--config", config, "--log-level", "warn")
	t.Cleanup(func() { n.killContainers() })
	waitFor(t, 30*time.Second, func() bool {
		n.alive(t, "containerd")
		_, err := os.Stat(n.containerdSock)
		return err == nil
	}, func() string { return "containerd did not listen:\n" + n.logTail("containerd", 2048) })
}

// killContainers kills every process in the kubelet's pod cgroups and the
// containerd shims of this node.
func (n *node) killContainers() {
	n.killProcesses(func(cmdline, cgroup string) bool {
		return strings.Contains(cgroup, "/kubepods") || (strings.Contains(cmdline, "containerd-shim") && strings.Contains(cmdline, n.containerdSock))
	})
}

// killProcesses SIGKILLs the processes match selects by command line and
// cgroups, and waits (10 s at most) until they are gone.
func (n *node) killProcesses(match func(cmdline, cgroup string) bool) {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cgroup, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cgroup"))
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if match(string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})), string(cgroup)) {
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for time.Now().Before(deadline) && syscall.Kill(pid, 0) == nil {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// unmountAll unmounts everything mounted below the node's directory (volumes,
// overlay root filesystems, shm) and the pods' network namespaces, deepest
// first.
func (n *node) unmountAll() {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var points []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 5 {
			continue
		}
		p := strings.ReplaceAll(fields[4], `\040`, " ")
		if strings.HasPrefix(p, n.dir+"/") || strings.HasPrefix(p, "/run/netns/cni-") || strings.HasPrefix(p, "/var/run/netns/cni-") {
			points = append(points, p)
		}
	}
	f.Close()
	slices.SortFunc(points, func(a, b string) int { return len(b) - len(a) })
	for _, p := range points {
		_ = syscall.Unmount(p, syscall.MNT_DETACH)
		if strings.Contains(p, "/netns/cni-") {
			_ = os.Remove(p)
		}
	}
}

// netnsDir is where containerd's CNI and `ip netns` keep network namespaces.
const netnsDir = "/run/netns"

// sharedNetnsDir makes netnsDir a shared mount of its own before the first pod
// starts, as `ip netns add` does the first time it runs. Done later by `ip
// netns add` (the doctor's namespace), that bind-mounts the directory on
// itself, recursively: every pod's namespace file is then mounted twice, the
// CNI teardown unmounts the top one only, and removing the file fails with
// "device or resource busy", which leaves the pod unsynced and never gone.
func sharedNetnsDir(t *testing.T) {
	t.Helper()
	if err := os.MkdirAll(netnsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Shared already (a mount of its own): nothing to do, as for iproute2.
	if err := syscall.Mount("", netnsDir, "none", syscall.MS_SHARED|syscall.MS_REC, ""); err == nil {
		return
	} else if err != syscall.EINVAL {
		t.Fatalf("making %s shared: %v", netnsDir, err)
	}
	if err := syscall.Mount(netnsDir, netnsDir, "none", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		t.Fatalf("bind-mounting %s on itself: %v", netnsDir, err)
	}
	if err := syscall.Mount("", netnsDir, "none", syscall.MS_SHARED|syscall.MS_REC, ""); err != nil {
		t.Fatalf("making %s shared: %v", netnsDir, err)
	}
}

// removeKubepodsCgroups removes the kubelet's cgroups (kubepods and below,
// in every v1 hierarchy) once no process is left in them, deepest first.
func removeKubepodsCgroups() {
	roots, _ := filepath.Glob("/sys/fs/cgroup/*/kubepods")
	for _, root := range roots {
		var dirs []string
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
		for _, d := range dirs {
			_ = syscall.Rmdir(d)
		}
	}
}

// componentKubeconfig writes a kubeconfig for a client certificate of user in groups.
func (n *node) componentKubeconfig(t *testing.T, user string, groups ...string) string {
	t.Helper()
	kp, err := n.cp.ca.NewClient(user, groups, certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(n.dir, "pki", strings.ReplaceAll(user, ":", "-")+".kubeconfig")
	if err := (&localrun.PKI{Dir: n.cp.dir, CA: n.cp.ca, Admin: kp}).WriteKubeconfig(path, n.cp.server, "default"); err != nil {
		t.Fatal(err)
	}
	return path
}

// startControllers runs kube-controller-manager (with the service account
// token signer and the root CA publisher, so pods get their tokens, and the
// PersistentVolume binder and disruption controllers the tests need) and
// kube-scheduler.
func (n *node) startControllers(t *testing.T) {
	t.Helper()
	pki := func(f string) string { return filepath.Join(n.cp.dir, f) }
	kcm := n.componentKubeconfig(t, "system:kube-controller-manager")
	n.daemon(t, "kube-controller-manager", 10*time.Second, nil, e2eTool(t, "kube-controller-manager"),
		"--kubeconfig", kcm, "--authentication-kubeconfig", kcm, "--authorization-kubeconfig", kcm,
		"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(freePort(t)),
		"--service-account-private-key-file", pki("sa.key"), "--root-ca-file", pki("ca.crt"),
		"--use-service-account-credentials", "--leader-elect=false",
		"--cluster-signing-cert-file", pki("ca.crt"), "--cluster-signing-key-file", pki("ca.key"),
		"--service-cluster-ip-range", nodeSvcCIDR, "--v=1")
	sched := n.componentKubeconfig(t, "system:kube-scheduler")
	n.daemon(t, "kube-scheduler", 10*time.Second, nil, e2eTool(t, "kube-scheduler"),
		"--kubeconfig", sched, "--authentication-kubeconfig", sched, "--authorization-kubeconfig", sched,
		"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(freePort(t)), "--leader-elect=false", "--v=1")
}

// startCoreDNS serves the cluster zone from the API on the bridge address,
// which the kubelet gives pods as their nameserver. There is no forward
// plugin: a name outside the cluster is refused here.
func (n *node) startCoreDNS(t *testing.T) {
	t.Helper()
	mustKubectl(t, n.admin, "apply", "-f", writeTemp(t, "coredns-rbac.yaml", `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "e2e:coredns"}
rules:
- {apiGroups: [""], resources: [endpoints, services, pods, namespaces], verbs: [list, watch]}
- {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "e2e:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "e2e:coredns"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "e2e:coredns"}]
`))
	kubeconfig := n.componentKubeconfig(t, "e2e:coredns")
	n.dnsReady = freePort(t)
	corefile := filepath.Join(n.dir, "Corefile")
	writeFile(t, corefile, fmt.Sprintf(`cluster.local in-addr.arpa ip6.arpa {
    bind %s
    errors
    health 127.0.0.1:%d
    ready 127.0.0.1:%d
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig %s
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
}
`, nodeIP, freePort(t), n.dnsReady, kubeconfig))
	n.daemon(t, "coredns", 5*time.Second, nil, e2eTool(t, "coredns"), "-conf", corefile)
}

// startKubelet runs the kubelet on containerd. The machine's cgroups are v1,
// which kubelet 1.35+ refuses unless failCgroupV1 is false; containerd 1.6
// does not report its cgroup driver, so the kubelet uses the one configured
// here (cgroupfs, as containerd's runc options say).
func (n *node) startKubelet(t *testing.T) {
	t.Helper()
	root := filepath.Join(n.dir, "kubelet")
	config := filepath.Join(n.dir, "kubelet.yaml")
	writeFile(t, config, fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://%s
address: %s
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: %d
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: %s}
authorization: {mode: Webhook}
clusterDomain: cluster.local
clusterDNS: [%s]
resolvConf: ""
failSwapOn: false
podCIDR: %s
podLogsDirectory: %s
serializeImagePulls: false
evictionHard: {memory.available: "100Mi", nodefs.available: "1%%", imagefs.available: "1%%", nodefs.inodesFree: "1%%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusUpdateFrequency: 4s
syncFrequency: 10s
fileCheckFrequency: 10s
`, n.containerdSock, nodeIP, freePort(t), filepath.Join(n.cp.dir, "ca.crt"), nodeIP, nodePodCIDR, filepath.Join(n.dir, "pod-logs")))
	kubeconfig := n.componentKubeconfig(t, "system:node:"+nodeName, "system:nodes")
	n.daemon(t, "kubelet", 20*time.Second, nil, e2eTool(t, "kubelet"),
		"--config", config, "--kubeconfig", kubeconfig, "--root-dir", root, "--cert-dir", filepath.Join(root, "pki"),
		"--hostname-override", nodeName, "--node-ip", nodeIP, "--v=1")
}

// startKubeProxy runs kube-proxy in iptables mode; its rules are removed
// with kube-proxy --cleanup at teardown.
func (n *node) startKubeProxy(t *testing.T) {
	t.Helper()
	bin := e2eTool(t, "kube-proxy")
	t.Cleanup(func() { _ = exec.Command(bin, "--cleanup").Run() })
	config := filepath.Join(n.dir, "kube-proxy.yaml")
	writeFile(t, config, fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: %s}
mode: iptables
clusterCIDR: %s
hostnameOverride: %s
bindAddress: %s
healthzBindAddress: 127.0.0.1:%d
metricsBindAddress: 127.0.0.1:%d
nodePortAddresses: ["%s/32"]
conntrack: {maxPerCore: 0, min: 0}
`, n.componentKubeconfig(t, "system:kube-proxy"), nodePodCIDR, nodeName, nodeIP, freePort(t), freePort(t), nodeIP))
	n.daemon(t, "kube-proxy", 10*time.Second, nil, bin, "--config", config, "--v=1")
}

// waitReady waits for the node to be Ready and CoreDNS to be ready.
func (n *node) waitReady(t *testing.T) {
	t.Helper()
	waitFor(t, 3*time.Minute, func() bool {
		for _, c := range []string{"containerd", "kube-controller-manager", "kube-scheduler", "coredns", "kubelet", "kube-proxy"} {
			n.alive(t, c)
		}
		out, err := kubectlOut(n.admin, "get", "node", nodeName, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
		if err != nil || out != "True" {
			return false
		}
		_, err = httpGet(fmt.Sprintf("http://127.0.0.1:%d/ready", n.dnsReady))
		return err == nil
	}, func() string {
		out, _ := kubectlOut(n.admin, "get", "node", "-o", "yaml")
		return "the node is not Ready:\n" + out + "\nkubelet:\n" + n.logTail("kubelet", 4096) + "\ncoredns:\n" + n.logTail("coredns", 1024)
	})
	// A node under pressure is Ready but tainted: the scheduler places no pod
	// and every later subtest would time out saying less than this.
	out := mustKubectl(t, n.admin, "get", "node", nodeName, "-o",
		`jsonpath={range .status.conditions[?(@.status=="True")]}{.type}: {.message}{"\n"}{end}`)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(line, "Pressure") {
			df, _ := exec.Command("df", "-h", n.dir).CombinedOutput()
			t.Fatalf("the node reports %s\nthe kubelet evicts below 1%% free disk (kubelet.yaml); .ci/run makes room before the suite:\n%s", line, df)
		}
	}
}

// writeTemp writes content to a new file and returns its path.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	writeFile(t, path, content)
	return path
}

// podIP returns a pod's address on the bridge.
func (n *node) podIP(t *testing.T, namespace, pod string) net.IP {
	t.Helper()
	out := mustKubectl(t, n.admin, "-n", namespace, "get", "pod", pod, "-o", "jsonpath={.status.podIP}")
	ip := net.ParseIP(strings.TrimSpace(out))
	if ip == nil {
		t.Fatalf("pod %s/%s has no address: %q", namespace, pod, out)
	}
	return ip
}
