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

package nodeusage

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

	"example.com/bees/pkg/apis/metrics"
	"example.com/bees/pkg/apis/metrics/validation"
)

// strategy holds the rules the apiserver applies to nodeusages on create, update
// and delete, and renders them as tables for `kubectl get`.
type strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	// DeclarativeValidation runs the +k8s: tags of the version the client
	// used (zz_generated.validations.go) after Validate and ValidateUpdate,
	// as kube-apiserver's own strategies do, and returns both errors at once.
	rest.DeclarativeValidation
}

// NewStrategy returns the strategy of nodeusages.
func NewStrategy(scheme *runtime.Scheme) strategy {
	return strategy{ObjectTyper: scheme, NameGenerator: names.SimpleNameGenerator, DeclarativeValidation: rest.DeclarativeValidation{Scheme: scheme}}
}

// NamespaceScoped is false: nodeusages are cluster-scoped.
func (strategy) NamespaceScoped() bool { return false }

// PrepareForCreate normalizes a new object before validation: the place for
// defaults that depend on more than one field or on the request context.
func (strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	obj.(*metrics.NodeUsage).Generation = 1
}

// PrepareForUpdate normalizes an updated object before validation.
func (strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	o, oldObj := obj.(*metrics.NodeUsage), old.(*metrics.NodeUsage)
	// The generation counts changes of the spec, so controllers can tell
	// whether they have acted on the latest one (status.observedGeneration).
	if !apiequality.Semantic.DeepEqual(o.Spec, oldObj.Spec) {
		o.Generation = oldObj.Generation + 1
	}
}

// Validate validates a new object with the Go rules of validation.go; the
// +k8s: tags of the types are checked after it (see DeclarativeValidation).
func (strategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateNodeUsage(obj.(*metrics.NodeUsage))
}

// WarningsOnCreate returns warnings shown to the client (kubectl prints them)
// for an object that is valid but probably not what the user meant.
func (strategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string {
	return warnings(obj.(*metrics.NodeUsage))
}

// Canonicalize normalizes the object after validation.
func (strategy) Canonicalize(obj runtime.Object) {}

// AllowCreateOnUpdate is false: a PUT of a missing object is an error.
func (strategy) AllowCreateOnUpdate(context.Context) bool { return false }

// ValidateUpdate validates an update.
func (strategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateNodeUsageUpdate(obj.(*metrics.NodeUsage), old.(*metrics.NodeUsage))
}

// WarningsOnUpdate returns warnings for an update.
func (strategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return warnings(obj.(*metrics.NodeUsage))
}

// AllowUnconditionalUpdate is true: an update without resourceVersion overwrites.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return true }

func warnings(o *metrics.NodeUsage) []string {
	if o.Spec.Replicas != nil && *o.Spec.Replicas == 0 {
		return []string{"spec.replicas is 0: nothing will run for this NodeUsage"}
	}
	return nil
}

// GetAttrs returns the labels and fields of an object, for label and field selectors.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	o, ok := obj.(*metrics.NodeUsage)
	if !ok {
		return nil, nil, fmt.Errorf("not a NodeUsage: %T", obj)
	}
	return labels.Set(o.Labels), SelectableFields(o), nil
}

// SelectableFields returns the fields `kubectl get --field-selector` can use:
// metadata.name. To add one (e.g. spec.replicas), add it
// here and register a field label conversion in each version's scheme.
func SelectableFields(o *metrics.NodeUsage) fields.Set {
	return generic.ObjectMetaFieldsSet(&o.ObjectMeta, false)
}

// columns are the columns of `kubectl get nodeusages`; those with Priority 1
// appear only with -o wide. Add a column here and a cell in row.
var columns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name", Description: "Name of the NodeUsage."},
	{Name: "Replicas", Type: "string", Description: "Desired number of instances (spec.replicas)."},
	{Name: "Ready", Type: "string", Description: "Status of the Ready condition."},
	{Name: "Age", Type: "string", Description: "Time since the NodeUsage was created."},
	{Name: "Description", Type: "string", Priority: 1, Description: "spec.description."},
}

// ConvertToTable renders nodeusages as a table, for `kubectl get`.
func (strategy) ConvertToTable(ctx context.Context, obj runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	table := &metav1.Table{ColumnDefinitions: columns}
	switch o := obj.(type) {
	case *metrics.NodeUsage:
		table.ResourceVersion = o.ResourceVersion
		table.Rows = []metav1.TableRow{row(o)}
	case *metrics.NodeUsageList:
		table.ResourceVersion = o.ResourceVersion
		table.Continue = o.Continue
		table.RemainingItemCount = o.RemainingItemCount
		for i := range o.Items {
			table.Rows = append(table.Rows, row(&o.Items[i]))
		}
	default:
		return nil, fmt.Errorf("cannot render %T as a table of nodeusages", obj)
	}
	if opts, ok := tableOptions.(*metav1.TableOptions); ok && opts.NoHeaders {
		table.ColumnDefinitions = nil
	}
	return table, nil
}

func row(o *metrics.NodeUsage) metav1.TableRow {
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
