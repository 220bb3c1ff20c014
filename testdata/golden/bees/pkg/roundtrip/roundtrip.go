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

// Package roundtrip holds what the round-trip tests of every API group share
// (pkg/apis/<group>/install/roundtrip_test.go and pkg/apis/<group>/fuzzer):
// the test itself (JSON and YAML, with a seed that replays a failure) and
// making random objects a fixed point of defaulting.
package roundtrip

import (
	encodingjson "encoding/json"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/apitesting/fuzzer"
	apiroundtrip "k8s.io/apimachinery/pkg/api/apitesting/roundtrip"
	metafuzzer "k8s.io/apimachinery/pkg/apis/meta/fuzzer"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/diff"
)

// Test fills every kind of a group (the types of its internal package
// internalPkg, installed by install) with random data, using the group's
// fuzzer functions, and checks that converting it to each version and back,
// through JSON and through YAML, loses nothing. A failure names its seed:
// ROUNDTRIP_SEED=<seed> go test replays it.
func Test(t *testing.T, install func(*runtime.Scheme), funcs fuzzer.FuzzerFuncs, internalPkg string) {
	seed := time.Now().UnixNano()
	if s := os.Getenv("ROUNDTRIP_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("ROUNDTRIP_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (ROUNDTRIP_SEED=%d go test … reproduces this run)", seed, seed)

	scheme := runtime.NewScheme()
	install(scheme)
	codecs := runtimeserializer.NewCodecFactory(scheme)
	f := fuzzer.FuzzerFor(fuzzer.MergeFuzzerFuncs(metafuzzer.Funcs, funcs), rand.NewSource(seed), codecs)

	// JSON and protobuf, each through every version.
	t.Run("json-protobuf", func(t *testing.T) {
		apiroundtrip.RoundTripTypes(t, scheme, codecs, f, nil)
	})
	t.Run("yaml", func(t *testing.T) {
		yaml := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Yaml: true})
		kinds := 0
		for gvk, goType := range scheme.AllKnownTypes() {
			// The group's own kinds, not the meta types every version registers.
			if gvk.Version != runtime.APIVersionInternal || goType.PkgPath() != internalPkg {
				continue
			}
			kinds++
			for _, gv := range scheme.PrioritizedVersionsForGroup(gvk.Group) {
				roundTripYAML(t, scheme, codecs, yaml, f, gvk, gv)
			}
		}
		if kinds == 0 {
			t.Fatalf("the scheme has no kind of package %s", internalPkg)
		}
	})
}

// WithDefaults sets in obj (an internal object of scheme) exactly the fields that
// defaulting in some version would set: decoding fills them in, so random
// data is only a fixed point once they are set. That covers your
// SetDefaults_ functions and the `+default` markers of types you use from
// other modules (a corev1.PodTemplateSpec has many). It compares a
// conversion to each version and back with and without defaulting and takes
// only what defaulting changed, so a conversion that loses a field is still
// caught by the round-trip test.
func WithDefaults(scheme *runtime.Scheme, obj runtime.Object) {
	for _, gv := range scheme.PrioritizedVersionsAllGroups() {
		plain, defaulted := convertBack(scheme, obj, gv, false), convertBack(scheme, obj, gv, true)
		if plain == nil || defaulted == nil {
			continue
		}
		mergeChanges(reflect.ValueOf(obj).Elem(), reflect.ValueOf(plain).Elem(), reflect.ValueOf(defaulted).Elem())
	}
}

// convertBack converts obj to gv, defaults it if asked, and converts it back.
func convertBack(scheme *runtime.Scheme, obj runtime.Object, gv runtime.GroupVersioner, defaults bool) runtime.Object {
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

// roundTripYAML fills an internal object, encodes it as YAML in gv, decodes it
// back to the internal version and requires the two to be equal.
func roundTripYAML(t *testing.T, scheme *runtime.Scheme, codecs runtimeserializer.CodecFactory, yaml runtime.Serializer, f interface{ Fill(any) }, gvk schema.GroupVersionKind, gv schema.GroupVersion) {
	t.Helper()
	obj, err := scheme.New(gvk)
	if err != nil {
		t.Fatal(err)
	}
	f.Fill(obj)
	data, err := runtime.Encode(codecs.EncoderForVersion(yaml, gv), obj)
	if err != nil {
		t.Fatalf("%s as YAML in %s: %v", gvk.Kind, gv, err)
	}
	back, err := runtime.Decode(codecs.UniversalDecoder(), data)
	if err != nil {
		t.Fatalf("decoding %s from YAML in %s: %v\n%s", gvk.Kind, gv, err, data)
	}
	// Compared as JSON documents: YAML keeps what an object means, not the
	// bytes of its embedded raw objects (runtime.RawExtension).
	if sent, received := asJSON(t, codecs, gv, obj), asJSON(t, codecs, gv, back); !reflect.DeepEqual(sent, received) {
		t.Errorf("%s changed in a YAML round trip through %s (- sent, + received):\n%s", gvk.Kind, gv, diff.Diff(sent, received))
	}
}

// asJSON is obj in version gv as a generic JSON document.
func asJSON(t *testing.T, codecs runtimeserializer.CodecFactory, gv schema.GroupVersion, obj runtime.Object) map[string]any {
	t.Helper()
	data, err := runtime.Encode(codecs.LegacyCodec(gv), obj)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := encodingjson.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}
