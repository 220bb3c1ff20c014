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

package hive

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/utils/ptr"

	"example.com/bees/pkg/apis/insect"
	"example.com/bees/pkg/apis/insect/install"
)

func newTestStrategy() strategy {
	scheme := runtime.NewScheme()
	install.Install(scheme)
	return NewStrategy(scheme)
}

func newHive() *insect.Hive {
	return &insect.Hive{
		ObjectMeta: metav1.ObjectMeta{Name: "example"},
		Spec:       insect.HiveSpec{Replicas: ptr.To[int32](1)},
	}
}

func TestStrategyCreate(t *testing.T) {
	s := newTestStrategy()
	ctx := context.Background()
	obj := newHive()
	s.PrepareForCreate(ctx, obj)
	if obj.Generation != 1 {
		t.Errorf("generation = %d, want 1", obj.Generation)
	}

	withStatus := newHive()
	withStatus.Status.ObservedGeneration = 7
	newMainStrategy(s).PrepareForCreate(ctx, withStatus)
	if withStatus.Status.ObservedGeneration != 0 || withStatus.Generation != 1 {
		t.Errorf("a create through the main resource kept the status or lost the generation: %+v", withStatus)
	}
	if errs := s.Validate(ctx, obj); len(errs) != 0 {
		t.Errorf("valid object rejected: %v", errs)
	}
	obj.Spec.Replicas = ptr.To[int32](0)
	if w := s.WarningsOnCreate(ctx, obj); len(w) == 0 {
		t.Error("no warning for zero replicas")
	}
}

func TestStrategyUpdate(t *testing.T) {
	s := newTestStrategy()
	ctx := context.Background()
	old := newHive()
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

	status := old.DeepCopy()
	status.Spec.Description = "ignored"
	status.Status.ObservedGeneration = 1
	newStatusStrategy(s).PrepareForUpdate(ctx, status, old)
	if status.Spec.Description != "" || status.Status.ObservedGeneration != 1 {
		t.Errorf("status update changed the spec or lost the status: %+v", status)
	}

	main := old.DeepCopy()
	main.Spec.Description = "changed"
	main.Status.ObservedGeneration = 5
	newMainStrategy(s).PrepareForUpdate(ctx, main, old)
	if main.Status.ObservedGeneration != 0 || main.Generation != 2 {
		t.Errorf("an update through the main resource changed the status or missed the spec change: %+v", main)
	}
}

// requestContext is what the apiserver gives the strategy: the declarative
// rules that run are those of the version the client used.
func requestContext() context.Context {
	ctx := genericapirequest.WithRequestInfo(context.Background(), &genericapirequest.RequestInfo{
		APIGroup: insect.GroupName, APIVersion: "v1alpha1", Resource: "hives",
	})
	return genericapirequest.WithNamespace(ctx, metav1.NamespaceNone)
}

// TestDeclarativeValidation runs the +k8s: tags of the types through the
// strategy as the registry does: every error of an object at once, in
// kube-apiserver's words, and update ratcheting.
func TestDeclarativeValidation(t *testing.T) {
	s := newTestStrategy()
	// The registry fills the UID and creation time before BeforeCreate.
	newHive := func() *insect.Hive {
		obj := newHive()
		rest.FillObjectMetaSystemFields(obj)
		return obj
	}
	valid := newHive()
	if err := rest.BeforeCreate(s, requestContext(), valid); err != nil {
		t.Fatalf("valid object rejected: %v", err)
	}

	invalid := newHive()
	invalid.Spec.Replicas = ptr.To[int32](-1)
	invalid.Spec.Description = strings.Repeat("x", 257)
	invalid.Spec.UpdatePolicy = "Sometimes"
	invalid.Spec.Owner = "Storage_Team"
	err := rest.BeforeCreate(s, requestContext(), invalid)
	for _, want := range []string{
		"spec.replicas: Invalid value: -1: must be greater than or equal to 0",
		"spec.description: Too long: may not be more than 256 characters",
		`spec.updatePolicy: Unsupported value: "Sometimes": supported values: "Recreate", "RollingUpdate"`,
		`spec.owner: Invalid value: "Storage_Team": a lowercase RFC 1123 label must consist of`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("create of an invalid object: want %q, got %v", want, err)
		}
	}

	// Ratcheting: an object stored before a rule existed (here: with -1
	// replicas) can still be updated elsewhere; changing the field itself
	// must meet the rule.
	stored := newHive()
	stored.Spec.Replicas = ptr.To[int32](-1)
	stored.ResourceVersion = "1"
	labelled := stored.DeepCopy()
	labelled.Labels = map[string]string{"team": "a"}
	if err := rest.BeforeUpdate(s, requestContext(), labelled, stored); err != nil {
		t.Errorf("an update that leaves the invalid field alone was refused: %v", err)
	}
	changed := stored.DeepCopy()
	changed.Spec.Replicas = ptr.To[int32](-2)
	if err := rest.BeforeUpdate(s, requestContext(), changed, stored); err == nil || !strings.Contains(err.Error(), "spec.replicas") {
		t.Errorf("an update to -2 replicas: want a spec.replicas error, got %v", err)
	}
}

func TestConvertToTable(t *testing.T) {
	s := newTestStrategy()
	obj := newHive()
	table, err := s.ConvertToTable(context.Background(), &insect.HiveList{Items: []insect.Hive{*obj}}, nil)
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
