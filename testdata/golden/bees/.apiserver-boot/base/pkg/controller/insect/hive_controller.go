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
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	insectv1alpha1 "example.com/bees/pkg/apis/insect/v1alpha1"
)

// HiveReconciler makes the world match the spec of each Hive and
// reports what it observed in its status.
type HiveReconciler struct {
	client.Client
	Scheme *runtime.Scheme
}

// Reconcile is called for every change of a Hive. This is where the
// controller does its work from hive.Spec; the scaffold reports that it
// has seen the current generation by setting the Ready condition and
// status.observedGeneration.
func (r *HiveReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)

	var hive insectv1alpha1.Hive
	if err := r.Get(ctx, req.NamespacedName, &hive); err != nil {
		// Deleted in the meantime: nothing to do.
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}

	if hive.Status.ObservedGeneration == hive.Generation && meta.IsStatusConditionTrue(hive.Status.Conditions, "Ready") {
		return ctrl.Result{}, nil
	}
	hive.Status.ObservedGeneration = hive.Generation
	meta.SetStatusCondition(&hive.Status.Conditions, metav1.Condition{
		Type:               "Ready",
		Status:             metav1.ConditionTrue,
		Reason:             "Reconciled",
		Message:            fmt.Sprintf("generation %d reconciled", hive.Generation),
		ObservedGeneration: hive.Generation,
	})
	if err := r.Status().Update(ctx, &hive); err != nil {
		return ctrl.Result{}, err
	}
	log.Info("reconciled", "generation", hive.Generation)
	return ctrl.Result{}, nil
}

// SetupWithManager registers the reconciler with the manager.
func (r *HiveReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&insectv1alpha1.Hive{}).
		Named("insect-hive").
		Complete(r)
}
