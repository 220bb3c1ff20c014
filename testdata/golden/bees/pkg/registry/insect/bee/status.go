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

	"k8s.io/apimachinery/pkg/api/operation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/bees/pkg/apis/insect"
	"example.com/bees/pkg/apis/insect/validation"
)

// mainStrategy is the strategy of bees themselves once they have a
// status subresource: the status is written only through bees/status,
// so a create starts with an empty status and an update keeps the stored one.
type mainStrategy struct {
	strategy
	resetFields map[fieldpath.APIVersion]*fieldpath.Set
}

// newMainStrategy returns the strategy of bees (see subresources.go).
func newMainStrategy(s strategy) mainStrategy {
	return mainStrategy{s, fieldsPerVersion(s.ObjectTyper.(*runtime.Scheme), "status")}
}

// PrepareForCreate clears the status.
func (s mainStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.strategy.PrepareForCreate(ctx, obj)
	obj.(*insect.Bee).Status = insect.BeeStatus{}
}

// PrepareForUpdate keeps the stored status.
func (s mainStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.strategy.PrepareForUpdate(ctx, obj, old)
	obj.(*insect.Bee).Status = old.(*insect.Bee).Status
}

// GetResetFields tells server-side apply that the main resource does not set the status.
func (s mainStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set { return s.resetFields }

// statusStrategy is the strategy of bees/status: it changes only the
// status, and validates only what the status may hold.
type statusStrategy struct {
	strategy
	resetFields map[fieldpath.APIVersion]*fieldpath.Set
}

// newStatusStrategy returns the strategy of bees/status.
func newStatusStrategy(s strategy) statusStrategy {
	return statusStrategy{s, fieldsPerVersion(s.ObjectTyper.(*runtime.Scheme), "spec")}
}

// GetResetFields tells server-side apply that the status subresource does not set the spec.
func (s statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return s.resetFields
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

// ValidateDeclaratively runs the +k8s: tags on the Bee a status update
// makes, as an update of the Bee itself (see asMainResource).
func (s statusStrategy) ValidateDeclaratively(ctx context.Context, obj, old runtime.Object, errs field.ErrorList, op operation.Type, config rest.DeclarativeValidationConfig) field.ErrorList {
	return s.strategy.ValidateDeclaratively(asMainResource(ctx), obj, old, errs, op, config)
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

// fieldsPerVersion returns, for every version of the group known to scheme,
// the set of the given top-level fields.
func fieldsPerVersion(scheme *runtime.Scheme, paths ...string) map[fieldpath.APIVersion]*fieldpath.Set {
	out := map[fieldpath.APIVersion]*fieldpath.Set{}
	for _, gv := range scheme.PrioritizedVersionsForGroup(insect.GroupName) {
		set := fieldpath.NewSet()
		for _, p := range paths {
			set.Insert(fieldpath.MakePathOrDie(p))
		}
		out[fieldpath.APIVersion(gv.String())] = set
	}
	return out
}
