package project

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// TestPinnedVersionsMatchGoMod keeps the versions scaffolded into projects
// equal to the ones apiserver-boot itself is built and tested with.
func TestPinnedVersionsMatchGoMod(t *testing.T) {
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"k8s.io/apimachinery":   KubernetesVersion,
		"k8s.io/code-generator": KubernetesVersion,
	}
	found := map[string]bool{}
	for _, r := range f.Require {
		if v, ok := want[r.Mod.Path]; ok {
			found[r.Mod.Path] = true
			if r.Mod.Version != v {
				t.Errorf("go.mod requires %s %s, but projects are scaffolded with %s", r.Mod.Path, r.Mod.Version, v)
			}
		}
		if strings.HasPrefix(r.Mod.Path, "k8s.io/") && strings.HasPrefix(r.Mod.Version, "v0.") && !strings.HasPrefix(r.Mod.Version, "v0.0.0-") && r.Mod.Version != KubernetesVersion {
			t.Errorf("go.mod requires %s %s, want %s like every k8s.io library", r.Mod.Path, r.Mod.Version, KubernetesVersion)
		}
	}
	for m := range want {
		if !found[m] {
			t.Errorf("go.mod does not require %s", m)
		}
	}
	if f.Go.Version != GoVersion {
		t.Errorf("go.mod says go %s, projects get go %s", f.Go.Version, GoVersion)
	}
}

// TestLintVersionMatchesBuildScript: the e2e tests lint generated projects
// with the golangci-lint their Makefile runs.
func TestLintVersionMatchesBuildScript(t *testing.T) {
	data, err := os.ReadFile("../../e2e/tools/build.sh")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nGOLANGCI_LINT_VERSION=" + GolangciLintVersion + "\n"; !strings.Contains(string(data), want) {
		t.Errorf("e2e/tools/build.sh does not build golangci-lint %s (want the line %q)", GolangciLintVersion, strings.TrimSpace(want))
	}
}
