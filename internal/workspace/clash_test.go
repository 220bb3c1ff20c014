package workspace

import (
	"context"
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// TestKindsClashingWithGoTypes: a kind named like one of another kind's Go
// types in its group (model.KindTypeSuffixes), or whose own types would be
// named like another kind, is refused and writes nothing.
func TestKindsClashingWithGoTypes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := Init(ctx, InitRequest{Dir: dir, Domain: "example.com", Module: "example.com/bees"}, Options{}); err != nil {
		t.Fatal(err)
	}
	add := func(kind string) error {
		w, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.AddKind(ctx, KindRequest{Group: "insect", Version: "v1alpha1", Kind: kind, Namespaced: true}, Options{})
		return err
	}
	if err := add("Bee"); err != nil {
		t.Fatal(err)
	}
	if err := add("CombRecreate"); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	for _, suffix := range model.KindTypeSuffixes {
		if err := add("Bee" + suffix); err == nil || !strings.Contains(err.Error(), "would clash with the Go types of kind Bee") {
			t.Errorf("kind Bee%s: got %v", suffix, err)
		}
	}
	if err := add("Comb"); err == nil || !strings.Contains(err.Error(), "its type CombRecreate would clash with kind CombRecreate") {
		t.Errorf("kind Comb, with a kind CombRecreate: got %v", err)
	}
	if snapshot(t, dir) != before {
		t.Error("a refused create changed the tree")
	}
}
