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
	"fmt"
	"time"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"

	"example.com/bees/pkg/apis/insect"
	"example.com/bees/pkg/apis/insect/validation"
)

// strategy holds the rules the apiserver applies to bees on create, update
// and delete, and renders them as tables for `kubectl get`.
type strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	// DeclarativeValidation runs the +k8s: tags of the version the client
	// used (zz_generated.validations.go) after Validate and ValidateUpdate,
	// as kube-apiserver's own strategies do, and returns both errors at once.
	rest.DeclarativeValidation
}

// NewStrategy returns the strategy of bees.
func NewStrategy(scheme *runtime.Scheme) strategy {
	return strategy{ObjectTyper: scheme, NameGenerator: names.SimpleNameGenerator, DeclarativeValidation: rest.DeclarativeValidation{Scheme: scheme}}
}

// NamespaceScoped is true: bees are namespaced.
func (strategy) NamespaceScoped() bool { return true }

// PrepareForCreate normalizes a new object before validation: the place for
// defaults that depend on more than one field or on the request context.
func (strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	obj.(*insect.Bee).Generation = 1
}

// PrepareForUpdate normalizes an updated object before validation.
func (strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	o, oldObj := obj.(*insect.Bee), old.(*insect.Bee)
	// The generation counts changes of the spec, so controllers can tell
	// whether they have acted on the latest one (status.observedGeneration).
	if !apiequality.Semantic.DeepEqual(o.Spec, oldObj.Spec) {
		o.Generation = oldObj.Generation + 1
	}
}

// Validate validates a new object with the Go rules of validation.go; the
// +k8s: tags of the types are checked after it (see DeclarativeValidation).
func (strategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateBee(obj.(*insect.Bee))
}

// WarningsOnCreate returns warnings shown to the client (kubectl prints them)
// for an object that is valid but probably not what the user meant.
func (strategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string {
	return warnings(obj.(*insect.Bee))
}

// Canonicalize normalizes the object after validation.
func (strategy) Canonicalize(obj runtime.Object) {}

// AllowCreateOnUpdate is false: a PUT of a missing object is an error.
func (strategy) AllowCreateOnUpdate(context.Context) bool { return false }

// ValidateUpdate validates an update.
func (strategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateBeeUpdate(obj.(*insect.Bee), old.(*insect.Bee))
}

// WarningsOnUpdate returns warnings for an update.
func (strategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return warnings(obj.(*insect.Bee))
}

// AllowUnconditionalUpdate is true: an update without resourceVersion overwrites.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return true }

func warnings(o *insect.Bee) []string {
	if o.Spec.Replicas != nil && *o.Spec.Replicas == 0 {
		return []string{"spec.replicas is 0: nothing will run for this Bee"}
	}
	return nil
}

// GetAttrs returns the labels and fields of an object, for label and field selectors.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	o, ok := obj.(*insect.Bee)
	if !ok {
		return nil, nil, fmt.Errorf("not a Bee: %T", obj)
	}
	return labels.Set(o.Labels), SelectableFields(o), nil
}

// SelectableFields returns the fields `kubectl get --field-selector` can use:
// metadata.name and metadata.namespace. To add one (e.g. spec.replicas), add it
// here and register a field label conversion in each version's scheme.
func SelectableFields(o *insect.Bee) fields.Set {
	return generic.ObjectMetaFieldsSet(&o.ObjectMeta, true)
}

// columns are the columns of `kubectl get bees`; those with Priority 1
// appear only with -o wide. Add a column here and a cell in row.
var columns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name", Description: "Name of the Bee."},
	{Name: "Replicas", Type: "string", Description: "Desired number of instances (spec.replicas)."},
	{Name: "Ready", Type: "string", Description: "Status of the Ready condition."},
	{Name: "Age", Type: "string", Description: "Time since the Bee was created."},
	{Name: "Description", Type: "string", Priority: 1, Description: "spec.description."},
}

// ConvertToTable renders bees as a table, for `kubectl get`.
func (strategy) ConvertToTable(ctx context.Context, obj runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	table := &metav1.Table{ColumnDefinitions: columns}
	switch o := obj.(type) {
	case *insect.Bee:
		table.ResourceVersion = o.ResourceVersion
		table.Rows = []metav1.TableRow{row(o)}
	case *insect.BeeList:
		table.ResourceVersion = o.ResourceVersion
		table.Continue = o.Continue
		table.RemainingItemCount = o.RemainingItemCount
		for i := range o.Items {
			table.Rows = append(table.Rows, row(&o.Items[i]))
		}
	default:
		return nil, fmt.Errorf("cannot render %T as a table of bees", obj)
	}
	if opts, ok := tableOptions.(*metav1.TableOptions); ok && opts.NoHeaders {
		table.ColumnDefinitions = nil
	}
	return table, nil
}

func row(o *insect.Bee) metav1.TableRow {
	replicas := "<unset>"
	if o.Spec.Replicas != nil {
		replicas = fmt.Sprint(*o.Spec.Replicas)
	}
	ready := "Unknown"
	if c := meta.FindStatusCondition(o.Status.Conditions, "Ready"); c != nil {
		ready = string(c.Status)
	}
	age := "<unknown>"
	if !o.CreationTimestamp.IsZero() {
		age = duration.HumanDuration(time.Since(o.CreationTimestamp.Time))
	}
	return metav1.TableRow{
		Object: runtime.RawExtension{Object: o},
		Cells:  []interface{}{o.Name, replicas, ready, age, o.Spec.Description},
	}
}
