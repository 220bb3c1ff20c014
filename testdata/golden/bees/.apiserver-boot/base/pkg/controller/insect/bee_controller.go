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

// BeeReconciler makes the world match the spec of each Bee and
// reports what it observed in its status.
type BeeReconciler struct {
	client.Client
	Scheme *runtime.Scheme
}

// Reconcile is called for every change of a Bee. This is where the
// controller does its work from bee.Spec; the scaffold reports that it
// has seen the current generation by setting the Ready condition and
// status.observedGeneration.
func (r *BeeReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)

	var bee insectv1alpha1.Bee
	if err := r.Get(ctx, req.NamespacedName, &bee); err != nil {
		// Deleted in the meantime: nothing to do.
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}

	if bee.Status.ObservedGeneration == bee.Generation && meta.IsStatusConditionTrue(bee.Status.Conditions, "Ready") {
		return ctrl.Result{}, nil
	}
	bee.Status.ObservedGeneration = bee.Generation
	meta.SetStatusCondition(&bee.Status.Conditions, metav1.Condition{
		Type:               "Ready",
		Status:             metav1.ConditionTrue,
		Reason:             "Reconciled",
		Message:            fmt.Sprintf("generation %d reconciled", bee.Generation),
		ObservedGeneration: bee.Generation,
	})
	if err := r.Status().Update(ctx, &bee); err != nil {
		return ctrl.Result{}, err
	}
	log.Info("reconciled", "generation", bee.Generation)
	return ctrl.Result{}, nil
}

// SetupWithManager registers the reconciler with the manager.
func (r *BeeReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&insectv1alpha1.Bee{}).
		Named("insect-bee").
		Complete(r)
}
