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

package sighting_test

import (
	"context"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"
	"k8s.io/utils/ptr"

	insectv1alpha1 "example.com/bees/pkg/apis/insect/v1alpha1"
	"example.com/bees/pkg/apiservertest"
)

// TestIntegrationSighting runs the project's apiserver in this process
// (pkg/apiservertest) and uses sightings through the typed clientset: create,
// defaulting, validation, list, watch, update, the status subresource and delete.
func TestIntegrationSighting(t *testing.T) {
	s := apiservertest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := s.Clientset.InsectV1alpha1().Sightings(metav1.NamespaceDefault)

	w, err := client.Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	defer w.Stop()

	created, err := client.Create(ctx, &insectv1alpha1.Sighting{
		ObjectMeta: metav1.ObjectMeta{Name: "first"},
		Spec:       insectv1alpha1.SightingSpec{Description: "made by TestIntegrationSighting"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.Spec.Replicas == nil || *created.Spec.Replicas != 1 {
		t.Fatalf("defaulting: spec.replicas = %v, want 1", created.Spec.Replicas)
	}
	if _, err := client.Create(ctx, &insectv1alpha1.Sighting{
		ObjectMeta: metav1.ObjectMeta{Name: "invalid"},
		Spec:       insectv1alpha1.SightingSpec{Replicas: ptr.To[int32](-1)},
	}, metav1.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Fatalf("create with negative replicas: %v, want Invalid", err)
	}

	list, err := client.List(ctx, metav1.ListOptions{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list: %v, %d items, want 1", err, len(list.Items))
	}
	expect(t, w, watch.Added, "first")

	created.Spec.Description = "updated"
	updated, err := client.Update(ctx, created, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if updated.Generation != 2 {
		t.Fatalf("generation after a spec change = %d, want 2", updated.Generation)
	}
	expect(t, w, watch.Modified, "first")

	updated.Status.ObservedGeneration = updated.Generation
	updated.Spec.Description = "ignored by the status subresource"
	withStatus, err := client.UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update status: %v", err)
	}
	if withStatus.Status.ObservedGeneration != 2 || withStatus.Spec.Description != "updated" {
		t.Fatalf("status update: status %+v, spec %+v", withStatus.Status, withStatus.Spec)
	}
	expect(t, w, watch.Modified, "first")

	if err := client.Delete(ctx, "first", metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	expect(t, w, watch.Deleted, "first")

	// What kube-controller-manager's namespace controller does to every
	// namespaced resource of a namespace being deleted: a delete-collection
	// through the metadata client, which prefers protobuf.
	gvr := insectv1alpha1.SchemeGroupVersion.WithResource("sightings")
	if err := metadata.NewForConfigOrDie(s.Config).Resource(gvr).Namespace(metav1.NamespaceDefault).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		t.Fatalf("delete-collection through the metadata client: %v", err)
	}
}

// expect waits for the next event of w and checks its type and object.
func expect(t *testing.T, w watch.Interface, want watch.EventType, name string) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		obj, isKind := ev.Object.(*insectv1alpha1.Sighting)
		if !ok || ev.Type != want || !isKind || obj.Name != name {
			t.Fatalf("watch event %v %v, want %v of %s", ev.Type, ev.Object, want, name)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no %v event of %s within 30s", want, name)
	}
}
