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

package insect

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	insectv1alpha1 "example.com/bees/pkg/apis/insect/v1alpha1"
	"example.com/bees/pkg/apiservertest"
)

func TestHiveReconcileSetsReady(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := insectv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	obj := &insectv1alpha1.Hive{ObjectMeta: metav1.ObjectMeta{Name: "example", Generation: 3}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(obj).WithStatusSubresource(obj).Build()
	r := &HiveReconciler{Client: c, Scheme: scheme}

	key := types.NamespacedName{Name: "example"}
	if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: key}); err != nil {
		t.Fatal(err)
	}
	var got insectv1alpha1.Hive
	if err := c.Get(context.Background(), key, &got); err != nil {
		t.Fatal(err)
	}
	if got.Status.ObservedGeneration != 3 || !meta.IsStatusConditionTrue(got.Status.Conditions, "Ready") {
		t.Fatalf("status = %+v, want observedGeneration 3 and Ready=True", got.Status)
	}

	// A deleted object is not an error.
	if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Name: "gone"}}); err != nil {
		t.Fatalf("reconcile of a missing object: %v", err)
	}
}

// TestHiveControllerAgainstTheServer runs the controller in a manager
// against the project's real apiserver (pkg/apiservertest): what the fake
// client cannot show — the status subresource, watches, the server's
// validation — takes part.
func TestHiveControllerAgainstTheServer(t *testing.T) {
	s := apiservertest.Start(t)
	scheme := runtime.NewScheme()
	if err := insectv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(s.Config, ctrl.Options{
		Scheme:  scheme,
		Metrics: metricsserver.Options{BindAddress: "0"},
		// Controller names are unique per process; a test run twice (-count) makes a second one.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := (&HiveReconciler{Client: mgr.GetClient(), Scheme: scheme}).SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-stopped; err != nil {
			t.Errorf("manager: %v", err)
		}
	})

	c := mgr.GetClient()
	obj := &insectv1alpha1.Hive{ObjectMeta: metav1.ObjectMeta{Name: "example"}}
	if err := c.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	key := types.NamespacedName{Name: "example"}
	var got insectv1alpha1.Hive
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		// The manager's client reads its cache, which sees the object a moment after it is created.
		if err := c.Get(ctx, key, &got); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return got.Status.ObservedGeneration == got.Generation && meta.IsStatusConditionTrue(got.Status.Conditions, "Ready"), nil
	})
	if err != nil {
		t.Fatalf("the controller did not mark the Hive Ready: %v; status %+v", err, got.Status)
	}
}
