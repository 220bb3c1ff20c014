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

// +k8s:openapi-gen=true
// +k8s:deepcopy-gen=package
// +k8s:conversion-gen=example.com/bees/pkg/apis/garden
// +k8s:defaulter-gen=TypeMeta
// +k8s:validation-gen=TypesWithField=TypeMeta
// +k8s:openapi-model-package=com.example.bees.pkg.apis.garden.v1beta1
// +groupName=garden.example.com

// Package v1beta1 is the v1beta1 version of the garden.example.com API group.
// Its types are what clients see; conversion to and from the internal types
// in package garden is generated, defaults are set in *_defaults.go.
// Validation rules a field can state alone are +k8s: tags on the fields
// (validation-gen turns them into zz_generated.validations.go); the others
// are Go, in pkg/apis/garden/validation.
package v1beta1
