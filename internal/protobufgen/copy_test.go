package protobufgen

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "copy the sources anew from the module in go.mod")

// copied are the non-test files of code-generator's cmd/go-to-protobuf/protobuf.
var copied = []string{"cmd.go", "generator.go", "import_tracker.go", "namer.go", "package.go", "parser.go", "tags.go"}

// TestCopyMatchesModule requires every copied file to be the pinned module's
// file with only its package clause changed, and no upstream file to be missed.
func TestCopyMatchesModule(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/code-generator").Output()
	if err != nil {
		t.Fatalf("go list -m k8s.io/code-generator: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "cmd", "go-to-protobuf", "protobuf")
	upstream, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range upstream {
		if !strings.HasSuffix(f, "_test.go") {
			want = append(want, filepath.Base(f))
		}
	}
	if !sameSet(want, copied) {
		t.Errorf("upstream's files are %v, the copy has %v", want, copied)
	}
	for _, name := range copied {
		orig, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		wantContent := bytes.Replace(orig, []byte("\npackage protobuf\n"), []byte("\npackage protobufgen\n"), 1)
		if bytes.Equal(wantContent, orig) {
			t.Fatalf("%s: upstream has no package protobuf clause", name)
		}
		if *update {
			if err := os.WriteFile(name, wantContent, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, wantContent) {
			t.Errorf("%s differs from %s (beyond the package clause); run go test ./internal/protobufgen -update", name, filepath.Join(src, name))
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, s := range a {
		in[s] = true
	}
	for _, s := range b {
		if !in[s] {
			return false
		}
	}
	return true
}
