package migrate

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

func bees() *model.Project {
	return model.New(&project.Project{
		Layout: project.Layout, Domain: "example.com", Module: "example.com/bees",
		Groups: []project.Group{{
			Name:     "insect",
			Versions: []project.Version{{Name: "v1alpha1"}, {Name: "v1", StorageVersion: true}},
			Kinds: []project.Kind{
				{Kind: "Bee", Plural: "bees", Namespaced: true, Versions: []string{"v1alpha1", "v1"}},
				{Kind: "Sighting", Plural: "sightings", Namespaced: true, Versions: []string{"v1alpha1", "v1"}, Store: project.StoreCustom},
			},
		}},
	})
}

// TestTargets: kinds of the generic registry, in the storage version; a
// custom store is left out; unknown names are refused.
func TestTargets(t *testing.T) {
	got, err := Targets(bees(), "", nil)
	if err != nil || len(got) != 1 || got[0].Resource != (schema.GroupVersionResource{Group: "insect.example.com", Version: "v1", Resource: "bees"}) || got[0].StorageVersion != "v1" {
		t.Fatalf("targets %+v, %v", got, err)
	}
	for _, c := range []struct {
		group string
		kinds []string
		want  string
	}{
		{"reptile", nil, "group reptile does not exist"},
		{"", []string{"Wasp"}, "kind Wasp does not exist"},
		{"", []string{"Sighting"}, "custom store"},
	} {
		if _, err := Targets(bees(), c.group, c.kinds); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("group %q kinds %v: %v, want %q", c.group, c.kinds, err, c.want)
		}
	}
}

// TestCounts: every listed object is updated with itself; a conflict (a
// newer write) counts as migrated by that write, a deletion as gone, any
// other refusal as failed with its message.
func TestCounts(t *testing.T) {
	gvr := schema.GroupVersionResource{Group: "insect.example.com", Version: "v1", Resource: "bees"}
	var objs []runtime.Object
	for _, name := range []string{"plain", "raced", "deleted", "refused"} {
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "insect.example.com/v1", "kind": "Bee",
			"metadata": map[string]any{"name": name, "namespace": "default", "resourceVersion": "7"},
		}})
	}
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{gvr: "BeeList"}, objs...)
	var updated []string
	client.PrependReactor("update", "bees", func(a clienttesting.Action) (bool, runtime.Object, error) {
		obj := a.(clienttesting.UpdateAction).GetObject().(*unstructured.Unstructured)
		updated = append(updated, obj.GetName()+"@"+obj.GetResourceVersion())
		gr := gvr.GroupResource()
		switch obj.GetName() {
		case "raced":
			return true, nil, apierrors.NewConflict(gr, obj.GetName(), nil)
		case "deleted":
			return true, nil, apierrors.NewNotFound(gr, obj.GetName())
		case "refused":
			return true, nil, apierrors.NewForbidden(gr, obj.GetName(), nil)
		}
		return true, obj, nil
	})
	counts, err := Run(context.Background(), Options{Client: client, Kinds: []Target{{Resource: gvr, Kind: "Bee", StorageVersion: "v1"}}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := counts[0]
	if c.Listed != 4 || c.Rewritten != 1 || c.Concurrent != 1 || c.Gone != 1 || c.Failed != 1 || !strings.Contains(c.FirstFail, "forbidden") {
		t.Errorf("counts %+v", c)
	}
	for _, u := range updated {
		if !strings.HasSuffix(u, "@7") {
			t.Errorf("update %s not at the listed resourceVersion: a newer write could be rolled back", u)
		}
	}
}
