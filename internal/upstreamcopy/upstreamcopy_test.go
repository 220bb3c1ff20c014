package upstreamcopy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheck: -update writes a faithful copy, which then passes; an edited
// file and a missed upstream file are each reported.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	c := Copy{Module: "k8s.io/code-generator", Dir: "cmd/go-to-protobuf/protobuf", From: "protobuf", To: "copied",
		Files: []string{"cmd.go", "generator.go", "import_tracker.go", "namer.go", "package.go", "parser.go", "tags.go"}}
	if problems, err := c.Check(dir, true); err != nil || problems != "" {
		t.Fatalf("update: %q, %v", problems, err)
	}
	if problems, err := c.Check(dir, false); err != nil || problems != "" {
		t.Fatalf("a fresh copy: %q, %v", problems, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "tags.go"))
	if err != nil || !strings.Contains(string(data), "\npackage copied\n") {
		t.Fatalf("tags.go: %v\n%s", err, data)
	}
	if err := os.WriteFile(filepath.Join(dir, "tags.go"), append(data, "// edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Files = c.Files[1:] // cmd.go missed
	problems, err := c.Check(dir, false)
	if err != nil || !strings.Contains(problems, "tags.go differs") || !strings.Contains(problems, "upstream's files are") {
		t.Fatalf("an edited and a missed file: %q, %v", problems, err)
	}
}
