/*
Copyright 2026 The bees Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Command manager runs the controllers of bees: for each kind with a
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

	gardenv1beta1 "example.com/bees/pkg/apis/garden/v1beta1"
	insectv1alpha1 "example.com/bees/pkg/apis/insect/v1alpha1"
	metricsv1beta1 "example.com/bees/pkg/apis/metrics/v1beta1"
	insectcontroller "example.com/bees/pkg/controller/insect"
	// +apiserver-boot:scaffold:imports
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(insectv1alpha1.AddToScheme(scheme))
	utilruntime.Must(gardenv1beta1.AddToScheme(scheme))
	utilruntime.Must(metricsv1beta1.AddToScheme(scheme))
	// +apiserver-boot:scaffold:scheme
}

// servedAPIs are the API versions the controllers use. They are served by the
// aggregated apiserver, not by CRDs, so they only appear once it is up and
// registered: the manager waits for them before starting its controllers.
var servedAPIs = []schema.GroupVersion{
	insectv1alpha1.SchemeGroupVersion,
	gardenv1beta1.SchemeGroupVersion,
	metricsv1beta1.SchemeGroupVersion,
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
		LeaderElectionID:       "bees.example.com",
		// A replica that stops gives the Lease up at once, so another takes
		// over without waiting for it to expire.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}

	if err := (&insectcontroller.BeeReconciler{Client: mgr.GetClient(), Scheme: mgr.GetScheme()}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the Bee controller: %w", err)
	}
	if err := (&insectcontroller.HiveReconciler{Client: mgr.GetClient(), Scheme: mgr.GetScheme()}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the Hive controller: %w", err)
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
