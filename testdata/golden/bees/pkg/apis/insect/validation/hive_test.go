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

package validation

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"example.com/bees/pkg/apis/insect"
)

func TestValidateHive(t *testing.T) {
	valid := func() *insect.Hive {
		return &insect.Hive{
			ObjectMeta: metav1.ObjectMeta{Name: "example"},
			Spec:       insect.HiveSpec{Replicas: ptr.To[int32](1)},
		}
	}
	tests := []struct {
		name    string
		mutate  func(*insect.Hive)
		wantErr string
	}{
		{name: "valid", mutate: func(*insect.Hive) {}},
		// The rules of single fields are +k8s: tags on the versioned types,
		// tested through the strategy (TestDeclarativeValidation).
		{name: "invalid name", mutate: func(o *insect.Hive) { o.Name = "Not_Valid" }, wantErr: "metadata.name"},
		{name: "namespace on a cluster-scoped object", mutate: func(o *insect.Hive) { o.Namespace = "default" }, wantErr: "metadata.namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := valid()
			tt.mutate(obj)
			errs := ValidateHive(obj)
			if tt.wantErr == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) == 0 || !strings.Contains(errs.ToAggregate().Error(), tt.wantErr) {
				t.Fatalf("want an error about %s, got %v", tt.wantErr, errs)
			}
		})
	}
}
