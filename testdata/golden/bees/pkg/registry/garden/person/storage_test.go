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

package person_test

import (
	"context"
	"testing"

	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	etcd3testing "k8s.io/apiserver/pkg/storage/etcd3/testing"
	"k8s.io/utils/ptr"

	"example.com/bees/pkg/apis/garden"
	"example.com/bees/pkg/apis/garden/install"
	"example.com/bees/pkg/apis/garden/v1beta1"
	"example.com/bees/pkg/registry/garden/person"
)

// newStorage returns the storage of people on an etcd started for the test.
func newStorage(t *testing.T) map[string]rest.Storage {
	scheme := runtime.NewScheme()
	install.Install(scheme)
	metav1.AddToGroupVersion(scheme, metav1.SchemeGroupVersion)
	codecs := serializer.NewCodecFactory(scheme)

	_, config := etcd3testing.NewUnsecuredEtcd3TestClientServer(t)
	config.Codec = codecs.LegacyCodec(v1beta1.SchemeGroupVersion)
	optsGetter := generic.RESTOptions{
		StorageConfig:  config.ForResource(garden.Resource("people")),
		Decorator:      generic.UndecoratedStorage,
		ResourcePrefix: "people",
	}
	storage, err := person.NewStorage(scheme, optsGetter)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { storage["people"].Destroy() })
	return storage
}

// requestContext is what the apiserver gives the storage: the namespace, and
// the group and version the client used (the +k8s: rules of that version run).
func requestContext() context.Context {
	ctx := genericapirequest.WithRequestInfo(genericapirequest.NewContext(), &testRequestInfo)
	return genericapirequest.WithNamespace(ctx, metav1.NamespaceDefault)
}

var testRequestInfo = genericapirequest.RequestInfo{
	IsResourceRequest: true, APIGroup: garden.GroupName, APIVersion: "v1beta1", Resource: "people",
}

func TestStorageCreateUpdateList(t *testing.T) {
	storage := newStorage(t)
	store := storage["people"].(*person.REST)
	ctx := requestContext()

	obj := &garden.Person{
		ObjectMeta: metav1.ObjectMeta{Name: "first", Namespace: metav1.NamespaceDefault},
		Spec:       garden.PersonSpec{Replicas: ptr.To[int32](2)},
	}
	created, err := store.Create(ctx, obj, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := created.(*garden.Person); got.Generation != 1 || got.ResourceVersion == "" {
		t.Fatalf("created object lacks generation or resourceVersion: %+v", got.ObjectMeta)
	}

	invalid := obj.DeepCopy()
	invalid.Name = "invalid"
	invalid.Spec.Replicas = ptr.To[int32](-1)
	if _, err := store.Create(ctx, invalid, rest.ValidateAllObjectFunc, &metav1.CreateOptions{}); err == nil {
		t.Fatal("an object with negative replicas was stored")
	}

	got, err := store.Get(ctx, "first", &metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	update := got.(*garden.Person).DeepCopy()
	update.Spec.Description = "updated"
	updated, _, err := store.Update(ctx, "first", rest.DefaultUpdatedObjectInfo(update), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if u := updated.(*garden.Person); u.Spec.Description != "updated" || u.Generation != 2 {
		t.Fatalf("update not stored as expected: generation %d, spec %+v", u.Generation, u.Spec)
	}

	list, err := store.List(ctx, &metainternalversion.ListOptions{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if items := list.(*garden.PersonList).Items; len(items) != 1 || items[0].Name != "first" {
		t.Fatalf("list = %+v, want the one object", items)
	}

	if _, _, err := store.Delete(ctx, "first", rest.ValidateAllObjectFunc, &metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := store.Get(ctx, "first", &metav1.GetOptions{}); err == nil {
		t.Fatal("object still there after delete")
	}
}
