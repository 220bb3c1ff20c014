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

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Doc comments on Sighting and its fields become the descriptions of `kubectl
// explain` and of `apiserver-boot build docs`. The columns of `kubectl get`
// are in pkg/registry/insect/sighting/strategy.go.

// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// Sighting is a namespaced object of the insect.example.com API.
type Sighting struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state of the Sighting.
	// +optional
	Spec SightingSpec `json:"spec,omitempty"`
	// Status is the observed state of the Sighting, written by its controller through the status subresource.
	// +optional
	Status SightingStatus `json:"status,omitempty"`
}

// SightingSpec is the desired state of a Sighting.
type SightingSpec struct {
	// Replicas is the desired number of instances. Defaults to 1; must not be negative.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// Description says what this Sighting is for, in at most 256 characters.
	// +optional
	Description string `json:"description,omitempty"`
}

// SightingStatus is the observed state of a Sighting.
type SightingStatus struct {
	// ObservedGeneration is the metadata.generation the controller last acted on.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions are the latest observations of the Sighting's state; "Ready" is set by the controller.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// SightingList is a list of Sighting objects.
type SightingList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the Sighting objects.
	Items []Sighting `json:"items"`
}
