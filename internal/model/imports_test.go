package model

import (
	"strings"
	"testing"
)

// TestImportPath: every package templates import is under one of the
// layout's folders, and a misspelled name or a wrong argument count is an
// error (a template then fails to render instead of importing a wrong path).
func TestImportPath(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"group", []string{"insect"}, "example.com/bees/pkg/apis/insect"},
		{"version", []string{"insect", "v1"}, "example.com/bees/pkg/apis/insect/v1"},
		{"registry", []string{"insect", "bee"}, "example.com/bees/pkg/registry/insect/bee"},
		{"clientset-fake", nil, "example.com/bees/pkg/generated/clientset/versioned/fake"},
		{"listers", []string{"insect", "v1"}, "example.com/bees/pkg/generated/listers/insect/v1"},
		{"admission-plugin", []string{"banduplicates"}, "example.com/bees/pkg/admission/banduplicates"},
	} {
		got, err := ImportPath("example.com/bees", c.name, c.args...)
		if err != nil || got != c.want {
			t.Errorf("ImportPath(%s, %v) = %q, %v; want %q", c.name, c.args, got, err, c.want)
		}
	}
	dirs := []string{APIsDir, RegistryDir, GeneratedDir, APIServerDir, APIServerTestDir, ServerCmdDir, RoundTripDir, AdmissionDir, CustomStorageDir}
	for name, p := range packageDirs {
		args := make([]string, p.args)
		for i := range args {
			args[i] = "x"
		}
		got, err := ImportPath("m", name, args...)
		if err != nil {
			t.Fatal(err)
		}
		under := false
		for _, d := range dirs {
			under = under || got == "m/"+d || strings.HasPrefix(got, "m/"+d+"/")
		}
		if !under {
			t.Errorf("%s: %s is under none of the layout's folders", name, got)
		}
	}
	if _, err := ImportPath("m", "groups", "x"); err == nil {
		t.Error("an unknown package name is accepted")
	}
	if _, err := ImportPath("m", "version", "insect"); err == nil {
		t.Error("a wrong argument count is accepted")
	}
}
