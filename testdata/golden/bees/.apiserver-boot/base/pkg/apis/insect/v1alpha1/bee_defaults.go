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
	"k8s.io/utils/ptr"
)

// SetDefaults_BeeSpec fills in the fields of a BeeSpec the client left
// unset. defaulter-gen finds functions named SetDefaults_<Type> and calls them
// on every Bee the apiserver decodes in this version; add one per type
// that needs defaults. Run `apiserver-boot build generated` after adding one.
func SetDefaults_BeeSpec(obj *BeeSpec) {
	if obj.Replicas == nil {
		obj.Replicas = ptr.To[int32](1)
	}
}
