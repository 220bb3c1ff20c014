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

package install_test

import (
	encodingjson "encoding/json"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/apitesting/fuzzer"
	"k8s.io/apimachinery/pkg/api/apitesting/roundtrip"
	metafuzzer "k8s.io/apimachinery/pkg/apis/meta/fuzzer"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/diff"

	gardenfuzzer "example.com/bees/pkg/apis/garden/fuzzer"
	"example.com/bees/pkg/apis/garden/install"
)

// TestRoundTripTypes fills every kind of the group with random data and checks
// that converting it to each version and back, through JSON and through YAML,
// loses nothing. A failure names its seed: ROUNDTRIP_SEED=<seed> go test
// reproduces it.
func TestRoundTripTypes(t *testing.T) {
	seed := time.Now().UnixNano()
	if s := os.Getenv("ROUNDTRIP_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("ROUNDTRIP_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (ROUNDTRIP_SEED=%d go test ./pkg/apis/garden/install reproduces this run)", seed, seed)

	scheme := runtime.NewScheme()
	install.Install(scheme)
	codecs := runtimeserializer.NewCodecFactory(scheme)
	f := fuzzer.FuzzerFor(fuzzer.MergeFuzzerFuncs(metafuzzer.Funcs, gardenfuzzer.Funcs), rand.NewSource(seed), codecs)

	t.Run("json", func(t *testing.T) {
		roundtrip.RoundTripTypesWithoutProtobuf(t, scheme, codecs, f, nil)
	})
	t.Run("yaml", func(t *testing.T) {
		yaml := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Yaml: true})
		kinds := 0
		for gvk, goType := range scheme.AllKnownTypes() {
			// The group's own kinds, not the meta types every version registers.
			if gvk.Version != runtime.APIVersionInternal || goType.PkgPath() != "example.com/bees/pkg/apis/garden" {
				continue
			}
			kinds++
			for _, gv := range scheme.PrioritizedVersionsForGroup(gvk.Group) {
				roundTripYAML(t, scheme, codecs, yaml, f, gvk, gv)
			}
		}
		if kinds == 0 {
			t.Fatal("the scheme has no kind of the group")
		}
	})
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
