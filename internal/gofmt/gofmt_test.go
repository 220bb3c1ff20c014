package gofmt

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimplifyMatchesGOROOT requires simplify.go to be the running Go's
// cmd/gofmt/simplify.go but for the package clause.
func TestSimplifyMatchesGOROOT(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "src", "cmd", "gofmt", "simplify.go"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("simplify.go")
	if err != nil {
		t.Fatal(err)
	}
	if want := bytes.Replace(orig, []byte("\npackage main\n"), []byte("\npackage gofmt\n"), 1); !bytes.Equal(got, want) {
		t.Error("simplify.go differs from GOROOT's cmd/gofmt/simplify.go beyond the package clause")
	}
}

// TestSourceIsGofmtS compares Source with the gofmt binary's -s on code
// that each simplification applies to.
func TestSourceIsGofmtS(t *testing.T) {
	src := "package p\n\ntype T struct{ A int }\n\nvar (\n\tx = []T{T{A: 1}}\n\ty = map[string]*T{\"a\": &T{A: 2}}\n\tz = []int{1, 2}[0:len([]int{1})]\n)\n\nfunc f(s []int, m map[int]int) {\n\tfor _ = range s {\n\t}\n\tfor k, _ := range m {\n\t\t_ = k\n\t}\n\t_ = s[1:len(s)]\n}\n"
	got, err := Source("p.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	gofmt := exec.Command("gofmt", "-s")
	gofmt.Stdin = strings.NewReader(src)
	want, err := gofmt.Output()
	if err != nil {
		t.Fatalf("gofmt -s: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Source:\n%s\ngofmt -s:\n%s", got, want)
	}
	if bytes.Equal(got, []byte(src)) {
		t.Error("nothing was simplified")
	}
}
