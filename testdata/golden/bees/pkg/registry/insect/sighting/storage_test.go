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
	"errors"
	"strconv"
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
	"k8s.io/utils/ptr"

	"example.com/bees/pkg/apis/insect"
	"example.com/bees/pkg/apis/insect/install"
	"example.com/bees/pkg/registry/insect/sighting"
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
	return genericapirequest.WithNamespace(ctx, metav1.NamespaceDefault)
}

var testRequestInfo = genericapirequest.RequestInfo{
	IsResourceRequest: true, APIGroup: insect.GroupName, APIVersion: "v1alpha1", Resource: "sightings",
}

func newObject(name string, objLabels map[string]string) *insect.Sighting {
	return &insect.Sighting{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceDefault, Labels: objLabels}}
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

func newStore(t *testing.T) (*sighting.REST, map[string]rest.Storage) {
	storage, err := sighting.NewStorage(newScheme(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return storage["sightings"].(*sighting.REST), storage
}

func TestStorageCreateUpdateList(t *testing.T) {
	store, storage := newStore(t)
	ctx := requestContext()

	obj := newObject("first", map[string]string{"tier": "gold"})
	obj.Spec.Replicas = ptr.To[int32](2)
	created, err := store.Create(ctx, obj, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	first := created.(*insect.Sighting)
	if first.Generation != 1 || first.ResourceVersion == "" || first.UID == "" || first.CreationTimestamp.IsZero() {
		t.Fatalf("created object lacks generation, resourceVersion, uid or creationTimestamp: %+v", first.ObjectMeta)
	}
	if _, err := store.Create(ctx, newObject("first", nil), rest.ValidateAllObjectFunc, &metav1.CreateOptions{}); !apierrors.IsAlreadyExists(err) {
		t.Fatalf("second create of first: %v, want AlreadyExists", err)
	}
	invalid := newObject("invalid", nil)
	invalid.Spec.Replicas = ptr.To[int32](-1)
	if _, err := store.Create(ctx, invalid, rest.ValidateAllObjectFunc, &metav1.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Fatalf("an object with negative replicas: %v, want Invalid", err)
	}

	// A watch from the created object's resourceVersion sees what follows.
	w, err := store.Watch(ctx, &metainternalversion.ListOptions{ResourceVersion: first.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	update := first.DeepCopy()
	update.Spec.Description = "updated"
	updated, _, err := store.Update(ctx, "first", rest.DefaultUpdatedObjectInfo(update), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if u := updated.(*insect.Sighting); u.Spec.Description != "updated" || u.Generation != 2 || u.ResourceVersion == first.ResourceVersion {
		t.Fatalf("update not stored as expected: %+v", u)
	}
	if ev := nextEvent(t, w); ev.Type != watch.Modified || ev.Object.(*insect.Sighting).Spec.Description != "updated" {
		t.Fatalf("watch event %v %+v, want MODIFIED", ev.Type, ev.Object)
	}
	// Optimistic concurrency: an update based on the old resourceVersion fails.
	stale := first.DeepCopy()
	stale.Spec.Description = "stale"
	if _, _, err := store.Update(ctx, "first", rest.DefaultUpdatedObjectInfo(stale), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("stale update: %v, want Conflict", err)
	}

	for _, name := range []string{"second", "third"} {
		if _, err := store.Create(ctx, newObject(name, nil), rest.ValidateAllObjectFunc, &metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := store.List(ctx, &metainternalversion.ListOptions{LabelSelector: labels.SelectorFromSet(labels.Set{"tier": "gold"})})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if items := list.(*insect.SightingList).Items; len(items) != 1 || items[0].Name != "first" {
		t.Fatalf("list with a label selector = %+v, want first", items)
	}
	// Pages of two: first and second, then third.
	page, err := store.List(ctx, &metainternalversion.ListOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	p1 := page.(*insect.SightingList)
	if len(p1.Items) != 2 || p1.Continue == "" || p1.RemainingItemCount == nil || *p1.RemainingItemCount != 1 {
		t.Fatalf("first page: %d items, continue %q, remaining %v", len(p1.Items), p1.Continue, p1.RemainingItemCount)
	}
	page, err = store.List(ctx, &metainternalversion.ListOptions{Limit: 2, Continue: p1.Continue})
	if err != nil {
		t.Fatal(err)
	}
	if p2 := page.(*insect.SightingList); len(p2.Items) != 1 || p2.Items[0].Name != "third" || p2.Continue != "" {
		t.Fatalf("second page: %+v", p2)
	}

	status := storage["sightings/status"].(rest.Updater)
	withStatus := updated.(*insect.Sighting).DeepCopy()
	withStatus.Status.ObservedGeneration = 2
	withStatus.Spec.Description = "ignored by the status subresource"
	afterStatus, _, err := status.Update(ctx, "first", rest.DefaultUpdatedObjectInfo(withStatus), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("status update: %v", err)
	}
	if s := afterStatus.(*insect.Sighting); s.Status.ObservedGeneration != 2 || s.Spec.Description != "updated" {
		t.Fatalf("status update: got status %+v and spec %+v", s.Status, s.Spec)
	}

	if _, _, err := store.Delete(ctx, "first", rest.ValidateAllObjectFunc, &metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := store.Get(ctx, "first", &metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get after delete: %v, want NotFound", err)
	}
}

// TestGenerateNameUIDAndScope checks three things the generic registry does
// and clients rely on: a name generated from metadata.generateName (kubectl
// create of such a manifest), 409 Conflict (retried by clients) for an update
// made from another object with the same name, and a namespace that only a
// namespaced kind's reads honour.
func TestGenerateNameUIDAndScope(t *testing.T) {
	store, _ := newStore(t)
	ctx := requestContext()
	generated := newObject("", nil)
	generated.GenerateName = "gen-"
	created, err := store.Create(ctx, generated, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create with generateName: %v", err)
	}
	obj := created.(*insect.Sighting)
	if len(obj.Name) <= len("gen-") || obj.Name[:len("gen-")] != "gen-" {
		t.Fatalf("generated name %q", obj.Name)
	}

	other := obj.DeepCopy()
	other.UID = "the-uid-of-an-earlier-object"
	other.Spec.Description = "from another object"
	if _, _, err := store.Update(ctx, obj.Name, rest.DefaultUpdatedObjectInfo(other), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("an update with another uid: %v, want Conflict", err)
	}

	// A delete whose precondition names another uid is a conflict too.
	otherUID := other.UID
	if _, _, err := store.Delete(ctx, obj.Name, rest.ValidateAllObjectFunc, &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &otherUID}}); !apierrors.IsConflict(err) {
		t.Fatalf("a delete with another uid's precondition: %v, want Conflict", err)
	}

	elsewhere := genericapirequest.WithNamespace(requestContext(), "elsewhere")
	_, err = store.Get(elsewhere, obj.Name, &metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Fatalf("get from another namespace: %v, want NotFound", err)
	}
}

// TestWatchWithSelector is what an informer filtered by label sees: an
// object that starts matching is ADDED, one that stops matching DELETED,
// and one that never matches nothing at all.
func TestWatchWithSelector(t *testing.T) {
	store, _ := newStore(t)
	ctx := requestContext()
	created, err := store.Create(ctx, newObject("moving", map[string]string{"tier": "silver"}), rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := store.Watch(ctx, &metainternalversion.ListOptions{
		ResourceVersion: created.(*insect.Sighting).ResourceVersion,
		LabelSelector:   labels.SelectorFromSet(labels.Set{"tier": "gold"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	relabel := func(tier string) {
		t.Helper()
		cur, err := store.Get(ctx, "moving", &metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		obj := cur.(*insect.Sighting).DeepCopy()
		obj.Labels = map[string]string{"tier": tier}
		if _, _, err := store.Update(ctx, "moving", rest.DefaultUpdatedObjectInfo(obj), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.Create(ctx, newObject("never", map[string]string{"tier": "bronze"}), rest.ValidateAllObjectFunc, &metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	relabel("gold")
	if ev := nextEvent(t, w); ev.Type != watch.Added || ev.Object.(*insect.Sighting).Name != "moving" {
		t.Fatalf("starting to match: %v %+v, want ADDED moving", ev.Type, ev.Object)
	}
	relabel("silver")
	if ev := nextEvent(t, w); ev.Type != watch.Deleted || ev.Object.(*insect.Sighting).Name != "moving" {
		t.Fatalf("stopping to match: %v %+v, want DELETED moving", ev.Type, ev.Object)
	}
}

// TestPagesOfOneState pages through sightings while they change: every
// page is of the state the first one was taken at, or the next page is
// refused with 410 Gone (what etcd answers once that state is compacted),
// whose token pages on through the current state.
func TestPagesOfOneState(t *testing.T) {
	store, _ := newStore(t)
	ctx := requestContext()
	for _, name := range []string{"a", "b", "c", "d"} {
		if _, err := store.Create(ctx, newObject(name, nil), rest.ValidateAllObjectFunc, &metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	page := func(token string) (*insect.SightingList, error) {
		list, err := store.List(ctx, &metainternalversion.ListOptions{Limit: 2, Continue: token})
		if err != nil {
			return nil, err
		}
		return list.(*insect.SightingList), nil
	}
	first, err := page("")
	if err != nil {
		t.Fatal(err)
	}
	// Nothing changed: the second page is the rest of the same state.
	second, err := page(first.Continue)
	if err != nil || len(second.Items) != 2 || second.Items[0].Name != "c" || second.ResourceVersion != first.ResourceVersion {
		t.Fatalf("second page without writes: %v, %+v", err, second)
	}

	// A write between the pages: a page that mixed the two states would be
	// wrong. A backend that pages from a snapshot answers the first state's
	// rest; one that cannot answers 410 Gone.
	if _, err := store.Create(ctx, newObject("bb", nil), rest.ValidateAllObjectFunc, &metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	again, err := page(first.Continue)
	var status apierrors.APIStatus
	switch {
	case err == nil:
		if again.ResourceVersion != first.ResourceVersion || len(again.Items) != 2 || again.Items[0].Name != "c" || again.Items[1].Name != "d" {
			t.Fatalf("a page after a write is not of the first page's state: %+v", again)
		}
	case apierrors.IsResourceExpired(err) && errors.As(err, &status) && status.Status().Continue != "":
		// Its token gives the rest of the current state, the new object included.
		remaining, err := page(status.Status().Continue)
		if err != nil || len(remaining.Items) != 2 || remaining.Items[0].Name != "bb" || remaining.Items[1].Name != "c" {
			t.Fatalf("paging on with the 410's token: %v, %+v", err, remaining)
		}
	default:
		t.Fatalf("a page after a write: %v, want the first state's rest, or 410 Gone with a continue token", err)
	}
}

// TestExpiredResourceVersions checks the answers that send clients back to
// a fresh list: 410 Gone for a list at an exact resourceVersion the backend
// no longer serves, and for a watch from before the history it keeps.
func TestExpiredResourceVersions(t *testing.T) {
	store, _ := newStore(t)
	ctx := requestContext()
	created, err := store.Create(ctx, newObject("changing", nil), rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	from := created.(*insect.Sighting).ResourceVersion
	obj := created.(*insect.Sighting)
	// More changes than the backend keeps for watches that resume.
	for i := range 1001 {
		obj = obj.DeepCopy()
		obj.Labels = map[string]string{"change": strconv.Itoa(i)}
		updated, _, err := store.Update(ctx, obj.Name, rest.DefaultUpdatedObjectInfo(obj), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		obj = updated.(*insect.Sighting)
	}
	if _, err := store.List(ctx, &metainternalversion.ListOptions{ResourceVersion: from, ResourceVersionMatch: metav1.ResourceVersionMatchExact}); !apierrors.IsResourceExpired(err) {
		t.Fatalf("a list at an old exact resourceVersion: %v, want 410 Gone", err)
	}
	if _, err := store.List(ctx, &metainternalversion.ListOptions{ResourceVersion: obj.ResourceVersion, ResourceVersionMatch: metav1.ResourceVersionMatchExact}); err != nil {
		t.Fatalf("a list at the current exact resourceVersion: %v", err)
	}
	if w, err := store.Watch(ctx, &metainternalversion.ListOptions{ResourceVersion: from}); !apierrors.IsResourceExpired(err) {
		if w != nil {
			w.Stop()
		}
		t.Fatalf("a watch from before the kept history: %v, want 410 Gone", err)
	}
	w, err := store.Watch(ctx, &metainternalversion.ListOptions{ResourceVersion: obj.ResourceVersion})
	if err != nil {
		t.Fatalf("a watch from the current resourceVersion: %v", err)
	}
	w.Stop()
}

// TestWatchList is what informers ask for (sendInitialEvents): every object
// as ADDED, then a bookmark that marks the end of them.
func TestWatchList(t *testing.T) {
	store, _ := newStore(t)
	ctx := requestContext()
	if _, err := store.Create(ctx, newObject("existing", nil), rest.ValidateAllObjectFunc, &metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w, err := store.Watch(ctx, &metainternalversion.ListOptions{
		SendInitialEvents:    ptr.To(true),
		AllowWatchBookmarks:  true,
		ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if ev := nextEvent(t, w); ev.Type != watch.Added || ev.Object.(*insect.Sighting).Name != "existing" {
		t.Fatalf("first event %v %+v, want ADDED existing", ev.Type, ev.Object)
	}
	if ev := nextEvent(t, w); ev.Type != watch.Bookmark || ev.Object.(*insect.Sighting).Annotations[metav1.InitialEventsAnnotationKey] != "true" {
		t.Fatalf("second event %v %+v, want the initial-events-end bookmark", ev.Type, ev.Object)
	}
	if _, _, err := store.Delete(ctx, "existing", rest.ValidateAllObjectFunc, &metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, w); ev.Type != watch.Deleted {
		t.Fatalf("third event %v, want DELETED", ev.Type)
	}
}

// TestRESTContract holds the storage to the contract of the etcd-backed
// generic registry: k8s.io/apiserver's own REST conformance Tester, which
// kube-apiserver's registries are tested with, drives it through create,
// update, delete, get, list and watch with label and field selectors.
// Keep it passing when you replace the backend in backend.go.
func TestRESTContract(t *testing.T) {
	newTester := func(t *testing.T) (*resttest.Tester, *sighting.REST) {
		store, _ := newStore(t)
		tester := resttest.New(t, store)
		tester.SetRequestInfo(&testRequestInfo)
		return tester, store
	}
	// A valid sighting in the Tester's namespace.
	valid := func() *insect.Sighting {
		obj := newObject("foo", nil)
		obj.Namespace = "test"
		return obj
	}
	// create stores an object as it is, uid included, straight into the
	// backend, as the generic registry's Tester writes to etcd.
	create := func(store *sighting.REST) resttest.CreateFunc {
		return func(ctx context.Context, obj runtime.Object) error {
			_, err := store.Backend().Create(ctx, obj.(*insect.Sighting))
			return err
		}
	}
	get := func(s rest.Getter) resttest.GetFunc {
		return func(ctx context.Context, obj runtime.Object) (runtime.Object, error) {
			return s.Get(ctx, obj.(*insect.Sighting).Name, &metav1.GetOptions{})
		}
	}

	t.Run("create", func(t *testing.T) {
		tester, store := newTester(t)
		invalid := valid()
		invalid.Name = "invalid"
		invalid.Spec.Replicas = ptr.To[int32](-1)
		tester.TestCreate(valid(), create(store), get(store), invalid)
	})
	t.Run("update", func(t *testing.T) {
		tester, store := newTester(t)
		tester.TestUpdate(valid(), create(store), get(store),
			func(obj runtime.Object) runtime.Object {
				obj.(*insect.Sighting).Spec.Description = "updated"
				return obj
			},
			func(obj runtime.Object) runtime.Object {
				obj.(*insect.Sighting).Spec.Replicas = ptr.To[int32](-1)
				return obj
			})
	})
	t.Run("delete", func(t *testing.T) {
		tester, store := newTester(t)
		tester.TestDelete(valid(), create(store), get(store), apierrors.IsNotFound)
	})
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
				stored, err := storage.Backend().Create(tester.TestContext(), obj.DeepCopyObject().(*insect.Sighting))
				if err != nil {
					t.Fatal(err)
				}
				*obj.(*insect.Sighting) = *stored
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
					_, _, err := storage.Delete(ctx, obj.(*insect.Sighting).Name, rest.ValidateAllObjectFunc, &metav1.DeleteOptions{})
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

// deleteAll deletes every sighting of the request's namespace.
func deleteAll(ctx context.Context, store *sighting.REST) error {
	_, err := store.DeleteCollection(ctx, rest.ValidateAllObjectFunc, &metav1.DeleteOptions{}, nil)
	return err
}
