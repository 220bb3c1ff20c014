// Package benchload is the load the benchmarks put on an apiserver, and its
// figures: create throughput and latency, lists of 1k and 10k objects, watch
// fan-out and the server's memory. bench/server.sh (a generated server
// against k8s.io/sample-apiserver) and bench/storage.sh (the storage
// backends against each other) measure with it, so their figures compare.
package benchload

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Target is a resource of a running apiserver.
type Target struct {
	Name string
	// Res is the resource in the namespace objects are created in.
	Res dynamic.ResourceInterface
	// Object returns the i-th object to create (a unique name).
	Object func(i int) *unstructured.Unstructured
	// Watch opens a watch from a resourceVersion (see RawWatch).
	Watch func(ctx context.Context, rv string) (io.ReadCloser, error)
	// PID is the apiserver's process, whose memory is measured (0: not).
	PID int
	// Proto, when set, is the client instead of Res, Object and Watch:
	// protobuf on the wire.
	Proto *Protobuf
}

func (t Target) create(ctx context.Context, i int) error {
	if t.Proto != nil {
		return t.Proto.Create(ctx, i)
	}
	_, err := t.Res.Create(ctx, t.Object(i), metav1.CreateOptions{})
	return err
}

// list returns how many objects a consistent list holds, and its resourceVersion.
func (t Target) list(ctx context.Context) (int, string, error) {
	if t.Proto != nil {
		return t.Proto.List(ctx, "")
	}
	l, err := t.Res.List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, "", err
	}
	return len(l.Items), l.GetResourceVersion(), nil
}

// Options size the load.
type Options struct {
	Creates   int // timed creates, then a list of them (default 1000)
	Total     int // objects for the large list (default 10000)
	Workers   int // concurrent clients (default 16)
	Watchers  int // watchers of the fan-out (default 100)
	Events    int // events each watcher must receive (default 1000)
	SettleFor time.Duration
}

func (o *Options) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Creates, 1000)
	def(&o.Total, 10000)
	def(&o.Workers, 16)
	def(&o.Watchers, 100)
	def(&o.Events, 1000)
}

// Figures are one target's results: throughput in creates per second,
// latencies and durations in milliseconds, memory in MiB. RSS is the
// resident set; Anon is its part that is the process's own memory (heap,
// stacks), without the pages of the binary, which a bigger binary has more
// of and which the kernel shares and can drop.
type Figures struct {
	Throughput, P50, P99, List1k, List10k, Watch float64
	// WatchLag is the part of Watch after the last create was acknowledged:
	// the delivery the creates do not bound.
	WatchLag float64
	// Replay is the time until every one of Watchers watches opened at
	// resourceVersion 0 has received every stored object as an ADDED event
	// (the watch cache's initial events, what informers starting together
	// are sent): fan-out that no write rate bounds.
	Replay                                   float64
	RSSIdle, RSSLoaded, AnonIdle, AnonLoaded float64
}

// String is the figures on one line, as the scripts print them.
func (f Figures) String() string {
	return fmt.Sprintf("creates/s %6.0f  p50 %5.1f ms  p99 %5.1f ms  list-1k %6.1f ms  list-10k %7.1f ms  watch %7.1f ms (lag %6.1f)  replay %7.1f ms  rss idle %5.1f MiB (anon %5.1f)  loaded %6.1f MiB (anon %6.1f)",
		f.Throughput, f.P50, f.P99, f.List1k, f.List10k, f.Watch, f.WatchLag, f.Replay, f.RSSIdle, f.AnonIdle, f.RSSLoaded, f.AnonLoaded)
}

// Ratios divides f by base: above 1 is better for throughput, below 1 for
// the rest. A figure the base lacks (0: not measured) gives n/a, not a ratio.
func (f Figures) Ratios(base Figures) string {
	r := func(a, b float64) string {
		if b == 0 || a == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	return fmt.Sprintf("create-throughput %s p99 %s list-10k %s watch %s watch-lag %s watch-replay %s rss %s",
		r(f.Throughput, base.Throughput), r(f.P99, base.P99), r(f.List10k, base.List10k), r(f.Watch, base.Watch), r(f.WatchLag, base.WatchLag), r(f.Replay, base.Replay), r(f.RSSLoaded, base.RSSLoaded))
}

// Measure runs the load on t: Creates timed creates by Workers clients, the
// median of 5 lists, objects up to Total and the median of 5 lists of them,
// then Watchers watches and Events more creates: the time from the first of
// those writes until every watcher has every event; then Watchers watches
// replaying every object (Replay). Memory is read before and after. Lists
// are consistent (resourceVersion unset).
func Measure(ctx context.Context, t Target, o Options) (Figures, error) {
	o.defaults()
	var f Figures
	var err error
	if o.SettleFor > 0 {
		time.Sleep(o.SettleFor)
	}
	if f.RSSIdle, f.AnonIdle, err = Memory(t.PID); err != nil {
		return f, err
	}
	start := time.Now()
	lat, err := creates(ctx, t, 0, o.Creates, o.Workers)
	if err != nil {
		return f, err
	}
	f.Throughput = float64(o.Creates) / time.Since(start).Seconds()
	slices.Sort(lat)
	f.P50, f.P99 = ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100])
	if f.List1k, err = listMedian(ctx, t, o.Creates); err != nil {
		return f, err
	}
	if _, err := creates(ctx, t, o.Creates, o.Total, o.Workers); err != nil {
		return f, err
	}
	if f.List10k, err = listMedian(ctx, t, o.Total); err != nil {
		return f, err
	}
	if f.Watch, f.WatchLag, err = fanOut(ctx, t, o.Watchers, o.Events, o.Total, o.Workers); err != nil {
		return f, err
	}
	if f.Replay, err = replay(ctx, t, o.Watchers, o.Total+o.Events); err != nil {
		return f, err
	}
	f.RSSLoaded, f.AnonLoaded, err = Memory(t.PID)
	return f, err
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// creates makes objects [from, to) and returns each create's latency.
func creates(ctx context.Context, t Target, from, to, workers int) ([]time.Duration, error) {
	lat := make([]time.Duration, to-from)
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				start := time.Now()
				if err := t.create(ctx, i); err != nil {
					mu.Lock()
					failed = fmt.Errorf("%s: create: %w", t.Name, err)
					mu.Unlock()
				}
				lat[i-from] = time.Since(start)
			}
		}()
	}
	for i := from; i < to; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return lat, failed
}

func listMedian(ctx context.Context, t Target, want int) (float64, error) {
	var d []time.Duration
	for range 5 {
		start := time.Now()
		n, _, err := t.list(ctx)
		if err != nil {
			return 0, fmt.Errorf("%s: list: %w", t.Name, err)
		}
		if n != want {
			return 0, fmt.Errorf("%s: listed %d objects, want %d", t.Name, n, want)
		}
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	return ms(d[len(d)/2]), nil
}

// fanOut opens watchers watches at the current resourceVersion, then makes
// events objects (see countEvents for how they are read).
func fanOut(ctx context.Context, t Target, watchers, events, from, workers int) (total, lag float64, err error) {
	var rv string
	if t.Proto != nil {
		_, v, err := t.Proto.List(ctx, "")
		if err != nil {
			return 0, 0, err
		}
		rv = v
	} else {
		l, err := t.Res.List(ctx, metav1.ListOptions{Limit: 1})
		if err != nil {
			return 0, 0, err
		}
		rv = l.GetResourceVersion()
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	wait, err := watchAll(wctx, t, rv, watchers, events)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if _, err := creates(ctx, t, from, from+events, workers); err != nil {
		return 0, 0, err
	}
	created := time.Now()
	if err := wait(); err != nil {
		return 0, 0, err
	}
	return ms(time.Since(start)), ms(time.Since(created)), nil
}

// replay opens watchers watches at resourceVersion 0 at once and returns the
// time until each has received objects ADDED events.
func replay(ctx context.Context, t Target, watchers, objects int) (float64, error) {
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	start := time.Now()
	wait, err := watchAll(wctx, t, "0", watchers, objects)
	if err != nil {
		return 0, err
	}
	if err := wait(); err != nil {
		return 0, err
	}
	return ms(time.Since(start)), nil
}

// watchAll opens watchers watches from rv, each read until it has received
// events ADDED events; wait returns when all have, or says how many ended
// short.
func watchAll(ctx context.Context, t Target, rv string, watchers, events int) (wait func() error, err error) {
	watch := t.Watch
	if t.Proto != nil {
		watch = t.Proto.Watch
	}
	var done sync.WaitGroup
	var mu sync.Mutex
	short := 0
	for range watchers {
		stream, err := watch(ctx, rv)
		if err != nil {
			return nil, fmt.Errorf("%s: watch: %w", t.Name, err)
		}
		done.Add(1)
		go func() {
			defer done.Done()
			defer stream.Close()
			if !countEvents(stream, events, t.Proto != nil) {
				mu.Lock()
				short++
				mu.Unlock()
			}
		}()
	}
	return func() error {
		done.Wait()
		if short > 0 {
			return fmt.Errorf("%s: %d of %d watchers ended before receiving %d events", t.Name, short, watchers, events)
		}
		return nil
	}, nil
}

// countEvents reads a watch until n ADDED events came, and reports whether
// they did. A JSON watch is read as raw lines and only counted, so that what
// is measured is the server's delivery, not the client's decoding; a
// protobuf watch's frames are read for their type alone (countAdded).
func countEvents(stream io.Reader, n int, protobuf bool) bool {
	if protobuf {
		return countAdded(stream, n)
	}
	sc := bufio.NewScanner(stream)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	seen := 0
	for sc.Scan() {
		if bytes.HasPrefix(sc.Bytes(), []byte(`{"type":"ADDED"`)) {
			if seen++; seen == n {
				return true
			}
		}
	}
	return false
}

// RawWatch returns Target.Watch for a resource: a watch request whose
// response body is the raw stream of JSON events.
func RawWatch(cfg *rest.Config, gvr schema.GroupVersionResource, namespace string) (func(ctx context.Context, rv string) (io.ReadCloser, error), error) {
	// A config that cannot make a transport fails here, not at the first watch.
	if _, err := rest.TLSConfigFor(cfg); err != nil {
		return nil, err
	}
	url := fmt.Sprintf("%s/apis/%s/%s/namespaces/%s/%s?watch=true&resourceVersion=", strings.TrimSuffix(cfg.Host, "/"), gvr.Group, gvr.Version, namespace, gvr.Resource)
	return func(ctx context.Context, rv string) (io.ReadCloser, error) {
		return openWatch(ctx, cfg, url+rv, "application/json")
	}, nil
}

// openWatch opens a watch on a connection of its own, as the informers of
// separate client processes do: client-go shares one transport, and so one
// HTTP/2 connection, between the clients of a config, which would put every
// watcher of a fan-out on one connection and measure that connection.
// Closing the stream closes the connection.
func openWatch(ctx context.Context, cfg *rest.Config, url, accept string) (io.ReadCloser, error) {
	tlsConfig, err := rest.TLSConfigFor(cfg)
	if err != nil {
		return nil, err
	}
	own := &http.Transport{TLSClientConfig: tlsConfig, ForceAttemptHTTP2: true}
	rt, err := rest.HTTPWrappersForConfig(cfg, own)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		own.CloseIdleConnections()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		own.CloseIdleConnections()
		return nil, fmt.Errorf("watch: %s: %s", resp.Status, body)
	}
	return closer{resp.Body, own}, nil
}

// closer is a watch's stream whose Close also closes its connection.
type closer struct {
	io.ReadCloser
	transport *http.Transport
}

func (c closer) Close() error {
	err := c.ReadCloser.Close()
	c.transport.CloseIdleConnections()
	return err
}

// Memory is a process's resident set size and its anonymous part, in MiB
// (0 for pid 0).
func Memory(pid int) (rss, anon float64, err error) {
	if pid == 0 {
		return 0, 0, nil
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	found := 0
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || (f[0] != "VmRSS:" && f[0] != "RssAnon:") {
			continue
		}
		kb, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return 0, 0, err
		}
		if f[0] == "VmRSS:" {
			rss = kb / 1024
		} else {
			anon = kb / 1024
		}
		found++
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("no VmRSS or RssAnon in /proc/%d/status", pid)
	}
	return rss, anon, nil
}
