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

package nodeusage

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"example.com/bees/pkg/apis/metrics"
	"example.com/bees/pkg/apis/metrics/install"
)

func newTestStrategy() strategy {
	scheme := runtime.NewScheme()
	install.Install(scheme)
	return NewStrategy(scheme)
}

func newNodeUsage() *metrics.NodeUsage {
	return &metrics.NodeUsage{
		ObjectMeta: metav1.ObjectMeta{Name: "example"},
		Spec:       metrics.NodeUsageSpec{Replicas: ptr.To[int32](1)},
	}
}

func TestStrategyCreate(t *testing.T) {
	s := newTestStrategy()
	ctx := context.Background()
	obj := newNodeUsage()
	s.PrepareForCreate(ctx, obj)
	if obj.Generation != 1 {
		t.Errorf("generation = %d, want 1", obj.Generation)
	}
	if errs := s.Validate(ctx, obj); len(errs) != 0 {
		t.Errorf("valid object rejected: %v", errs)
	}
	obj.Spec.Replicas = ptr.To[int32](-1)
	if errs := s.Validate(ctx, obj); len(errs) == 0 {
		t.Error("negative replicas accepted")
	}
	obj.Spec.Replicas = ptr.To[int32](0)
	if w := s.WarningsOnCreate(ctx, obj); len(w) == 0 {
		t.Error("no warning for zero replicas")
	}
}

func TestStrategyUpdate(t *testing.T) {
	s := newTestStrategy()
	ctx := context.Background()
	old := newNodeUsage()
	old.Generation = 1

	same := old.DeepCopy()
	s.PrepareForUpdate(ctx, same, old)
	if same.Generation != 1 {
		t.Errorf("generation changed without a spec change: %d", same.Generation)
	}

	changed := old.DeepCopy()
	changed.Spec.Description = "changed"
	s.PrepareForUpdate(ctx, changed, old)
	if changed.Generation != 2 {
		t.Errorf("generation = %d after a spec change, want 2", changed.Generation)
	}
}

func TestConvertToTable(t *testing.T) {
	s := newTestStrategy()
	obj := newNodeUsage()
	table, err := s.ConvertToTable(context.Background(), &metrics.NodeUsageList{Items: []metrics.NodeUsage{*obj}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Rows) != 1 || len(table.Rows[0].Cells) != len(table.ColumnDefinitions) {
		t.Fatalf("want one row with a cell per column, got %+v", table)
	}
	if got := table.Rows[0].Cells[1]; got != "1" {
		t.Errorf("replicas cell = %v, want 1", got)
	}
}
