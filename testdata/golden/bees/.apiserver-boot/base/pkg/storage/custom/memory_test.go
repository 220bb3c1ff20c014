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

package custom_test

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"example.com/bees/pkg/storage/custom"
)

// Memory is tested with ConfigMaps: any API object will do.
func newMemory() *custom.Memory[*corev1.ConfigMap] {
	return custom.NewMemory[*corev1.ConfigMap](schema.GroupResource{Resource: "configmaps"})
}

func configMap(namespace, name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
}

func TestMemoryVersionsAndConflicts(t *testing.T) {
	ctx := context.Background()
	m := newMemory()
	created, err := m.Create(ctx, configMap("ns", "a"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Create(ctx, configMap("ns", "a")); !apierrors.IsAlreadyExists(err) {
		t.Fatalf("second create: %v, want AlreadyExists", err)
	}
	updated, err := m.Update(ctx, created)
	if err != nil {
		t.Fatal(err)
	}
	if updated.ResourceVersion == created.ResourceVersion {
		t.Fatal("an update kept the resourceVersion")
	}
	if _, err := m.Update(ctx, created); !apierrors.IsConflict(err) {
		t.Fatalf("update of a stale object: %v, want Conflict", err)
	}
	if _, err := m.Delete(ctx, created); !apierrors.IsConflict(err) {
		t.Fatalf("delete of a stale object: %v, want Conflict", err)
	}
	// What Get returns is a copy: changing it changes nothing stored.
	got, _ := m.Get(ctx, "ns", "a")
	got.Data = map[string]string{"changed": "yes"}
	if again, _ := m.Get(ctx, "ns", "a"); again.Data != nil {
		t.Fatal("Get returned the stored object itself")
	}
	if _, err := m.Delete(ctx, updated); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, "ns", "a"); !apierrors.IsNotFound(err) {
		t.Fatalf("get after delete: %v, want NotFound", err)
	}
}

func TestMemoryWatchFromResourceVersion(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := newMemory()
	a, _ := m.Create(ctx, configMap("ns", "a"))
	if _, err := m.Create(ctx, configMap("other", "b")); err != nil {
		t.Fatal(err)
	}
	c, _ := m.Create(ctx, configMap("ns", "c"))

	// From a's resourceVersion, namespace ns: c (b is in another namespace).
	events, err := m.Watch(ctx, "ns", a.ResourceVersion)
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-events; ev.Type != watch.Added || ev.Object.Name != "c" {
		t.Fatalf("first event %v %s, want ADDED c", ev.Type, ev.Object.Name)
	}
	if _, err := m.Delete(ctx, c); err != nil {
		t.Fatal(err)
	}
	if ev := <-events; ev.Type != watch.Deleted || ev.Object.Name != "c" {
		t.Fatalf("second event %v %s, want DELETED c", ev.Type, ev.Object.Name)
	}
	cancel()
	if _, open := <-events; open {
		t.Fatal("the channel is open after the watch's context ended")
	}

	if _, err := m.Watch(context.Background(), "", "1000000"); !apierrors.IsTimeout(err) {
		t.Fatalf("watch from a future resourceVersion: %v, want a Timeout (too large resource version)", err)
	}
}

func TestMemoryWatchTooOld(t *testing.T) {
	ctx := context.Background()
	m := newMemory()
	first, _ := m.Create(ctx, configMap("ns", "first"))
	for i := 0; i < 1100; i++ { // more changes than the history keeps
		if _, err := m.Create(ctx, configMap("ns", fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Watch(ctx, "", first.ResourceVersion); !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
		t.Fatalf("watch from a forgotten resourceVersion: %v, want 410 Expired", err)
	}
}
