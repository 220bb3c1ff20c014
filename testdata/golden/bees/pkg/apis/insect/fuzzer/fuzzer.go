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
	"reflect"

	"k8s.io/apimachinery/pkg/runtime"
	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"

	"example.com/bees/pkg/apis/insect/install"
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

// withDefaults sets in obj (an internal object) exactly the fields that
// defaulting in some version would set: decoding fills them in, so random
// data is only a fixed point once they are set. That covers your
// SetDefaults_ functions and the `+default` markers of types you use from
// other modules (a corev1.PodTemplateSpec has many). It compares a
// conversion to each version and back with and without defaulting and takes
// only what defaulting changed, so a conversion that loses a field is still
// caught by the round-trip test.
func withDefaults(obj runtime.Object) {
	for _, gv := range scheme.PrioritizedVersionsAllGroups() {
		plain, defaulted := convertBack(obj, gv, false), convertBack(obj, gv, true)
		if plain == nil || defaulted == nil {
			continue
		}
		mergeChanges(reflect.ValueOf(obj).Elem(), reflect.ValueOf(plain).Elem(), reflect.ValueOf(defaulted).Elem())
	}
}

// convertBack converts obj to gv, defaults it if asked, and converts it back.
func convertBack(obj runtime.Object, gv runtime.GroupVersioner, defaults bool) runtime.Object {
	versioned, err := scheme.ConvertToVersion(obj.DeepCopyObject(), gv)
	if err != nil {
		return nil
	}
	if defaults {
		scheme.Default(versioned)
	}
	back := obj.DeepCopyObject()
	if err := scheme.Convert(versioned, back, nil); err != nil {
		return nil
	}
	return back
}

// mergeChanges sets in dst every part where defaulted differs from plain.
func mergeChanges(dst, plain, defaulted reflect.Value) {
	if reflect.DeepEqual(plain.Interface(), defaulted.Interface()) {
		return
	}
	switch plain.Kind() {
	case reflect.Struct:
		if settable(dst) {
			for i := 0; i < plain.NumField(); i++ {
				mergeChanges(dst.Field(i), plain.Field(i), defaulted.Field(i))
			}
			return
		}
	case reflect.Pointer:
		if !plain.IsNil() && !defaulted.IsNil() && !dst.IsNil() {
			mergeChanges(dst.Elem(), plain.Elem(), defaulted.Elem())
			return
		}
	case reflect.Slice:
		if plain.Len() == defaulted.Len() && dst.Len() == plain.Len() {
			for i := 0; i < plain.Len(); i++ {
				mergeChanges(dst.Index(i), plain.Index(i), defaulted.Index(i))
			}
			return
		}
	case reflect.Map:
		if !dst.IsNil() && plain.Len() == defaulted.Len() {
			for _, k := range plain.MapKeys() {
				d := defaulted.MapIndex(k)
				if !d.IsValid() {
					break
				}
				elem := reflect.New(plain.Type().Elem()).Elem()
				if cur := dst.MapIndex(k); cur.IsValid() {
					elem.Set(cur)
				}
				mergeChanges(elem, plain.MapIndex(k), d)
				dst.SetMapIndex(k, elem)
			}
			return
		}
	}
	dst.Set(defaulted)
}

// settable reports whether every field of a struct can be set one by one
// (a struct with unexported fields, like metav1.Time, is set as a whole).
func settable(v reflect.Value) bool {
	for i := 0; i < v.NumField(); i++ {
		if !v.Field(i).CanSet() {
			return false
		}
	}
	return true
}
