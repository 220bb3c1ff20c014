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

// Package fuzzer holds the random-object rules of the group's round-trip test.
package fuzzer

import (
	"k8s.io/apimachinery/pkg/runtime"
	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"

	"example.com/bees/pkg/apis/insect/install"
	"example.com/bees/pkg/roundtrip"
)

// kindFuncs collects the fuzzer functions of each kind (see <kind>.go).
var kindFuncs []interface{}

// Funcs returns the custom fuzzer functions of the group's types. The
// round-trip test fills objects randomly, converts them to every version and
// back, and expects them unchanged; a type needs a function here when random
// data is not a fixed point, e.g. a field that defaulting would fill in.
var Funcs = func(codecs runtimeserializer.CodecFactory) []interface{} {
	return kindFuncs
}

// scheme converts and defaults objects of the group for withDefaults.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	install.Install(s)
	return s
}()

// withDefaults makes a random object what decoding it would give (see
// roundtrip.WithDefaults).
func withDefaults(obj runtime.Object) { roundtrip.WithDefaults(scheme, obj) }
