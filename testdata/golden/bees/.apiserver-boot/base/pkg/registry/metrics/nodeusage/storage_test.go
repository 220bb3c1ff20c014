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

package nodeusage_test

import (
	"context"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"example.com/bees/pkg/apis/metrics"
	"example.com/bees/pkg/apis/metrics/install"
	"example.com/bees/pkg/registry/metrics/nodeusage"
	"example.com/bees/pkg/storage/custom"
)

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	install.Install(scheme)
	metav1.AddToGroupVersion(scheme, metav1.SchemeGroupVersion)
	return scheme
}

func requestContext() context.Context {
	return genericapirequest.WithNamespace(genericapirequest.NewContext(), metav1.NamespaceNone)
}

func newObject(name string, objLabels map[string]string) *metrics.NodeUsage {
	return &metrics.NodeUsage{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: objLabels}}
}

// nextEvent returns the next event of w, failing after a few seconds.
func nextEvent(t *testing.T, w watch.Interface) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("watch ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event within 5s")
	}
	return watch.Event{}
}

// TestStorageIsReadOnly checks that the storage serves no writes: the
// apiserver answers them with 405 Method Not Allowed.
func TestStorageIsReadOnly(t *testing.T) {
	storage, err := nodeusage.NewStorage(newScheme(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := storage["nodeusages"]
	if _, ok := r.(rest.Creater); ok {
		t.Error("nodeusages accept create")
	}
	if _, ok := r.(rest.Updater); ok {
		t.Error("nodeusages accept update and patch")
	}
	if _, ok := r.(rest.GracefulDeleter); ok {
		t.Error("nodeusages accept delete")
	}
	if _, ok := r.(rest.Watcher); !ok {
		t.Error("nodeusages cannot be watched")
	}
}

// TestReadGetListWatch reads nodeusages that the backend holds, as the
// apiserver does: get, list with a selector, watch.
func TestReadGetListWatch(t *testing.T) {
	scheme := newScheme()
	backend := custom.NewMemory[*metrics.NodeUsage](metrics.Resource("nodeusages"))
	r := custom.NewReadOnly(custom.Options[*metrics.NodeUsage]{
		Resource:    metrics.Resource("nodeusages"),
		Singular:    metrics.Resource("nodeusage"),
		NewFunc:     func() *metrics.NodeUsage { return &metrics.NodeUsage{} },
		NewListFunc: func() runtime.Object { return &metrics.NodeUsageList{} },
		Strategy:    nodeusage.NewStrategy(scheme),
		Attrs:       nodeusage.GetAttrs,
	}, backend)
	ctx := requestContext()
	for _, name := range []string{"a", "b"} {
		if _, err := backend.Create(ctx, newObject(name, map[string]string{"name": name})); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Get(ctx, "a", &metav1.GetOptions{}); err != nil {
		t.Fatalf("get: %v", err)
	}
	if _, err := r.Get(ctx, "missing", &metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get of a missing object: %v, want NotFound", err)
	}
	list, err := r.List(ctx, &metainternalversion.ListOptions{LabelSelector: labels.SelectorFromSet(labels.Set{"name": "b"})})
	if err != nil {
		t.Fatal(err)
	}
	if items := list.(*metrics.NodeUsageList).Items; len(items) != 1 || items[0].Name != "b" {
		t.Fatalf("list with a selector = %+v", items)
	}

	w, err := r.Watch(ctx, &metainternalversion.ListOptions{ResourceVersion: list.(*metrics.NodeUsageList).ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := backend.Create(ctx, newObject("c", nil)); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, w); ev.Type != watch.Added || ev.Object.(*metrics.NodeUsage).Name != "c" {
		t.Fatalf("watch event %v %+v, want ADDED c", ev.Type, ev.Object)
	}
}
