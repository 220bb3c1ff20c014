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

// Doc comments on Hive and its fields become the descriptions of `kubectl
// explain` and of `apiserver-boot build docs`. The columns of `kubectl get`
// are in pkg/registry/insect/hive/strategy.go.
//
// Rules a field can state alone are +k8s: tags above it: the server enforces
// them, and OpenAPI (`kubectl explain`) and `build docs` show them. Some tags:
// `+k8s:minimum=0`, `+k8s:maximum=10`, `+k8s:minLength=1`, `+k8s:maxLength=256`,
// `+k8s:maxItems=5`, `+k8s:format=k8s-short-name`, `+k8s:enum` (on a string
// type), `+k8s:immutable`, `+k8s:listType=map` with `+k8s:listMapKey=name`;
// `+optional` or `+required` says whether the field must be set.
// Rules across fields or objects are Go, in pkg/apis/insect/validation.
// Fields of types from other modules (metav1, k8s.io/api) get no tags: the
// registry validates metadata, and those types' rules live elsewhere.
//
// The protobuf:"…" tags are the fields' numbers on the wire and in storage;
// `make generate` gives a new field the next free one. Never change or
// reuse a number: objects already stored carry it.

// +genclient
// +genclient:nonNamespaced
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// Hive is a cluster-scoped object of the insect.example.com API.
type Hive struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// Spec is the desired state of the Hive.
	// +optional
	Spec HiveSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	// Status is the observed state of the Hive, written by its controller through the status subresource.
	// +optional
	Status HiveStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// HiveSpec is the desired state of a Hive.
type HiveSpec struct {
	// Replicas is the desired number of instances. Defaults to 1; must not be negative.
	// +optional
	// +k8s:minimum=0
	Replicas *int32 `json:"replicas,omitempty" protobuf:"varint,1,opt,name=replicas"`
	// Description says what this Hive is for, in at most 256 characters.
	// +optional
	// +k8s:maxLength=256
	Description string `json:"description,omitempty" protobuf:"bytes,2,opt,name=description"`
	// UpdatePolicy says how changes roll out: Recreate, or RollingUpdate (the default).
	// +optional
	UpdatePolicy HiveUpdatePolicy `json:"updatePolicy,omitempty" protobuf:"bytes,3,opt,name=updatePolicy,casttype=HiveUpdatePolicy"`
	// Owner is the team that runs this Hive, as a DNS label (e.g. "storage-team").
	// +optional
	// +k8s:format=k8s-short-name
	Owner string `json:"owner,omitempty" protobuf:"bytes,4,opt,name=owner"`
}

// HiveUpdatePolicy says how the changes of a Hive roll out.
// +k8s:enum
type HiveUpdatePolicy string

const (
	// HiveRecreate replaces every instance at once.
	HiveRecreate HiveUpdatePolicy = "Recreate"
	// HiveRollingUpdate replaces the instances one at a time.
	HiveRollingUpdate HiveUpdatePolicy = "RollingUpdate"
)

// HiveStatus is the observed state of a Hive.
type HiveStatus struct {
	// ObservedGeneration is the metadata.generation the controller last acted on.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty" protobuf:"varint,1,opt,name=observedGeneration"`
	// Conditions are the latest observations of the Hive's state; "Ready" is set by the controller.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" protobuf:"bytes,2,rep,name=conditions"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// HiveList is a list of Hive objects.
type HiveList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// Items are the Hive objects.
	Items []Hive `json:"items" protobuf:"bytes,2,rep,name=items"`
}
