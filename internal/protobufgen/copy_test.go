package protobufgen

import (
	"flag"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/upstreamcopy"
)

var update = flag.Bool("update", false, "copy the sources anew from the module in go.mod")

// TestCopyMatchesModule requires every copied file to be the pinned module's
// file with only its package clause changed, and no upstream file to be missed.
func TestCopyMatchesModule(t *testing.T) {
	problems, err := upstreamcopy.Copy{
		Module: "k8s.io/code-generator", Dir: "cmd/go-to-protobuf/protobuf", From: "protobuf", To: "protobufgen",
		Files: []string{"cmd.go", "generator.go", "import_tracker.go", "namer.go", "package.go", "parser.go", "tags.go"},
	}.Check(".", *update)
	if err != nil {
		t.Fatal(err)
	}
	if problems != "" {
		t.Error(problems)
	}
}
