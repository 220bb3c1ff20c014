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

package bee

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/bees/pkg/apis/insect"
	"example.com/bees/pkg/apis/insect/validation"
)

// statusStrategy is the strategy of bees/status: it changes only the
// status, and validates only what the status may hold.
type statusStrategy struct {
	strategy
}

// newStatusStrategy returns the strategy of bees/status.
func newStatusStrategy(s strategy) statusStrategy {
	s.resetFields = fieldsPerVersion(s.ObjectTyper.(*runtime.Scheme), "spec")
	return statusStrategy{s}
}

// PrepareForUpdate keeps everything but the status (and metadata) as it was.
func (statusStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	o, oldObj := obj.(*insect.Bee), old.(*insect.Bee)
	o.Spec = oldObj.Spec
	o.Generation = oldObj.Generation
}

// ValidateUpdate validates a status update.
func (statusStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateBeeStatusUpdate(obj.(*insect.Bee), old.(*insect.Bee))
}

// WarningsOnUpdate returns no warnings: status is written by controllers.
func (statusStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

// StatusREST is the storage of bees/status: it reads whole objects and
// updates only their status.
type StatusREST struct {
	store *genericregistry.Store
}

var _ rest.Patcher = &StatusREST{}

// newStatusREST returns the status storage, sharing the main store's etcd
// storage with its own update strategy.
func newStatusREST(store *genericregistry.Store, s strategy) *StatusREST {
	statusStore := *store
	strategy := newStatusStrategy(s)
	statusStore.UpdateStrategy = strategy
	statusStore.ResetFieldsStrategy = strategy
	return &StatusREST{store: &statusStore}
}

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
