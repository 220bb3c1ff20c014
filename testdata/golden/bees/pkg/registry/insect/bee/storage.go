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

// Package bee is the REST storage of bees.insect.example.com: how bees
// are stored (etcd, through the generic registry) and which rules apply to them (strategy.go).
package bee

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/bees/pkg/apis/insect"
)

// NewStorage returns the storage of bees and their subresources, keyed
// by the path the apiserver serves them at. To keep bees somewhere other
// than etcd, return your own rest.Storage implementation for "bees" here.
func NewStorage(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter) (map[string]rest.Storage, error) {
	strategy := NewStrategy(scheme)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &insect.Bee{} },
		NewListFunc:               func() runtime.Object { return &insect.BeeList{} },
		DefaultQualifiedResource:  insect.Resource("bees"),
		SingularQualifiedResource: insect.Resource("bee"),

		CreateStrategy:      strategy,
		UpdateStrategy:      strategy,
		DeleteStrategy:      strategy,
		ResetFieldsStrategy: strategy,
		TableConvertor:      strategy,
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: GetAttrs}); err != nil {
		return nil, fmt.Errorf("storage of bees: %w", err)
	}

	statusStore := *store
	statusStrategy := NewStatusStrategy(strategy)
	statusStore.UpdateStrategy = statusStrategy
	statusStore.ResetFieldsStrategy = statusStrategy

	return map[string]rest.Storage{
		"bees":        &REST{store},
		"bees/status": &StatusREST{store: &statusStore},
	}, nil
}

// REST is the storage of bees.
type REST struct {
	*genericregistry.Store
}

// ShortNames are the abbreviations kubectl accepts for bees.
func (r *REST) ShortNames() []string {
	return []string{"bz"}
}

// Categories are the groupings bees belong to, as in `kubectl get all`.
func (r *REST) Categories() []string {
	return []string{"all"}
}

// StatusREST is the storage of bees/status: it reads whole objects and
// updates only their status.
type StatusREST struct {
	store *genericregistry.Store
}

var _ rest.Patcher = &StatusREST{}

// New returns an empty Bee.
func (r *StatusREST) New() runtime.Object { return &insect.Bee{} }

// Destroy does nothing: the store is shared with REST, which cleans it up.
func (r *StatusREST) Destroy() {}

// Get returns the Bee with the given name.
func (r *StatusREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return r.store.Get(ctx, name, options)
}

// Update updates the status of a Bee.
func (r *StatusREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	// Subresources never create objects.
	return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}

// GetResetFields returns the fields a status update may not set.
func (r *StatusREST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return r.store.GetResetFields()
}

// ConvertToTable renders the object as a table.
func (r *StatusREST) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	return r.store.ConvertToTable(ctx, object, tableOptions)
}
