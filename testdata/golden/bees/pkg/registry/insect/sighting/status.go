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

package sighting

import (
	"context"

	"k8s.io/apimachinery/pkg/api/operation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/bees/pkg/apis/insect"
	"example.com/bees/pkg/apis/insect/validation"
)

// mainStrategy is the strategy of sightings themselves once they have a
// status subresource: the status is written only through sightings/status,
// so a create starts with an empty status and an update keeps the stored one.
type mainStrategy struct {
	strategy
	resetFields map[fieldpath.APIVersion]*fieldpath.Set
}

// newMainStrategy returns the strategy of sightings (see subresources.go).
func newMainStrategy(s strategy) mainStrategy {
	return mainStrategy{s, fieldsPerVersion(s.ObjectTyper.(*runtime.Scheme), "status")}
}

// PrepareForCreate clears the status.
func (s mainStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.strategy.PrepareForCreate(ctx, obj)
	obj.(*insect.Sighting).Status = insect.SightingStatus{}
}

// PrepareForUpdate keeps the stored status.
func (s mainStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.strategy.PrepareForUpdate(ctx, obj, old)
	obj.(*insect.Sighting).Status = old.(*insect.Sighting).Status
}

// GetResetFields tells server-side apply that the main resource does not set the status.
func (s mainStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set { return s.resetFields }

// statusStrategy is the strategy of sightings/status: it changes only the
// status, and validates only what the status may hold.
type statusStrategy struct {
	strategy
	resetFields map[fieldpath.APIVersion]*fieldpath.Set
}

// newStatusStrategy returns the strategy of sightings/status.
func newStatusStrategy(s strategy) statusStrategy {
	return statusStrategy{s, fieldsPerVersion(s.ObjectTyper.(*runtime.Scheme), "spec")}
}

// GetResetFields tells server-side apply that the status subresource does not set the spec.
func (s statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return s.resetFields
}

// PrepareForUpdate keeps everything but the status (and metadata) as it was.
func (statusStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	o, oldObj := obj.(*insect.Sighting), old.(*insect.Sighting)
	o.Spec = oldObj.Spec
	o.Generation = oldObj.Generation
}

// ValidateUpdate validates a status update.
func (statusStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateSightingStatusUpdate(obj.(*insect.Sighting), old.(*insect.Sighting))
}

// ValidateDeclaratively runs the +k8s: tags on the Sighting a status update
// makes, as an update of the Sighting itself (see asMainResource).
func (s statusStrategy) ValidateDeclaratively(ctx context.Context, obj, old runtime.Object, errs field.ErrorList, op operation.Type, config rest.DeclarativeValidationConfig) field.ErrorList {
	return s.strategy.ValidateDeclaratively(asMainResource(ctx), obj, old, errs, op, config)
}

// WarningsOnUpdate returns no warnings: status is written by controllers.
func (statusStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
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
