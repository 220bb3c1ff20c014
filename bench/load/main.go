// Command load measures a resource of an apiserver: N creates by W workers
// (throughput, p50 and p99 latency), then the time to list them all. It
// prints one line of key=value figures for bench/storage.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "kubeconfig", "kubeconfig of the apiserver")
	group := flag.String("group", "insect.example.com", "API group")
	version := flag.String("version", "v1alpha1", "API version")
	resource := flag.String("resource", "bees", "resource (plural)")
	kind := flag.String("kind", "Bee", "kind")
	n := flag.Int("n", 1000, "objects to create")
	workers := flag.Int("workers", 16, "concurrent clients")
	lists := flag.Int("lists", 5, "lists of all objects; the median is reported")
	flag.Parse()
	if err := run(*kubeconfig, schema.GroupVersionResource{Group: *group, Version: *version, Resource: *resource}, *kind, *n, *workers, *lists); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(kubeconfig string, gvr schema.GroupVersionResource, kind string, n, workers, lists int) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = -1, 0 // no client-side rate limit: measure the server
	cfg.WarningHandler = rest.NoWarnings{}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	res := dyn.Resource(gvr).Namespace(metav1.NamespaceDefault)
	ctx := context.Background()

	latencies := make([]time.Duration, n)
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				obj := &unstructured.Unstructured{Object: map[string]any{
					"apiVersion": gvr.GroupVersion().String(), "kind": kind,
					"metadata": map[string]any{"name": fmt.Sprintf("load-%05d", i), "labels": map[string]any{"load": "yes"}},
					"spec":     map[string]any{"replicas": int64(i%5 + 1), "description": "an object of the storage benchmark"},
				}}
				t := time.Now()
				if _, err := res.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
				latencies[i] = time.Since(t)
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case jobs <- i:
		case err := <-errs:
			close(jobs)
			return err
		}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return err
	default:
	}

	var listTimes []time.Duration
	for i := 0; i < lists; i++ {
		t := time.Now()
		list, err := res.List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		listTimes = append(listTimes, time.Since(t))
		if len(list.Items) < n {
			return fmt.Errorf("listed %d objects, created %d", len(list.Items), n)
		}
	}
	slices.Sort(latencies)
	slices.Sort(listTimes)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("creates=%d workers=%d seconds=%.3f throughput=%.1f p50_ms=%.2f p99_ms=%.2f list_ms=%.2f\n",
		n, workers, elapsed.Seconds(), float64(n)/elapsed.Seconds(),
		ms(latencies[n/2]), ms(latencies[n*99/100]), ms(listTimes[len(listTimes)/2]))
	return nil
}
