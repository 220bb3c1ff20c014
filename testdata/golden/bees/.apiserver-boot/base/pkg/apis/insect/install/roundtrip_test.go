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
	"testing"

	insectfuzzer "example.com/bees/pkg/apis/insect/fuzzer"
	"example.com/bees/pkg/apis/insect/install"
	"example.com/bees/pkg/roundtrip"
)

// TestRoundTripTypes fills every kind of the group with random data and checks
// that converting it to each version and back, through JSON and through YAML,
// loses nothing. A failure names its seed: ROUNDTRIP_SEED=<seed> go test
// ./pkg/apis/insect/install replays it. Rules for random values are in
// ../fuzzer.
func TestRoundTripTypes(t *testing.T) {
	roundtrip.Test(t, install.Install, insectfuzzer.Funcs, "example.com/bees/pkg/apis/insect")
}
