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

package fuzzer

import (
	"sigs.k8s.io/randfill"

	"example.com/bees/pkg/apis/metrics"
)

func init() {
	kindFuncs = append(kindFuncs, fuzzNodeUsage)
}

// fuzzNodeUsage fills a NodeUsage randomly, then sets what defaulting would set
// (see withDefaults), so that decoding it again yields the same object. Add
// rules here for fields whose random values are not valid on the wire.
func fuzzNodeUsage(obj *metrics.NodeUsage, c randfill.Continue) {
	c.FillNoCustom(obj)
	withDefaults(obj)
}
