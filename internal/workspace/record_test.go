package workspace

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// A project whose record another release wrote (here: a template line that
// differs) is not extended by this one: create says to upgrade first and
// writes nothing.
func TestCreateAsksForUpgradeOnAnotherReleasesProject(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := Init(ctx, InitRequest{Dir: dir, Domain: "example.com", Module: "example.com/bees"}, Options{}); err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(dir, model.BaseDir, "Makefile")
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(record, append(data, []byte("# an older template's line\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.AddKind(ctx, KindRequest{Group: "insect", Version: "v1alpha1", Kind: "Bee", Namespaced: true}, Options{})
	if err == nil || !strings.Contains(err.Error(), "run `apiserver-boot upgrade` first") || !strings.Contains(err.Error(), "Makefile") {
		t.Fatalf("create on another release's project: %v", err)
	}
	if snapshot(t, dir) != before {
		t.Fatal("the refused create changed the tree")
	}
	if err := w.CheckRecord(); err == nil {
		t.Fatal("CheckRecord passed")
	}
}

func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		b.WriteString(p + "\x00" + string(data) + "\x00")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
