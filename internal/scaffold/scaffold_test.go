package scaffold

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

var testTemplates = fstest.MapFS{
	"a.go.tmpl":  {Data: []byte("package {{ .Pkg }}\n\nfunc  A() {}\n")},
	"b.txt.tmpl": {Data: []byte("hello {{ .Pkg }}\n")},
	"bad.tmpl":   {Data: []byte("{{ .Missing }}")},
}

type data struct{ Pkg string }

func renderer() *Renderer {
	return &Renderer{Templates: testTemplates, Boilerplate: "// Copyright"}
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRenderFormatsGoAndAddsHeader(t *testing.T) {
	out, err := renderer().Render(File{Path: "x/a.go", Template: "a.go.tmpl", Data: data{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "// Copyright\n\npackage x\n\nfunc A() {}\n"; string(out) != want {
		t.Fatalf("got %q, want %q", out, want)
	}
	if _, err := renderer().Render(File{Path: "x", Template: "bad.tmpl", Data: data{}}); err == nil {
		t.Fatal("a template using a missing field must fail")
	}
}

func TestIfExistsActions(t *testing.T) {
	r := renderer()
	dir := t.TempDir()
	write(t, dir, "skip.txt", "user content\n")
	write(t, dir, "error.txt", "user content\n")
	write(t, dir, "same.txt", "hello p\n")
	write(t, dir, "regen.txt", "old generated\n")
	write(t, dir, "edited.txt", "edited by user\n")
	previous := map[string][]byte{"regen.txt": []byte("old generated\n"), "edited.txt": []byte("old generated\n")}
	f := func(path string, a IfExists) File {
		return File{Path: path, Template: "b.txt.tmpl", Data: data{"p"}, IfExists: a}
	}

	changes, err := Plan(dir, r, []File{f("new.txt", Error), f("skip.txt", Skip), f("same.txt", Error), f("regen.txt", Overwrite)}, nil, previous, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Action{}
	for _, c := range changes {
		got[c.Path] = c.Action
	}
	want := map[string]Action{"new.txt": Create, "skip.txt": Kept, "same.txt": Unchanged, "regen.txt": Update}
	for p, a := range want {
		if got[p] != a {
			t.Errorf("%s: action %q, want %q", p, got[p], a)
		}
	}

	// A user's file is a conflict for Error and for an edited Overwrite file.
	for _, file := range []File{f("error.txt", Error), f("edited.txt", Overwrite)} {
		_, err := Plan(dir, r, []File{file}, nil, previous, false)
		var conflict *ConflictError
		if !errors.As(err, &conflict) || !strings.Contains(err.Error(), file.Path) || !strings.Contains(err.Error(), "--force") {
			t.Errorf("%s: got %v, want a conflict naming the file and --force", file.Path, err)
		}
		if _, err := Plan(dir, r, []File{file}, nil, previous, true); err != nil {
			t.Errorf("%s with force: %v", file.Path, err)
		}
	}
}

func TestInsertIsIdempotent(t *testing.T) {
	src := []byte("package main\n\nfunc main() {\n\t// +marker\n}\n")
	once, err := Insert("m.go", src, "+marker", []string{"println(1)", "println(2)"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(once), "\tprintln(1)\n\tprintln(2)\n\t// +marker") {
		t.Fatalf("fragments not inserted above the marker with its indentation:\n%s", once)
	}
	twice, err := Insert("m.go", once, "+marker", []string{"println(1)", "println(2)"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(once, twice) {
		t.Fatalf("second insert changed the file:\n%s", twice)
	}
	// The same fragment given twice in one call is inserted once.
	dup, _ := Insert("m.go", src, "+marker", []string{"println(3)", "println(3)"}, "")
	if strings.Count(string(dup), "println(3)") != 1 {
		t.Fatalf("duplicate fragment inserted twice:\n%s", dup)
	}
	if _, err := Insert("m.go", []byte("package main\n"), "+marker", []string{"x"}, ""); err == nil || !strings.Contains(err.Error(), "marker") {
		t.Fatalf("missing marker: got %v", err)
	}
}

func TestPlanWithInsertsIntoPlannedFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "m.go", "package main\n\nfunc main() {\n\t// +marker\n}\n")
	ins := []Insertion{{Path: "m.go", Marker: "+marker", Fragments: []string{"println(1)"}}}
	changes, err := Plan(dir, renderer(), nil, ins, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Action != Update {
		t.Fatalf("changes = %+v, want one update", changes)
	}
	if err := Apply(dir, changes); err != nil {
		t.Fatal(err)
	}
	again, err := Plan(dir, renderer(), nil, ins, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if Pending(again) {
		t.Fatal("re-inserting changed the file")
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	dir := t.TempDir()
	changes, err := Plan(dir, renderer(), []File{{Path: "sub/dir/a.go", Template: "a.go.tmpl", Data: data{"a"}}}, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	Print(&out, changes, true)
	if !strings.Contains(out.String(), "would create sub/dir/a.go") {
		t.Fatalf("dry-run output %q", out.String())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("planning wrote %d entries", len(entries))
	}
}

func TestApplyIsAtomic(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "keep.txt", "original\n")
	// The second change cannot be written: its parent path is a file.
	write(t, dir, "blocker", "a file where a directory is needed\n")
	changes := []Change{
		{Path: "keep.txt", Action: Update, Content: []byte("changed\n")},
		{Path: "new/dir/x.txt", Action: Create, Content: []byte("x\n")},
		{Path: "blocker/y.txt", Action: Create, Content: []byte("y\n")},
	}
	if err := Apply(dir, changes); err == nil {
		t.Fatal("Apply succeeded although a parent is a file")
	}
	if got := read(t, dir, "keep.txt"); got != "original\n" {
		t.Fatalf("keep.txt = %q: a failed Apply changed an existing file", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); !os.IsNotExist(err) {
		t.Fatal("a failed Apply left a directory behind")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("a failed Apply left files behind: %v", entries)
	}
	if err := Apply(dir, changes[:2]); err != nil {
		t.Fatal(err)
	}
	if read(t, dir, "keep.txt") != "changed\n" || read(t, dir, "new/dir/x.txt") != "x\n" {
		t.Fatal("Apply did not write")
	}
}

// TestApplyStaysInsideTheRoot: a path that leads out of the project (from an
// edited PROJECT or a flag) is refused before anything is written.
func TestApplyStaysInsideTheRoot(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "project")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"../escaped.go", "pkg/../../escaped.go", "/tmp/escaped.go"} {
		changes := []Change{
			{Path: "inside.go", Action: Create, Content: []byte("package x\n")},
			{Path: bad, Action: Create, Content: []byte("package x\n")},
		}
		err := Apply(dir, changes)
		if err == nil || !strings.Contains(err.Error(), "outside the project") {
			t.Errorf("%s: Apply = %v, want a refusal", bad, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "inside.go")); !os.IsNotExist(err) {
			t.Errorf("%s: the refused plan wrote inside.go", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(parent, "escaped.go")); !os.IsNotExist(err) {
		t.Error("a file was written outside the project")
	}
}
