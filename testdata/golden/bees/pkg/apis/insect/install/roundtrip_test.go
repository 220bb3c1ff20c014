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
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/apitesting/fuzzer"
	apiroundtrip "k8s.io/apimachinery/pkg/api/apitesting/roundtrip"
	metafuzzer "k8s.io/apimachinery/pkg/apis/meta/fuzzer"
	"k8s.io/apimachinery/pkg/runtime"
	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"

	insectfuzzer "example.com/bees/pkg/apis/insect/fuzzer"
	"example.com/bees/pkg/apis/insect/install"
	"example.com/bees/pkg/roundtrip"
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
	t.Logf("seed %d (ROUNDTRIP_SEED=%d go test ./pkg/apis/insect/install reproduces this run)", seed, seed)

	scheme := runtime.NewScheme()
	install.Install(scheme)
	codecs := runtimeserializer.NewCodecFactory(scheme)
	f := fuzzer.FuzzerFor(fuzzer.MergeFuzzerFuncs(metafuzzer.Funcs, insectfuzzer.Funcs), rand.NewSource(seed), codecs)

	t.Run("json", func(t *testing.T) {
		apiroundtrip.RoundTripTypesWithoutProtobuf(t, scheme, codecs, f, nil)
	})
	t.Run("yaml", func(t *testing.T) {
		yaml := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Yaml: true})
		kinds := 0
		for gvk, goType := range scheme.AllKnownTypes() {
			// The group's own kinds, not the meta types every version registers.
			if gvk.Version != runtime.APIVersionInternal || goType.PkgPath() != "example.com/bees/pkg/apis/insect" {
				continue
			}
			kinds++
			for _, gv := range scheme.PrioritizedVersionsForGroup(gvk.Group) {
				roundtrip.YAML(t, scheme, codecs, yaml, f, gvk, gv)
			}
		}
		if kinds == 0 {
			t.Fatal("the scheme has no kind of the group")
		}
	})
}
