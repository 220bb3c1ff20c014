package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/apiserver-boot/apiserver-boot/internal/benchload"
)

// ScalePoint is one measurement of the scale curve (bench/scale.sh).
type ScalePoint struct {
	Backend string  `json:"backend"`
	Objects int     `json:"objects"`
	ListMS  float64 `json:"listMs"`  // a consistent list of every object, median of 3
	RSSMiB  float64 `json:"rssMiB"`  // the apiserver's resident memory with them
	ReadyMS float64 `json:"readyMs"` // restart to a full list from the watch cache; 0: not measured
}

// scaleSizes are the curve's points.
var scaleSizes = []int{1000, 10000, 100000}

// BenchmarkScaleCurve measures how the generated server behaves as data
// grows: for each backend (etcd, SQLite, Postgres through kine, and a
// custom-storage kind kept by custom.Memory) and each size, the latency of a
// list of every object (protobuf), the server's RSS, and the time from
// starting it to serving them all from its watch cache. bench/scale.sh runs
// it and draws the plot; SCALE_OUT names the JSON file of the points.
func BenchmarkScaleCurve(b *testing.B) {
	out := os.Getenv("SCALE_OUT")
	if out == "" {
		b.Fatal("SCALE_OUT must name the JSON file of the results (bench/scale.sh sets it)")
	}
	sizes := scaleSizes
	if s := os.Getenv("SCALE_MAX"); s != "" {
		limit, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		sizes = slices.DeleteFunc(slices.Clone(sizes), func(n int) bool { return n > limit })
	}
	_, dir := newProject(b, createKind("Bee"), createKind("Sighting", "--storage", "custom"), []string{"build", "executables"})
	encode, sighting := kindMessage(b, dir, "Bee"), kindMessage(b, dir, "Sighting")
	backends := []struct {
		name, resource, kind string
		encode               func(int) []byte
		args                 func() []string
		restarts             bool // the data outlives the process
	}{
		{"etcd", "bees", "Bee", encode, func() []string { return []string{"--etcd-servers", startEtcd(b)} }, true},
		{"sqlite", "bees", "Bee", encode, func() []string {
			return []string{"--storage", "sqlite", "--storage-dsn", filepath.Join(b.TempDir(), "state.db")}
		}, true},
		{"postgres", "bees", "Bee", encode, func() []string { return []string{"--storage", "postgres", "--storage-dsn", startPostgres(b)} }, true},
		{"custom.Memory", "sightings", "Sighting", sighting, func() []string { return []string{"--etcd-servers", startEtcd(b)} }, false},
	}
	for b.Loop() {
		var points []ScalePoint
		for _, be := range backends {
			args := be.args()
			srv := startServer(b, dir, args...)
			client := func(s *server) *benchload.Protobuf {
				cfg, err := clientcmd.BuildConfigFromFlags("", s.kubeconfig)
				if err != nil {
					b.Fatal(err)
				}
				cfg.QPS, cfg.Burst = -1, 0
				gvr := schema.GroupVersionResource{Group: "insect.example.com", Version: "v1alpha1", Resource: be.resource}
				p, err := benchload.NewProtobuf(cfg, gvr, be.kind, metav1.NamespaceDefault, be.encode)
				if err != nil {
					b.Fatal(err)
				}
				return p
			}
			p := client(srv)
			created := 0
			for _, n := range sizes {
				start := time.Now()
				if err := createRange(p, created, n, 32); err != nil {
					b.Fatalf("%s: %v", be.name, err)
				}
				fmt.Printf("%-14s %6d objects: created %d in %s\n", be.name, n, n-created, time.Since(start).Round(time.Second))
				created = n
				pt := ScalePoint{Backend: be.name, Objects: n}
				var lists []float64
				for range 3 {
					t := time.Now()
					got, _, err := p.List(context.Background(), "")
					if err != nil || got != n {
						b.Fatalf("%s: list: %d objects, %v; want %d", be.name, got, err, n)
					}
					lists = append(lists, float64(time.Since(t))/float64(time.Millisecond))
				}
				slices.Sort(lists)
				pt.ListMS = lists[1]
				rss, _, err := benchload.Memory(srv.pid)
				if err != nil {
					b.Fatal(err)
				}
				pt.RSSMiB = rss
				if be.restarts {
					// Restart on the same data: Ready means the watch cache holds it all.
					srv.stop()
					t := time.Now()
					srv = startServer(b, dir, args...)
					p = client(srv)
					waitFor(b, 10*time.Minute, func() bool {
						got, _, err := p.List(context.Background(), "0")
						return err == nil && got == n
					}, func() string { return be.name + ": the restarted server does not list every object from its cache" })
					pt.ReadyMS = float64(time.Since(t)) / float64(time.Millisecond)
				}
				fmt.Printf("%-14s %6d objects: list %8.1f ms  rss %6.1f MiB  ready %8.1f ms\n", be.name, n, pt.ListMS, pt.RSSMiB, pt.ReadyMS)
				points = append(points, pt)
			}
			srv.stop()
		}
		data, err := json.MarshalIndent(points, "", "  ")
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
			b.Fatal(err)
		}
		fmt.Printf("points: %s (%s)\n", out, strings.Join([]string{"etcd", "sqlite", "postgres", "custom.Memory"}, ", "))
	}
}

// createRange creates objects [from, to) with workers concurrent clients.
func createRange(p *benchload.Protobuf, from, to, workers int) error {
	jobs := make(chan int)
	errs := make(chan error, workers)
	for range workers {
		go func() {
			var failed error
			for i := range jobs {
				if failed == nil {
					failed = p.Create(context.Background(), i)
				}
			}
			errs <- failed
		}()
	}
	for i := from; i < to; i++ {
		jobs <- i
	}
	close(jobs)
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
