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

package validation

import (
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/bees/pkg/apis/metrics"
)

// Which rules go where: a rule about one field (a minimum, a length, a format,
// an enum, immutability) is a +k8s: tag on the field in each version's
// nodeusage_types.go; the server runs those after the rules here. This file is
// for what tags cannot say: rules across fields, or across objects.

// ValidateNodeUsage validates a NodeUsage being created. The apiserver calls it
// (via the strategy) after defaulting, on the internal type, whatever version
// the client used. Each error names the field, so kubectl shows e.g.
// `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
func ValidateNodeUsage(obj *metrics.NodeUsage) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMeta(&obj.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	allErrs = append(allErrs, ValidateNodeUsageSpec(&obj.Spec, field.NewPath("spec"))...)
	return allErrs
}

// ValidateNodeUsageUpdate validates an update of a NodeUsage. Add rules for
// fields that may not change here (see apimachineryvalidation.ValidateImmutableField).
func ValidateNodeUsageUpdate(obj, old *metrics.NodeUsage) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&obj.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	allErrs = append(allErrs, ValidateNodeUsageSpec(&obj.Spec, field.NewPath("spec"))...)
	return allErrs
}

// ValidateNodeUsageStatusUpdate validates an update through the status subresource.
func ValidateNodeUsageStatusUpdate(obj, old *metrics.NodeUsage) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&obj.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	statusPath := field.NewPath("status")
	if obj.Status.ObservedGeneration < 0 {
		allErrs = append(allErrs, field.Invalid(statusPath.Child("observedGeneration"), obj.Status.ObservedGeneration, "must be greater than or equal to 0"))
	}
	return allErrs
}

// ValidateNodeUsageSpec validates the spec of a NodeUsage: the place for rules
// that relate its fields to each other.
func ValidateNodeUsageSpec(spec *metrics.NodeUsageSpec, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	return allErrs
}
