package toolshim

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The command lines go-to-protobuf gives protoc, and what it must refuse.
func TestParseProtocArgs(t *testing.T) {
	p, err := parseProtocArgs([]string{"-I", ".", "-I", "/root", "-I/extra", "--proto_path=/more", "--gogo_out=/root", "/root/example.com/bees/v1/generated.proto"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.importPaths, " ") != ". /root /extra /more" || p.outDir != "/root" || p.parameter != "" || len(p.files) != 1 {
		t.Errorf("parsed %+v", p)
	}
	if p, err := parseProtocArgs([]string{"--gogo_out=plugins=grpc:/out", "a.proto"}); err != nil || p.parameter != "plugins=grpc" || p.outDir != "/out" {
		t.Errorf("--gogo_out with parameters: %+v %v", p, err)
	}
	for _, bad := range [][]string{{"--go_out=/x", "a.proto"}, {"-I"}, {"--gogo_out=/x"}, {"a.proto"}} {
		if _, err := parseProtocArgs(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestVirtualName(t *testing.T) {
	got, err := virtualName("/root/example.com/bees/v1/generated.proto", []string{".", "/root"})
	if err != nil || got != "example.com/bees/v1/generated.proto" {
		t.Errorf("got %q, %v", got, err)
	}
	if got, err := virtualName("a/b.proto", []string{"."}); err != nil || got != "a/b.proto" {
		t.Errorf("relative: %q, %v", got, err)
	}
	if _, err := virtualName("/elsewhere/x.proto", []string{".", "/root"}); err == nil || !strings.Contains(err.Error(), "does not reside within any path") {
		t.Errorf("a file outside the import paths: %v", err)
	}
}

// goimports -w adds a missing standard import and formats; without -w it prints.
func TestGoimports(t *testing.T) {
	f := filepath.Join(t.TempDir(), "x.go")
	if err := os.WriteFile(f, []byte("package x\nfunc F() string { return strings.TrimSpace(\" a \") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runGoimports([]string{f}, &out); err != nil || !strings.Contains(out.String(), "import \"strings\"") {
		t.Fatalf("printed %q, %v", out.String(), err)
	}
	if err := runGoimports([]string{"-w", f}, &out); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(f); !strings.Contains(string(data), "import \"strings\"") {
		t.Errorf("-w did not write the import:\n%s", data)
	}
	if err := runGoimports([]string{"-l", f}, &out); err == nil {
		t.Error("an unsupported flag was accepted")
	}
}
