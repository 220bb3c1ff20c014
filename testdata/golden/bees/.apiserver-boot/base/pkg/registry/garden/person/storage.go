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

// Package person is the REST storage of people.garden.example.com: how people
// are stored (etcd, through the generic registry), which rules apply to them
// (strategy.go), and their subresources (subresources.go lists them).
package person

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"example.com/bees/pkg/apis/garden"
)

// NewStorage returns the storage of people and their subresources, keyed
// by the path the apiserver serves them at. To keep people somewhere other
// than etcd, return your own rest.Storage implementation for "people" here.
func NewStorage(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter) (map[string]rest.Storage, error) {
	strategy := NewStrategy(scheme)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &garden.Person{} },
		NewListFunc:               func() runtime.Object { return &garden.PersonList{} },
		DefaultQualifiedResource:  garden.Resource("people"),
		SingularQualifiedResource: garden.Resource("person"),

		CreateStrategy: strategy,
		UpdateStrategy: strategy,
		DeleteStrategy: strategy,
		TableConvertor: strategy,
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: GetAttrs}); err != nil {
		return nil, fmt.Errorf("storage of people: %w", err)
	}
	storage := subresources(store, strategy)
	storage["people"] = &REST{store}
	return storage, nil
}

// REST is the storage of people.
type REST struct {
	*genericregistry.Store
}
