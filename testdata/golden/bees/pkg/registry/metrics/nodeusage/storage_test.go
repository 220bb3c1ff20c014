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
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/registry/rest/resttest"

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

// requestContext is what the apiserver gives the storage: the namespace, and
// the group and version the client used (the +k8s: rules of that version run).
func requestContext() context.Context {
	ctx := genericapirequest.WithRequestInfo(genericapirequest.NewContext(), &testRequestInfo)
	return genericapirequest.WithNamespace(ctx, metav1.NamespaceNone)
}

var testRequestInfo = genericapirequest.RequestInfo{
	IsResourceRequest: true, APIGroup: metrics.GroupName, APIVersion: "v1beta1", Resource: "nodeusages",
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

// TestRESTContract holds the storage to the contract of the etcd-backed
// generic registry: k8s.io/apiserver's own REST conformance Tester, which
// kube-apiserver's registries are tested with, drives it through create,
// update, delete, get, list and watch with label and field selectors.
// Keep it passing when you replace the backend in backend.go.
func TestRESTContract(t *testing.T) {
	// Clients only read nodeusages, so the Tester puts objects in through
	// the backend, as the generic registry's Tester writes to etcd directly.
	newTester := func(t *testing.T) (*resttest.Tester, *readOnlyUnderTest) {
		scheme := newScheme()
		backend := custom.NewMemory[*metrics.NodeUsage](metrics.Resource("nodeusages"))
		strategy := nodeusage.NewStrategy(scheme)
		storage := &readOnlyUnderTest{ReadOnly: custom.NewReadOnly(custom.Options[*metrics.NodeUsage]{
			Resource:    metrics.Resource("nodeusages"),
			Singular:    metrics.Resource("nodeusage"),
			NewFunc:     func() *metrics.NodeUsage { return &metrics.NodeUsage{} },
			NewListFunc: func() runtime.Object { return &metrics.NodeUsageList{} },
			Strategy:    strategy,
			Attrs:       nodeusage.GetAttrs,
		}, backend), backend: backend, strategy: strategy}
		tester := resttest.New(t, storage).ClusterScope()
		tester.SetRequestInfo(&testRequestInfo)
		return tester, storage
	}
	// A valid nodeusage in the Tester's namespace.
	valid := func() *metrics.NodeUsage {
		obj := newObject("foo", nil)
		obj.Namespace = ""
		return obj
	}
	create := func(s rest.Creater) resttest.CreateFunc {
		return func(ctx context.Context, obj runtime.Object) error {
			_, err := s.Create(ctx, obj, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
			return err
		}
	}
	t.Run("get", func(t *testing.T) {
		tester, _ := newTester(t)
		tester.TestGet(valid())
	})
	t.Run("list", func(t *testing.T) {
		tester, storage := newTester(t)
		tester.TestList(valid(), func(objs []runtime.Object) []runtime.Object {
			// The Tester compares what it lists with objs: replace the
			// collection, and give objs what was stored (uid, resourceVersion).
			if err := deleteAll(tester.TestContext(), storage); err != nil {
				t.Fatal(err)
			}
			for _, obj := range objs {
				stored, err := storage.backend.Create(tester.TestContext(), obj.DeepCopyObject().(*metrics.NodeUsage))
				if err != nil {
					t.Fatal(err)
				}
				*obj.(*metrics.NodeUsage) = *stored
			}
			return objs
		})
	})
	t.Run("watch", func(t *testing.T) {
		tester, storage := newTester(t)
		// The Tester watches from resourceVersion 1: make it one the backend has.
		seed := valid()
		seed.Name = "seed"
		if err := create(storage)(tester.TestContext(), seed); err != nil {
			t.Fatal(err)
		}
		watched := valid()
		watched.Name = "watched"
		watched.Labels = map[string]string{"tier": "gold"}
		tester.TestWatch(watched,
			func(obj runtime.Object, action string) error {
				ctx := tester.TestContext()
				switch action {
				case "create":
					return create(storage)(ctx, obj.DeepCopyObject())
				case "delete":
					_, _, err := storage.Delete(ctx, obj.(*metrics.NodeUsage).Name, rest.ValidateAllObjectFunc, &metav1.DeleteOptions{})
					return err
				}
				t.Fatalf("unknown action %q", action)
				return nil
			},
			[]labels.Set{{"tier": "gold"}, {}},
			[]labels.Set{{"tier": "silver"}, {"tier": "gold", "zone": "a"}},
			[]fields.Set{{"metadata.name": "watched"}},
			[]fields.Set{{"metadata.name": "other"}},
			[]string{"create", "delete"})
	})
}

// readOnlyUnderTest is the read-only storage with the writes the Tester
// needs to put objects in and take them out, done on its backend.
type readOnlyUnderTest struct {
	*custom.ReadOnly[*metrics.NodeUsage]
	backend  *custom.Memory[*metrics.NodeUsage]
	strategy rest.RESTCreateStrategy
}

func (r *readOnlyUnderTest) Create(ctx context.Context, obj runtime.Object, _ rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	o := obj.(*metrics.NodeUsage)
	rest.FillObjectMetaSystemFields(o)
	if err := rest.BeforeCreate(r.strategy, ctx, o); err != nil {
		return nil, err
	}
	return r.backend.Create(ctx, o)
}

func (r *readOnlyUnderTest) Delete(ctx context.Context, name string, _ rest.ValidateObjectFunc, _ *metav1.DeleteOptions) (runtime.Object, bool, error) {
	obj, err := r.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, false, err
	}
	deleted, err := r.backend.Delete(ctx, obj.(*metrics.NodeUsage))
	return deleted, err == nil, err
}

// deleteAll deletes every nodeusage of the request's namespace.
func deleteAll(ctx context.Context, r *readOnlyUnderTest) error {
	list, err := r.List(ctx, nil)
	if err != nil {
		return err
	}
	for i := range list.(*metrics.NodeUsageList).Items {
		if _, err := r.backend.Delete(ctx, &list.(*metrics.NodeUsageList).Items[i]); err != nil {
			return err
		}
	}
	return nil
}
