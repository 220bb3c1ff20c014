package upgrade

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/merge"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

// project scaffolds a small project, then makes it look as if an older
// release had generated it: for each path of older, both the record and the
// tree get that content (the older template's output).
func scaffoldOlder(t *testing.T, older map[string]func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := workspace.Init(ctx, workspace.InitRequest{Dir: dir, Domain: "example.com", Module: "example.com/bees"}, workspace.Options{}); err != nil {
		t.Fatal(err)
	}
	w, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddKind(ctx, workspace.KindRequest{Group: "insect", Version: "v1alpha1", Kind: "Bee", Namespaced: true, StatusSubresource: true, Controller: true}, workspace.Options{}); err != nil {
		t.Fatal(err)
	}
	for p, edit := range older {
		cur := ""
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			cur = read(t, dir, p)
		}
		write(t, dir, p, edit(cur))
		write(t, dir, model.BaseDir+"/"+p, edit(cur))
	}
	return dir
}

func read(t *testing.T, dir, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, p))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t *testing.T, dir, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// withoutLine drops the first line containing s: the older template lacked it.
func withoutLine(s string) func(string) string {
	return func(content string) string {
		lines := strings.SplitAfter(content, "\n")
		for i, l := range lines {
			if strings.Contains(l, s) {
				return strings.Join(append(lines[:i:i], lines[i+1:]...), "")
			}
		}
		panic("no line with " + s)
	}
}

func outcomes(p *Plan) map[string]Outcome {
	m := map[string]Outcome{}
	for _, f := range p.Files {
		m[f.Path] = f.Outcome
	}
	return m
}

const (
	types   = "pkg/apis/insect/v1alpha1/bee_types.go"
	makef   = "Makefile"
	readme  = "README.md"
	manager = "cmd/manager/main.go"
)

// replaceLine changes the first line containing s to repl.
func replaceLine(s, repl string) func(string) string {
	return func(content string) string {
		lines := strings.SplitAfter(content, "\n")
		for i, l := range lines {
			if strings.Contains(l, s) {
				lines[i] = repl + "\n"
				return strings.Join(lines, "")
			}
		}
		panic("no line with " + s)
	}
}

func treeHash(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			b.WriteString(p + "\x00" + string(data) + "\x00")
		}
		return err
	})
	return b.String()
}

func TestUpgrade(t *testing.T) {
	dir := scaffoldOlder(t, map[string]func(string) string{
		makef:  withoutLine("CGO_ENABLED"),                      // the user does not touch it
		types:  withoutLine("+optional"),                        // the user edits elsewhere in it
		readme: replaceLine("A CRD or an", "## An older title"), // the user edits that very line
		"pkg/apis/insect/v1alpha1/bee_defaults.go": withoutLine("func"),                                 // the user deleted it
		"pkg/apis/insect/v1alpha1/gone.go":         func(string) string { return "package v1alpha1\n" }, // no longer generated
	})
	write(t, dir, types, strings.Replace(read(t, dir, types), "type BeeSpec struct {", "type BeeSpec struct {\n\t// Wings is the user's field.\n\tWings int32 `json:\"wings,omitempty\"`\n", 1))
	write(t, dir, readme, strings.Replace(read(t, dir, readme), "## An older title", "## Our own title", 1))
	managerUser := read(t, dir, manager) + "// a comment of the user's\n"
	write(t, dir, manager, managerUser)
	write(t, dir, "pkg/mine/mine.go", "package mine\n")
	if err := os.Remove(filepath.Join(dir, "pkg/apis/insect/v1alpha1/bee_defaults.go")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// --dry-run writes nothing and reports the conflict.
	before := treeHash(t, dir)
	var out bytes.Buffer
	err := Run(ctx, Options{Dir: dir, DryRun: true, Out: &out, Log: &out})
	if err == nil || !strings.Contains(err.Error(), readme) {
		t.Errorf("dry run: err %v, want the conflict in %s", err, readme)
	}
	if treeHash(t, dir) != before {
		t.Fatal("--dry-run changed the tree")
	}

	p, err := Compute(ctx, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(p)
	for path, want := range map[string]Outcome{
		makef: Replaced, types: Merged, readme: Conflicted,
		"pkg/apis/insect/v1alpha1/bee_defaults.go": KeptGone,
		"pkg/apis/insect/v1alpha1/gone.go":         Deleted,
	} {
		if got[path] != want {
			t.Errorf("%s: %q, want %q", path, got[path], want)
		}
	}
	for _, path := range []string{manager, "pkg/mine/mine.go"} {
		if o, ok := got[path]; ok {
			t.Errorf("%s is the user's and the template did not change it, but the plan has %q", path, o)
		}
	}
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	if s := read(t, dir, types); !strings.Contains(s, "Wings int32") || !strings.Contains(s, "+optional") {
		t.Errorf("merged %s lost a side:\n%s", types, s)
	}
	if s := read(t, dir, makef); !strings.Contains(s, "CGO_ENABLED") {
		t.Errorf("%s did not get the new template", makef)
	}
	if s := read(t, dir, readme); !merge.HasConflicts([]byte(s)) || !strings.Contains(s, "## Our own title") || !strings.Contains(s, "A CRD or an") {
		t.Errorf("%s is not marked with both sides:\n%s", readme, s)
	}
	if read(t, dir, manager) != managerUser || read(t, dir, "pkg/mine/mine.go") != "package mine\n" {
		t.Error("a file of the user's changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "pkg/apis/insect/v1alpha1/gone.go")); !os.IsNotExist(err) {
		t.Error("a file no longer generated and unedited is still there")
	}
	if _, err := os.Stat(filepath.Join(dir, "pkg/apis/insect/v1alpha1/bee_defaults.go")); !os.IsNotExist(err) {
		t.Error("a file the user deleted came back")
	}

	// Until the markers are gone, upgrade fails naming the file, and changes nothing more.
	before = treeHash(t, dir)
	err = Run(ctx, Options{Dir: dir, Out: &out, Log: &out})
	var conflict *ConflictError
	if !errors.As(err, &conflict) || len(conflict.Paths) != 1 || conflict.Paths[0] != readme {
		t.Errorf("second run: %v, want a conflict in %s", err, readme)
	}
	if treeHash(t, dir) != before {
		t.Error("the second run changed the tree")
	}
	// Resolved: nothing left to merge.
	write(t, dir, readme, strings.Replace(read(t, dir, model.BaseDir+"/"+readme), "A CRD or an", "Our own: a CRD or an", 1))
	p, err = Compute(ctx, dir, false)
	if err != nil || len(p.Files) != 0 {
		t.Errorf("after resolving: %v, %+v; want nothing to do", err, p.Files)
	}
}

func TestUpgradeForce(t *testing.T) {
	dir := scaffoldOlder(t, map[string]func(string) string{readme: replaceLine("A CRD or an", "## An older title")})
	write(t, dir, readme, strings.Replace(read(t, dir, readme), "## An older title", "## Our own title", 1)+"Our last line.\n")
	p, err := Compute(context.Background(), dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	s := read(t, dir, readme)
	if merge.HasConflicts([]byte(s)) || strings.Contains(s, "Our own title") || !strings.Contains(s, "A CRD or an") || !strings.HasSuffix(s, "Our last line.\n") {
		t.Errorf("--force: want the template's side of the conflict and the user's other edit:\n%s", s)
	}
}

func TestUpgradeWithoutRecord(t *testing.T) {
	dir := scaffoldOlder(t, nil)
	if err := os.RemoveAll(filepath.Join(dir, ".apiserver-boot")); err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(context.Background(), dir, false); !errors.Is(err, ErrNoBase) {
		t.Errorf("got %v, want ErrNoBase", err)
	}
}

// TestPlanGoMod: the template's requirements move up to its pins and never
// down; indirect requirements at the version the old release's project
// tidied to are dropped (tidy works them out again from the new templates);
// an indirect requirement the user moved, and the user's own, are kept.
func TestPlanGoMod(t *testing.T) {
	dir := t.TempDir()
	ours := `module example.com/bees

go 1.25.0

require (
	example.com/users/own v1.0.0
	k8s.io/api v0.37.0
	k8s.io/apimachinery v0.38.0
)

require (
	github.com/from/oldtemplate/v3 v3.5.0 // indirect
	golang.org/x/net v0.45.0 // indirect
)
`
	theirs := `module example.com/bees

go 1.26

require (
	k8s.io/api v0.37.1
	k8s.io/apimachinery v0.37.1
	k8s.io/klog/v2 v2.140.0
)
`
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(ours), 0o644); err != nil {
		t.Fatal(err)
	}
	derived := map[string]string{
		"github.com/from/oldtemplate/v3": "v3.5.0",  // the old release's
		"golang.org/x/net":               "v0.40.0", // the user raised it
		"k8s.io/api":                     "v0.37.0",
	}
	f, err := planGoMod(dir, []byte(theirs), derived)
	if err != nil {
		t.Fatal(err)
	}
	got := string(f.Content)
	for _, want := range []string{"example.com/users/own v1.0.0", "k8s.io/api v0.37.1", "k8s.io/apimachinery v0.38.0", "golang.org/x/net v0.45.0 // indirect", "go 1.26"} {
		if !strings.Contains(got, want) {
			t.Errorf("go.mod lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "oldtemplate") {
		t.Errorf("the old release's indirect requirement was kept:\n%s", got)
	}
	// A requirement new in the template is a direct one, in the first block
	// as in a fresh scaffold.
	if i, j := strings.Index(got, "k8s.io/klog/v2 v2.140.0\n"), strings.Index(got, "golang.org/x/net"); i < 0 || i > j {
		t.Errorf("k8s.io/klog/v2 is not among the direct requirements:\n%s", got)
	}
}

// TestUpgradeWhenTheOldProjectCannotBeTidied: when the project as the old
// release generated it does not tidy (offline without its modules, say),
// the plan keeps every indirect requirement and says why, instead of failing.
func TestUpgradeWhenTheOldProjectCannotBeTidied(t *testing.T) {
	dir := scaffoldOlder(t, nil)
	record := filepath.Join(dir, model.BaseDir, "go.mod")
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(record, append(data, "\nrequire example.invalid/gone\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	// The project has an indirect requirement (what tidy added, or a CVE
	// pin) and a template requirement below the current pin, so that go.mod
	// is rewritten.
	mod := read(t, dir, "go.mod")
	lowered := strings.Replace(mod, "k8s.io/apimachinery "+project.KubernetesVersion, "k8s.io/apimachinery v0.36.0", 1)
	if lowered == mod {
		t.Fatalf("go.mod does not require k8s.io/apimachinery %s:\n%s", project.KubernetesVersion, mod)
	}
	write(t, dir, "go.mod", lowered+"\nrequire github.com/davecgh/go-spew v1.1.1 // indirect\n")
	p, err := Compute(context.Background(), dir, false)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p.Print(&out, true)
	if len(p.Notes) != 1 || !strings.Contains(out.String(), "note: go.mod keeps every indirect requirement") {
		t.Errorf("no note on the untidied go.mod:\n%s", out.String())
	}
	var planned string
	for _, f := range p.Files {
		if f.Path == "go.mod" {
			planned = string(f.Content)
		}
	}
	if !strings.Contains(planned, "k8s.io/apimachinery "+project.KubernetesVersion) || !strings.Contains(planned, "github.com/davecgh/go-spew v1.1.1 // indirect") {
		t.Errorf("the planned go.mod does not raise the pin and keep the indirect requirement:\n%s", planned)
	}
}

// TestPlanGoModMovesThePin: apiserver-boot's own requirement follows the
// release that upgrades, down as well as up, with its tool directive; a
// development build's replace directive comes and goes with it, and the
// user's other replace directives stay.
func TestPlanGoModMovesThePin(t *testing.T) {
	const mod = "github.com/apiserver-boot/apiserver-boot"
	for _, c := range []struct {
		name, ours, theirs string
		want, unwanted     []string
	}{
		{
			name:     "v0.1.0 had no pin",
			ours:     "module example.com/bees\n\ngo 1.26.0\n\nrequire k8s.io/api v0.37.1\n",
			theirs:   "module example.com/bees\n\ngo 1.26.0\n\ntool " + mod + "/cmd/apiserver-boot\n\nrequire (\n\t" + mod + " v0.2.0\n\tk8s.io/api v0.37.1\n)\n",
			want:     []string{"tool " + mod + "/cmd/apiserver-boot", mod + " v0.2.0"},
			unwanted: []string{"replace"},
		},
		{
			name:     "a release after a development build",
			ours:     "module example.com/bees\n\ngo 1.26.0\n\ntool " + mod + "/cmd/apiserver-boot\n\nrequire (\n\t" + mod + " v0.0.0-00010101000000-000000000000\n\tk8s.io/api v0.37.1\n)\n\nreplace " + mod + " => /src/boot\n\nreplace example.com/mine => ../mine\n",
			theirs:   "module example.com/bees\n\ngo 1.26.0\n\ntool " + mod + "/cmd/apiserver-boot\n\nrequire (\n\t" + mod + " v0.2.0\n\tk8s.io/api v0.37.1\n)\n",
			want:     []string{mod + " v0.2.0", "replace example.com/mine => ../mine"},
			unwanted: []string{"/src/boot", "v0.0.0-00010101000000-000000000000"},
		},
		{
			name:     "a development build after a release",
			ours:     "module example.com/bees\n\ngo 1.26.0\n\ntool " + mod + "/cmd/apiserver-boot\n\nrequire (\n\t" + mod + " v0.3.0\n\tk8s.io/api v0.37.1\n)\n",
			theirs:   "module example.com/bees\n\ngo 1.26.0\n\ntool " + mod + "/cmd/apiserver-boot\n\nrequire (\n\t" + mod + " v0.0.0-00010101000000-000000000000\n\tk8s.io/api v0.37.1\n)\n\nreplace " + mod + " => /src/boot\n",
			want:     []string{mod + " v0.0.0-00010101000000-000000000000", "replace " + mod + " => /src/boot"},
			unwanted: []string{"v0.3.0"},
		},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(c.ours), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := planGoMod(dir, []byte(c.theirs), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := string(f.Content)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: go.mod lacks %q:\n%s", c.name, w, got)
			}
		}
		for _, u := range c.unwanted {
			if strings.Contains(got, u) {
				t.Errorf("%s: go.mod still has %q:\n%s", c.name, u, got)
			}
		}
		if strings.Count(got, "tool ") != 1 {
			t.Errorf("%s: want one tool directive:\n%s", c.name, got)
		}
	}
}

// TestPlanGoModPinLikeAFreshScaffold: a project from before the pin gets
// the tool directive and the replace directive where a fresh scaffold has
// them, with their comments, so an unedited project upgrades to exactly a
// fresh scaffold's go.mod; planned again, nothing changes.
func TestPlanGoModPinLikeAFreshScaffold(t *testing.T) {
	const mod = "github.com/apiserver-boot/apiserver-boot"
	theirs := "module example.com/bees\n\ngo 1.26.0\n\n// `go tool apiserver-boot …` runs the release pinned below.\ntool " + mod + "/cmd/apiserver-boot\n\nrequire (\n\t" + mod + " v0.0.0-00010101000000-000000000000\n\tk8s.io/api v0.37.1\n\tk8s.io/apimachinery v0.37.1\n)\n\n// A development build scaffolded this project.\nreplace " + mod + " => /src/boot\n"
	ours := "module example.com/bees\n\ngo 1.26.0\n\nrequire (\n\tk8s.io/api v0.37.1\n\tk8s.io/apimachinery v0.37.1\n)\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(ours), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := planGoMod(dir, []byte(theirs), nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Content) != theirs {
		t.Fatalf("go.mod after the plan:\n%s\nwant the fresh scaffold's:\n%s", f.Content, theirs)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), f.Content, 0o644); err != nil {
		t.Fatal(err)
	}
	// tidy marks the tool's module indirect; a second plan leaves that be.
	tidied := strings.Replace(theirs, "require (\n\t"+mod+" v0.0.0-00010101000000-000000000000\n\tk8s.io/api v0.37.1\n\tk8s.io/apimachinery v0.37.1\n)\n",
		"require (\n\tk8s.io/api v0.37.1\n\tk8s.io/apimachinery v0.37.1\n)\n\nrequire (\n\t"+mod+" v0.0.0-00010101000000-000000000000 // indirect\n\tgolang.org/x/net v0.45.0 // indirect\n)\n", 1)
	if tidied == theirs {
		t.Fatal("no requirement block to tidy")
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(tidied), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, err := planGoMod(dir, []byte(theirs), nil); err != nil || f != nil {
		var content string
		if f != nil {
			content = string(f.Content)
		}
		t.Fatalf("a second plan changed go.mod (%v):\n%s", err, content)
	}
}
