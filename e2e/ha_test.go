package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
)

// etcdMemberEnv makes the test binary run one etcd member instead of the
// tests (see TestMain), so that the fault tests can SIGKILL a member as a
// node's loss would: a process of its own, fsync on.
const etcdMemberEnv = "APISERVER_BOOT_E2E_ETCD_MEMBER"

type memberSpec struct {
	Name, Dir, InitialCluster string
	ClientPort, PeerPort      int
}

// runEtcdMember runs the member spec describes until SIGTERM.
func runEtcdMember(spec string) int {
	var m memberSpec
	if err := json.Unmarshal([]byte(spec), &m); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cfg := embed.NewConfig()
	cfg.Name, cfg.Dir = m.Name, m.Dir
	cu, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", m.ClientPort))
	pu, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", m.PeerPort))
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster, cfg.InitialClusterToken = m.InitialCluster, "e2e-fault"
	cfg.LogLevel = "error"
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
		e.Close()
		return 0
	case err := <-e.Err():
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
}

type etcdMember struct {
	spec   memberSpec
	cmd    *exec.Cmd
	exited chan struct{}
	log    *syncBuffer
}

func (m *etcdMember) start(t *testing.T) {
	t.Helper()
	spec, _ := json.Marshal(m.spec)
	m.cmd = exec.Command(os.Args[0], "-test.run=^$")
	m.cmd.Env = append(os.Environ(), etcdMemberEnv+"="+string(spec))
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	m.log = &syncBuffer{}
	m.cmd.Stdout, m.cmd.Stderr = m.log, m.log
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	m.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); close(exited) }(m.cmd, m.exited)
}

func (m *etcdMember) signal(s syscall.Signal) {
	_ = m.cmd.Process.Signal(s)
	<-m.exited
}

// etcdCluster is n members on loopback, each a process.
type etcdCluster struct {
	members []*etcdMember
	urls    []string
}

func startEtcdCluster(t *testing.T, n int) *etcdCluster {
	t.Helper()
	c := &etcdCluster{}
	var initial []string
	for i := range n {
		m := &etcdMember{spec: memberSpec{Name: fmt.Sprintf("m%d", i), Dir: t.TempDir(), ClientPort: freePort(t), PeerPort: freePort(t)}}
		initial = append(initial, fmt.Sprintf("%s=http://127.0.0.1:%d", m.spec.Name, m.spec.PeerPort))
		c.members = append(c.members, m)
		c.urls = append(c.urls, fmt.Sprintf("http://127.0.0.1:%d", m.spec.ClientPort))
	}
	for _, m := range c.members {
		m.spec.InitialCluster = strings.Join(initial, ",")
		m.start(t)
	}
	t.Cleanup(func() {
		for _, m := range c.members {
			select {
			case <-m.exited:
			default:
				m.signal(syscall.SIGKILL)
			}
		}
	})
	waitFor(t, time.Minute, func() bool { return c.leader(t) >= 0 }, func() string { return "the etcd cluster has no leader" })
	return c
}

// leader is the index of the member that leads, or -1.
func (c *etcdCluster) leader(t *testing.T) int {
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.urls, DialTimeout: 2 * time.Second})
	if err != nil {
		return -1
	}
	defer cli.Close()
	for i, u := range c.urls {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		st, err := cli.Status(ctx, u)
		cancel()
		if err == nil && st.Leader != 0 && st.Leader == st.Header.MemberId {
			return i
		}
	}
	return -1
}

// faultLoad writes bees through two apiservers as a careful client does:
// each write goes to its preferred server and, when that fails, is retried
// on the other until it is acknowledged. Every acknowledged write is
// recorded with what it wrote.
type faultLoad struct {
	clients [2]dynamic.ResourceInterface
	mu      sync.Mutex
	// acked: bee name → spec.replicas the last acknowledged write set.
	acked     map[string]int64
	attempted map[string]bool
	// uids: bee name → the uid its acknowledged writes answered with. A later
	// write or the final list with another uid means the object was replaced.
	uids      map[string]string
	latencies []time.Duration
	errors    int
	ackTimes  []time.Time
	// failures are the first failed attempts, with when they started.
	failures []string
	replaced []string
}

func (l *faultLoad) ack(name string, replicas int64, uid string, start time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked[name] = replicas
	if uid != "" {
		if was, ok := l.uids[name]; ok && was != uid {
			l.replaced = append(l.replaced, fmt.Sprintf("bee %s answered with uid %s, then %s", name, was, uid))
		}
		l.uids[name] = uid
	}
	l.latencies = append(l.latencies, time.Since(start))
	l.ackTimes = append(l.ackTimes, time.Now())
}

// do runs op against the preferred server, failing over to the other one,
// until it succeeds or ctx ends.
func (l *faultLoad) do(ctx context.Context, prefer int, op func(ctx context.Context, c dynamic.ResourceInterface) error) error {
	for i := prefer; ; i++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		reqCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		start := time.Now()
		err := op(reqCtx, l.clients[i%2])
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err() // the load was stopped: not a failure of the server
		}
		l.mu.Lock()
		l.errors++
		if len(l.failures) < 20 {
			l.failures = append(l.failures, fmt.Sprintf("%s (+%s): %v", start.Format("15:04:05.000"), time.Since(start).Round(time.Millisecond), err))
		}
		l.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
}

// errorCount is the number of failed attempts so far.
func (l *faultLoad) errorCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errors
}

// run starts workers that create bees and then raise their replicas, until
// ctx ends.
func (l *faultLoad) run(ctx context.Context, workers int) *sync.WaitGroup {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ctx.Err() == nil; seq++ {
				name := fmt.Sprintf("w%d-%d", w, seq)
				l.mu.Lock()
				l.attempted[name] = true
				l.mu.Unlock()
				bee := &unstructured.Unstructured{Object: map[string]any{
					"apiVersion": "insect.example.com/v1alpha1", "kind": "Bee",
					"metadata": map[string]any{"name": name, "namespace": "default"},
					"spec":     map[string]any{"replicas": int64(1), "description": "written by worker " + fmt.Sprint(w)},
				}}
				start := time.Now()
				uid := ""
				err := l.do(ctx, w, func(ctx context.Context, c dynamic.ResourceInterface) error {
					created, err := c.Create(ctx, bee, metav1.CreateOptions{})
					if apierrors.IsAlreadyExists(err) {
						// An earlier attempt landed although its answer was lost.
						return nil
					}
					if err == nil {
						uid = string(created.GetUID())
					}
					return err
				})
				if err != nil {
					return
				}
				l.ack(name, 1, uid, start)
				start = time.Now()
				patch := []byte(`{"spec":{"replicas":3}}`)
				if err := l.do(ctx, w, func(ctx context.Context, c dynamic.ResourceInterface) error {
					patched, err := c.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
					if err == nil {
						uid = string(patched.GetUID())
					}
					return err
				}); err != nil {
					return
				}
				l.ack(name, 3, uid, start)
			}
		}()
	}
	return &wg
}

// survivesKill SIGKILLs apiserver a while the load runs, and checks that
// writes go on through the other one.
func (l *faultLoad) survivesKill(t *testing.T, a *server) {
	t.Helper()
	killed := time.Now()
	a.kill()
	t.Log("killed apiserver A")
	l.resumes(t, killed, "apiserver A's kill")
	time.Sleep(3 * time.Second)
	l.report(t, "after apiserver A's kill")
}

// resumes waits until a write that started after since is acknowledged
// (requests in flight at a fault may take until their timeout), and logs
// how long that took.
func (l *faultLoad) resumes(t *testing.T, since time.Time, fault string) {
	t.Helper()
	var first time.Duration
	waitFor(t, 30*time.Second, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		for i, at := range l.ackTimes {
			if at.After(since) && at.Add(-l.latencies[i]).After(since) {
				first = at.Sub(since)
				return true
			}
		}
		return false
	}, func() string { return "no write started after " + fault + " was acknowledged within 30s" })
	t.Logf("after %s, the first write started since then was acknowledged within %s", fault, first.Round(time.Millisecond))
}

func (l *faultLoad) report(t *testing.T, phase string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lat := slices.Clone(l.latencies)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		t.Fatalf("%s: no write was acknowledged", phase)
	}
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(time.Millisecond) }
	t.Logf("%s: %d writes acknowledged (%d objects), %d failed attempts retried; latency p50 %s p99 %s max %s",
		phase, len(lat), len(l.acked), l.errors, q(0.5), q(0.99), q(1))
}

// verify checks that every acknowledged write is there with what it wrote,
// that nothing else is, and that no object was replaced by another of the
// same name (its uid changed) after a write was acknowledged.
func (l *faultLoad) verify(t *testing.T, c dynamic.ResourceInterface) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := c.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("listing after the faults: %v", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	seen := map[string]int{}
	extra := 0
	for _, r := range l.replaced {
		t.Error(r)
	}
	for _, o := range list.Items {
		seen[o.GetName()]++
		if uid, ok := l.uids[o.GetName()]; ok && uid != string(o.GetUID()) {
			t.Errorf("bee %s has uid %s, but its acknowledged writes answered with %s: it was replaced", o.GetName(), o.GetUID(), uid)
		}
		if !l.attempted[o.GetName()] {
			t.Errorf("bee %s was never written", o.GetName())
		}
		if _, ok := l.acked[o.GetName()]; !ok {
			extra++ // written, its answer lost: present, and not a duplicate
		}
		if want, ok := l.acked[o.GetName()]; ok {
			if got, _, _ := unstructured.NestedInt64(o.Object, "spec", "replicas"); got < want {
				t.Errorf("bee %s has replicas %d, but a write of %d was acknowledged", o.GetName(), got, want)
			}
		}
	}
	lost := 0
	for name := range l.acked {
		if seen[name] == 0 {
			lost++
			t.Errorf("bee %s was acknowledged and is gone", name)
		}
	}
	t.Logf("after the faults: %d bees listed, every one of the %d acknowledged present (%d lost), %d more whose create landed without an answer",
		len(list.Items), len(l.acked), lost, extra)
}

// watchAcross watches bees from rv on the first server and, when that
// watch ends (its server died), resumes from the last resourceVersion seen
// on the other. It records every event.
type watchAcross struct {
	mu      sync.Mutex
	events  []watch.Event
	resumes int
}

func (w *watchAcross) run(ctx context.Context, clients [2]dynamic.ResourceInterface, rv string) {
	for i := 0; ctx.Err() == nil; i++ {
		wi, err := clients[i%2].Watch(ctx, metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true})
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if i > 0 {
			w.mu.Lock()
			w.resumes++
			w.mu.Unlock()
		}
		for ev := range wi.ResultChan() {
			if ev.Type == watch.Error {
				break
			}
			if o, ok := ev.Object.(*unstructured.Unstructured); ok {
				rv = o.GetResourceVersion()
			}
			if ev.Type != watch.Bookmark {
				w.mu.Lock()
				w.events = append(w.events, ev)
				w.mu.Unlock()
			}
		}
		wi.Stop()
	}
}

// check: every acknowledged create was seen ADDED and every acknowledged
// patch MODIFIED, with resourceVersions in order and none twice.
func (w *watchAcross) check(t *testing.T, l *faultLoad) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	added, modified := map[string]bool{}, map[string]bool{}
	var last uint64
	for _, ev := range w.events {
		o := ev.Object.(*unstructured.Unstructured)
		// etcd's revisions (and kine's) are numbers that only grow: a watch
		// resumed on the other server must go on after the last one seen.
		rv, err := strconv.ParseUint(o.GetResourceVersion(), 10, 64)
		if err != nil {
			t.Fatalf("event %s %s: resourceVersion %q is not a revision: %v", ev.Type, o.GetName(), o.GetResourceVersion(), err)
		}
		switch {
		case rv == last:
			t.Errorf("event %s %s at resourceVersion %d delivered twice", ev.Type, o.GetName(), rv)
		case rv < last:
			t.Errorf("event %s %s at resourceVersion %d arrived after %d: out of order", ev.Type, o.GetName(), rv, last)
		}
		last = max(last, rv)
		switch ev.Type {
		case watch.Added:
			added[o.GetName()] = true
		case watch.Modified:
			if r, _, _ := unstructured.NestedInt64(o.Object, "spec", "replicas"); r == 3 {
				modified[o.GetName()] = true
			}
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	missed := 0
	for name, replicas := range l.acked {
		if !added[name] || (replicas == 3 && !modified[name]) {
			missed++
			if missed <= 5 {
				t.Errorf("the watch missed an event of bee %s (added %t, replicas %d modified %t)", name, added[name], replicas, modified[name])
			}
		}
	}
	t.Logf("watch: %d events, resumed %d times on the other server, %d acknowledged writes missed", len(w.events), w.resumes, missed)
}

// haUnderFaults is the etcd fault run: a 3-member etcd cluster, two
// apiservers on it, continuous writes; the leader member killed, then one
// apiserver, then a second member stopped (no quorum) and brought back.
func haUnderFaults(t *testing.T, dir string) {
	requireTool(t, "kubectl", "the surviving apiserver reports etcd's loss on /readyz")
	cluster := startEtcdCluster(t, 3)
	servers := []string{"--etcd-servers", strings.Join(cluster.urls, ","), "--request-timeout", "10s"}
	a, b := startServer(t, dir, servers...), startServer(t, dir, servers...)
	load := newFaultLoad(t, a, b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &watchAcross{}
	rv := listRV(t, load.clients[0])
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go w.run(watchCtx, load.clients, rv)
	workers := load.run(ctx, 4)

	time.Sleep(3 * time.Second)
	load.report(t, "3 members, 2 apiservers")
	if n := load.errorCount(); n != 0 {
		t.Fatalf("%d writes failed before any fault:\n%s", n, strings.Join(load.failures, "\n"))
	}
	leader := cluster.leader(t)
	killed := time.Now()
	cluster.members[leader].signal(syscall.SIGKILL)
	t.Logf("killed etcd member m%d, the leader", leader)
	// 2 of 3 members hold a quorum: once they have elected a leader, writes go on.
	load.resumes(t, killed, "the leader member's kill")
	time.Sleep(3 * time.Second)
	load.report(t, "after the leader member's kill")

	load.survivesKill(t, a)
	cancel()
	workers.Wait()
	load.verify(t, load.clients[1])

	// A second member goes: no quorum. Writes fail with an error, and the
	// surviving apiserver says why.
	load.mu.Lock()
	load.attempted["no-quorum"], load.attempted["quorum-back"] = true, true
	load.mu.Unlock()
	second := (leader + 1) % 3
	cluster.members[second].signal(syscall.SIGTERM)
	t.Logf("stopped etcd member m%d: 1 of 3 left", second)
	bee := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "insect.example.com/v1alpha1", "kind": "Bee",
		"metadata": map[string]any{"name": "no-quorum", "namespace": "default"},
		"spec":     map[string]any{"replicas": int64(1)},
	}}
	start := time.Now()
	wctx, wcancel := context.WithTimeout(context.Background(), 40*time.Second)
	_, err := load.clients[1].Create(wctx, bee, metav1.CreateOptions{})
	wcancel()
	if err == nil {
		t.Fatal("a write succeeded without a quorum")
	}
	t.Logf("a write without quorum fails after %s: %v", time.Since(start).Round(100*time.Millisecond), err)
	if !strings.Contains(err.Error(), "timed out") && !apierrors.IsTimeout(err) && !apierrors.IsServerTimeout(err) {
		t.Errorf("a write without quorum failed with %v, want etcd's timeout", err)
	}
	waitFor(t, 30*time.Second, func() bool {
		out, _ := kubectl(context.Background(), b.kubeconfig, "get", "--raw", "/readyz?verbose")
		return strings.Contains(out, "[-]etcd")
	}, func() string {
		out, _ := kubectl(context.Background(), b.kubeconfig, "get", "--raw", "/readyz?verbose")
		return "apiserver B's /readyz does not report etcd's loss:\n" + out
	})
	out, _ := kubectl(context.Background(), b.kubeconfig, "get", "--raw", "/readyz?verbose")
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "[-]") {
			t.Logf("apiserver B reports: %s", strings.TrimSpace(l))
		}
	}
	// A consistent list needs a quorum read: it waits for a leader until the
	// server's --request-timeout (10 s) ends it: with a 504 ("unable to
	// return a response in the time allotted") or, now and then, an HTTP/2
	// stream reset (both measured). What matters is that it neither answers
	// from a lone member nor fails before the timeout.
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
	listed := time.Now()
	_, err = load.clients[1].List(rctx, metav1.ListOptions{ResourceVersion: ""})
	rcancel()
	waited := time.Since(listed)
	t.Logf("a consistent list without quorum fails after %s: %v", waited.Round(100*time.Millisecond), err)
	switch {
	case err == nil:
		t.Error("a consistent (quorum) list succeeded without a quorum")
	case waited < 9*time.Second:
		t.Errorf("a consistent list without quorum failed after %s, before the 10 s request timeout: %v", waited, err)
	}

	// Both members come back: writes work again and nothing acknowledged is lost.
	for _, i := range []int{leader, second} {
		cluster.members[i].start(t)
	}
	back := time.Now()
	bee.SetName("quorum-back")
	bee.Object["spec"] = map[string]any{"replicas": int64(1)}
	backCtx, backCancel := context.WithTimeout(context.Background(), time.Minute)
	defer backCancel()
	if err := load.do(backCtx, 1, func(ctx context.Context, c dynamic.ResourceInterface) error {
		_, err := c.Create(ctx, bee, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	}); err != nil {
		t.Fatalf("no write succeeded within a minute of the members' return: %v", err)
	}
	load.ack("quorum-back", 1, "", back)
	t.Logf("writes work again %s after the members' return", time.Since(back).Round(100*time.Millisecond))
	load.verify(t, load.clients[1])
	stopWatch()
	w.check(t, load)
}

// haOnPostgres is the same kill of an apiserver under load, with both on
// one Postgres through kine.
func haOnPostgres(t *testing.T, dir, dsn string) {
	args := []string{"--storage", "postgres", "--storage-dsn", dsn}
	a, b := startServer(t, dir, args...), startServer(t, dir, args...)
	load := newFaultLoad(t, a, b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &watchAcross{}
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go w.run(watchCtx, load.clients, listRV(t, load.clients[0]))
	workers := load.run(ctx, 4)
	time.Sleep(3 * time.Second)
	load.report(t, "postgres, 2 apiservers")
	load.survivesKill(t, a)
	cancel()
	workers.Wait()
	load.verify(t, load.clients[1])
	// kine delivers another replica's writes when it polls: give the watch a moment.
	time.Sleep(2 * time.Second)
	stopWatch()
	w.check(t, load)
}

func newFaultLoad(t *testing.T, a, b *server) *faultLoad {
	t.Helper()
	bees := resourceUnderTest{plural: "bees", group: "insect.example.com", version: "v1alpha1"}
	l := &faultLoad{acked: map[string]int64{}, attempted: map[string]bool{}, uids: map[string]string{}}
	for i, s := range []*server{a, b} {
		cfg, err := clientcmd.BuildConfigFromFlags("", s.kubeconfig)
		if err != nil {
			t.Fatal(err)
		}
		cfg.QPS, cfg.Burst = -1, 0 // no client-side throttling: the servers set the pace
		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		l.clients[i] = dyn.Resource(bees.gvr()).Namespace("default")
	}
	return l
}

func listRV(t *testing.T, c dynamic.ResourceInterface) string {
	t.Helper()
	list, err := c.List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return list.GetResourceVersion()
}
