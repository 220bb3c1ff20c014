package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The other network: kube-apiserver in a network namespace of the test's
// own, which reaches this machine only at the host end of a veth pair, as
// kind's node container reaches the host through its bridge.
const (
	remoteNetns  = "e2e-remote"
	remoteHostIP = "10.203.0.1" // this machine, as the cluster sees it
	remoteAPIIP  = "10.203.0.2" // kube-apiserver
)

// registerFromAnotherNetwork: run local --register-into a kube-apiserver in
// another network, which routes to endpoints itself
// (--enable-aggregator-routing=true, as many managed control planes do).
// With --advertise-host at this machine's address there, the local server
// listens on that address only, the cluster gets a Service without a
// selector and an EndpointSlice for it, the APIService is Available and
// kubectl works through kube-apiserver; on exit all of it is gone.
func registerFromAnotherNetwork(t *testing.T, bin, dir string) {
	requireTool(t, "ip", "a kube-apiserver in a network namespace of its own, as kind's node is")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("a network namespace needs root, and CI must prove register-into from another network")
		}
		t.Skip("a network namespace needs root")
	}
	sharedNetnsDir(t)
	vethNetns(t, remoteNetns, "e2e-rem", remoteHostIP, remoteAPIIP)
	etcd := startEtcdIn(t, remoteNetns)
	cp := startKubeAPIServerWith(t, etcd, apiserverConfig{host: remoteAPIIP, netns: remoteNetns,
		extraArgs: []string{"--enable-aggregator-routing=true"}})
	admin := cp.kubeconfigs["admin"]

	r := startRegistered(t, bin, dir, admin, "--advertise-host", remoteHostIP)
	if out := mustKubectl(t, admin, "get", "apiservice", "v1alpha1.insect.example.com"); !containsLine(out, "v1alpha1.insect.example.com", "bees-system/bees-apiserver", "True") {
		t.Fatalf("APIService:\n%s", out)
	}
	svc := mustKubectl(t, admin, "-n", "bees-system", "get", "service", "bees-apiserver", "-o", "jsonpath={.spec.type} {.spec.selector}")
	ep := mustKubectl(t, admin, "-n", "bees-system", "get", "endpointslices", "-l", "kubernetes.io/service-name=bees-apiserver",
		"-o", "jsonpath={.items[0].endpoints[0].addresses[0]}:{.items[0].ports[0].port}")
	if svc != "ClusterIP " || ep != net.JoinHostPort(remoteHostIP, strconv.Itoa(r.securePort)) {
		t.Fatalf("the Service is %q (want ClusterIP without a selector) with endpoint %q (want %s:%d)", svc, ep, remoteHostIP, r.securePort)
	}
	// Only there: not on loopback, so nothing else on the machine's other
	// addresses reaches it either.
	if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(r.securePort)), 2*time.Second); err == nil {
		c.Close()
		t.Fatalf("the local apiserver listens on loopback too")
	}
	mustKubectl(t, admin, "create", "-f", filepath.Join(dir, "sample", "bee.yaml"))
	if out := mustKubectl(t, admin, "get", "bees", "-A"); !containsLine(out, "default", "bee-sample") {
		t.Fatalf("list through kube-apiserver:\n%s", out)
	}
	mustKubectl(t, admin, "delete", "bee", "bee-sample")

	r.interrupt(t)
	left := mustKubectl(t, admin, "get", "apiservices,services,endpointslices", "-A", "-l", "apiserver-boot.io/run-local", "-o", "name")
	if strings.TrimSpace(left) != "" {
		t.Errorf("run local left behind:\n%s", left)
	}
}

// vethNetns makes a network namespace joined to this machine by a veth pair,
// hostIP/30 on this side and nsIP/30 inside, and removes both at the end.
func vethNetns(t *testing.T, netns, link, hostIP, nsIP string) {
	t.Helper()
	peer := link + "p"
	_ = exec.Command("ip", "link", "del", link).Run() // a killed run's
	_ = exec.Command("ip", "netns", "del", netns).Run()
	run(t, "ip", "netns", "add", netns)
	t.Cleanup(func() {
		_ = exec.Command("ip", "link", "del", link).Run()
		_ = exec.Command("ip", "netns", "del", netns).Run()
	})
	run(t, "ip", "link", "add", link, "type", "veth", "peer", "name", peer)
	run(t, "ip", "link", "set", peer, "netns", netns)
	run(t, "ip", "addr", "add", hostIP+"/30", "dev", link)
	run(t, "ip", "link", "set", link, "up")
	in := func(args ...string) { run(t, "ip", append([]string{"netns", "exec", netns}, args...)...) }
	in("ip", "addr", "add", nsIP+"/30", "dev", peer)
	in("ip", "link", "set", peer, "up")
	in("ip", "link", "set", "lo", "up")
}

// startEtcdIn runs the e2e tools' etcd on the loopback of netns and returns
// its client URL there.
func startEtcdIn(t *testing.T, netns string) string {
	t.Helper()
	const client, peer = "http://127.0.0.1:2379", "http://127.0.0.1:2380"
	cmd := exec.Command("ip", "netns", "exec", netns, e2eTool(t, "etcd"), "--data-dir", t.TempDir(),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "default="+peer,
		"--unsafe-no-fsync")
	var log syncBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("etcd in %s:\n%s", netns, tail([]byte(log.String()), 2048))
		}
	})
	waitFor(t, 30*time.Second, func() bool {
		return exec.Command("ip", "netns", "exec", netns, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/2379").Run() == nil
	}, func() string { return fmt.Sprintf("etcd did not listen in %s:\n%s", netns, log.String()) })
	return client
}
