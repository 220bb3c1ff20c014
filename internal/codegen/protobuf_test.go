package codegen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/gengo/v2/types"
)

// TestForeignWithoutMessages: a struct from another module's package is
// protobuf-ready only when that package ships generated.proto.
func TestForeignWithoutMessages(t *testing.T) {
	withProto, without := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(withProto, protoFile), []byte("syntax = \"proto2\";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u := types.Universe{
		"k8s.io/api/core/v1":   &types.Package{Path: "k8s.io/api/core/v1", Dir: withProto},
		"example.org/gateway":  &types.Package{Path: "example.org/gateway", Dir: without},
		"example.com/bees/pkg": &types.Package{Path: "example.com/bees/pkg", Dir: without},
	}
	strct := func(pkg, name string) *types.Type {
		return &types.Type{Name: types.Name{Package: pkg, Name: name}, Kind: types.Struct}
	}
	for _, c := range []struct {
		typ  *types.Type
		want string
	}{
		{strct("k8s.io/api/core/v1", "ResourceRequirements"), ""},
		{strct("example.com/bees/pkg", "Placement"), ""}, // the project's own: generated for
		{&types.Type{Kind: types.Slice, Elem: strct("example.org/gateway", "Route")}, "example.org/gateway.Route comes from a package with no protobuf messages"},
		{&types.Type{Kind: types.Pointer, Elem: strct("example.org/unloaded", "Thing")}, "example.org/unloaded.Thing comes from a package with no protobuf messages"},
		{types.String, ""},
	} {
		got := foreignWithoutMessages(u, "example.com/bees", c.typ)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%v: got %q, want %q", c.typ, got, c.want)
		}
	}
}
