/*
Copyright (c) 2026 Jane Doe

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
*/

// Command manager runs the controllers of empty: for each kind with a
// controller, a reconciler (controller-runtime) that watches the objects the
// apiserver serves and acts on them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	// +apiserver-boot:scaffold:imports
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	// +apiserver-boot:scaffold:scheme
}

// servedAPIs are the API versions the controllers use. They are served by the
// aggregated apiserver, not by CRDs, so they only appear once it is up and
// registered: the manager waits for them before starting its controllers.
var servedAPIs = []schema.GroupVersion{
	// +apiserver-boot:scaffold:apis
}

func main() {
	if err := run(); err != nil {
		setupLog.Error(err, "manager failed")
		os.Exit(1)
	}
}

func run() error {
	var metricsAddr, probeAddr string
	var leaderElect bool
	var apiWait time.Duration
	flag.StringVar(&metricsAddr, "metrics-bind-address", "0", "The address the metrics endpoint binds to, e.g. :8080; 0 disables it.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "The address the health probe endpoint binds to; 0 disables it.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Enable leader election, so that only one of several replicas is active.")
	flag.DurationVar(&apiWait, "api-wait-timeout", 2*time.Minute, "How long to wait for the apiserver to serve this project's APIs.")
	opts := zap.Options{Development: true}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))

	ctx := ctrl.SetupSignalHandler()
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("loading the kubeconfig: %w", err)
	}
	// The manager's client talks protobuf to the project's APIs, as it does
	// to Kubernetes' own; set cfg.ContentType = "application/json" for JSON.
	if err := apiutil.AddToProtobufScheme(servedTypes); err != nil {
		return err
	}
	if err := waitForAPIs(ctx, cfg, servedAPIs, apiWait); err != nil {
		return err
	}

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       "empty.example.org",
		// A replica that stops gives the Lease up at once, so another takes
		// over without waiting for it to expire.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}

	// +apiserver-boot:scaffold:controllers

	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	setupLog.Info("starting manager")
	return mgr.Start(ctx)
}

// servedTypes adds the kinds of servedAPIs, as scheme knows them, to s.
func servedTypes(s *runtime.Scheme) error {
	for _, gv := range servedAPIs {
		for kind, goType := range scheme.KnownTypes(gv) {
			obj, ok := reflect.New(goType).Interface().(runtime.Object)
			if !ok {
				return fmt.Errorf("%s %s is not a runtime.Object", gv, kind)
			}
			s.AddKnownTypeWithName(gv.WithKind(kind), obj)
		}
	}
	return nil
}

// waitForAPIs polls discovery until every API version in gvs is served.
func waitForAPIs(ctx context.Context, cfg *rest.Config, gvs []schema.GroupVersion, timeout time.Duration) error {
	client, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	for _, gv := range gvs {
		var lastErr error
		err := wait.PollUntilContextTimeout(ctx, time.Second, timeout, true, func(context.Context) (bool, error) {
			_, lastErr = client.ServerResourcesForGroupVersion(gv.String())
			return lastErr == nil, nil
		})
		if err != nil {
			return fmt.Errorf("the apiserver does not serve %s after %s: %v", gv, timeout, lastErr)
		}
		setupLog.Info("API served", "groupVersion", gv.String())
	}
	return nil
}
