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

package insect

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// Sighting is the internal ("hub") form of a Sighting: the apiserver converts
// every served version to it, validates it (validation/sighting.go) and
// stores it. Keep its fields in step with the versioned types; a field that
// differs between versions needs a conversion function.
type Sighting struct {
	metav1.TypeMeta
	metav1.ObjectMeta

	Spec   SightingSpec
	Status SightingStatus
}

// SightingSpec is the desired state of a Sighting.
type SightingSpec struct {
	Replicas    *int32
	Description string

	UpdatePolicy SightingUpdatePolicy
	Owner        string
}

// SightingUpdatePolicy says how the changes of a Sighting roll out.
type SightingUpdatePolicy string

// SightingStatus is the observed state of a Sighting.
type SightingStatus struct {
	ObservedGeneration int64
	Conditions         []metav1.Condition
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// SightingList is a list of Sighting objects.
type SightingList struct {
	metav1.TypeMeta
	metav1.ListMeta

	Items []Sighting
}
