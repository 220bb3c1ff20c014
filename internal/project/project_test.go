package project

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sample() *Project {
	return &Project{
		Layout: Layout, Domain: "example.com", Module: "example.com/bees", KubernetesVersion: KubernetesVersion,
		License: "apache2", Owner: "The bees Authors",
		Groups: []Group{{
			Name:     "insect",
			Versions: []Version{{Name: "v1alpha1", StorageVersion: true}, {Name: "v1beta1"}},
			Kinds: []Kind{
				{Kind: "Bee", Plural: "bees", Namespaced: true, ShortNames: []string{"bz"}, Categories: []string{"all"}, StatusSubresource: true, Controller: true, Versions: []string{"v1alpha1", "v1beta1"}},
				{Kind: "Hive", Plural: "hives", Versions: []string{"v1alpha1"}},
			},
		}},
	}
}

func TestRoundTrip(t *testing.T) {
	p := sample()
	data, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("round trip changed the project:\n got %+v\nwant %+v", got, p)
	}
	again, _ := got.Marshal()
	if string(again) != string(data) {
		t.Fatal("marshal is not stable")
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(t.TempDir()); err != ErrNotFound {
		t.Fatalf("Load of an empty dir = %v, want ErrNotFound", err)
	}
	for name, tt := range map[string]struct{ content, want string }{
		"unknown field":   {"layout: apiserver-boot.io/v1\ndomain: example.com\nmodule: m.io/x\nbogus: 1\n", "unknown field"},
		"wrong layout":    {"layout: v0\ndomain: example.com\nmodule: m.io/x\n", "unsupported layout"},
		"bad domain":      {"layout: apiserver-boot.io/v1\ndomain: EXAMPLE\nmodule: m.io/x\n", "invalid domain"},
		"unknown version": {"layout: apiserver-boot.io/v1\ndomain: example.com\nmodule: m.io/x\ngroups:\n- name: a\n  versions: [{name: v1, storage: true}]\n  kinds: [{kind: A, plural: as, versions: [v2]}]\n", "does not have"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tt.content))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestMutations(t *testing.T) {
	p := sample()
	c := p.Clone()
	if !c.AddGroup("flower") || c.AddGroup("flower") {
		t.Fatal("AddGroup must add once")
	}
	if !c.AddVersion("flower", "v1") || c.AddVersion("flower", "v1") {
		t.Fatal("AddVersion must add once")
	}
	if c.Group("flower").StorageVersion() != "v1" {
		t.Fatal("the first version must be the storage version")
	}
	c.Groups[1].Kinds[0].ShortNames[0] = "changed"
	if p.Groups[0].Kinds[0].ShortNames[0] != "bz" {
		t.Fatal("Clone shares slices with the original")
	}
	if got := len(p.Group("insect").KindsIn("v1beta1")); got != 1 {
		t.Fatalf("KindsIn(v1beta1) = %d kinds, want 1", got)
	}
	if p.Group("insect").Kind("bee") == nil {
		t.Fatal("Kind lookup must ignore case")
	}
}
