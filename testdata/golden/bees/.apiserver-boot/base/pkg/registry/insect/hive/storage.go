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

// Package hive is the REST storage of hives.insect.example.com: how hives
// are stored (etcd, through the generic registry), which rules apply to them
// (strategy.go), and their subresources (subresources.go lists them).
package hive

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"example.com/bees/pkg/apis/insect"
)

// NewStorage returns the storage of hives and their subresources, keyed
// by the path the apiserver serves them at. To keep hives somewhere other
// than etcd, return your own rest.Storage implementation for "hives" here.
func NewStorage(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter) (map[string]rest.Storage, error) {
	strategy := NewStrategy(scheme)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &insect.Hive{} },
		NewListFunc:               func() runtime.Object { return &insect.HiveList{} },
		DefaultQualifiedResource:  insect.Resource("hives"),
		SingularQualifiedResource: insect.Resource("hive"),

		CreateStrategy: strategy,
		UpdateStrategy: strategy,
		DeleteStrategy: strategy,
		TableConvertor: strategy,
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: GetAttrs}); err != nil {
		return nil, fmt.Errorf("storage of hives: %w", err)
	}
	storage := subresources(store, strategy)
	storage["hives"] = &REST{store}
	return storage, nil
}

// REST is the storage of hives.
type REST struct {
	*genericregistry.Store
}
