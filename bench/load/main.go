// Command load measures a resource of a running apiserver with
// internal/benchload (creates, lists of 1k and 10k, watch fan-out, memory)
// and prints one line of key=value figures for bench/storage.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/apiserver-boot/apiserver-boot/internal/benchload"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "kubeconfig", "kubeconfig of the apiserver")
	group := flag.String("group", "insect.example.com", "API group")
	version := flag.String("version", "v1alpha1", "API version")
	resource := flag.String("resource", "bees", "resource (plural)")
	kind := flag.String("kind", "Bee", "kind")
	pid := flag.Int("pid", 0, "the apiserver's process, whose memory is measured")
	var o benchload.Options
	flag.IntVar(&o.Creates, "n", 1000, "timed creates")
	flag.IntVar(&o.Total, "total", 10000, "objects for the large list")
	flag.IntVar(&o.Workers, "workers", 16, "concurrent clients")
	flag.IntVar(&o.Watchers, "watchers", 100, "watchers of the fan-out")
	flag.IntVar(&o.Events, "events", 1000, "events each watcher receives")
	flag.Parse()
	gvr := schema.GroupVersionResource{Group: *group, Version: *version, Resource: *resource}
	if err := run(*kubeconfig, gvr, *kind, *pid, o); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(kubeconfig string, gvr schema.GroupVersionResource, kind string, pid int, o benchload.Options) error {
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
	rawWatch, err := benchload.RawWatch(cfg, gvr, metav1.NamespaceDefault)
	if err != nil {
		return err
	}
	t := benchload.Target{Name: gvr.Resource, PID: pid, Res: dyn.Resource(gvr).Namespace(metav1.NamespaceDefault), Watch: rawWatch,
		Object: func(i int) *unstructured.Unstructured {
			return &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": gvr.GroupVersion().String(), "kind": kind,
				"metadata": map[string]any{"name": fmt.Sprintf("load-%05d", i), "labels": map[string]any{"load": "yes"}},
				"spec":     map[string]any{"replicas": int64(i%5 + 1), "description": "an object of the storage benchmark"},
			}}
		}}
	f, err := benchload.Measure(context.Background(), t, o)
	if err != nil {
		return err
	}
	fmt.Printf("throughput=%.1f p50_ms=%.2f p99_ms=%.2f list1k_ms=%.2f list10k_ms=%.2f watch_ms=%.1f rss_idle_mib=%.1f rss_mib=%.1f\n",
		f.Throughput, f.P50, f.P99, f.List1k, f.List10k, f.Watch, f.RSSIdle, f.RSSLoaded)
	return nil
}
