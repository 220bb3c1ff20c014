package codegen

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"k8s.io/gengo/v2/types"
)

// ProtoRootLinks are the symbolic links that make a ProtoRoot for the
// project in dir: its module path and the modules whose .proto files its IDL
// imports, each pointing at its directory (relative link name → target).
func ProtoRootLinks(dir, module string) (map[string]string, error) {
	mods := []string{"k8s.io/api", "k8s.io/apimachinery", "github.com/gogo/protobuf"}
	cmd := exec.Command("go", append([]string{"list", "-m", "-f", "{{.Path}} {{.Dir}}"}, mods...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	listed, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m %s: %v\n%s", strings.Join(mods, " "), err, stderr.String())
	}
	links := map[string]string{module: dir}
	for _, line := range strings.Split(strings.TrimSpace(string(listed)), "\n") {
		mod, modDir, ok := strings.Cut(line, " ")
		if !ok || modDir == "" {
			return nil, fmt.Errorf("go list -m: no directory for %q (run go mod download)", line)
		}
		links[mod] = modDir
		if mod == "github.com/gogo/protobuf" {
			// google/protobuf/descriptor.proto, which gogo.proto imports.
			links["google"] = filepath.Join(modDir, "protobuf", "google")
		}
	}
	return links, nil
}

// LinkProtoRoot makes root a ProtoRoot for the project in dir.
func LinkProtoRoot(root, dir, module string) error {
	links, err := ProtoRootLinks(dir, module)
	if err != nil {
		return err
	}
	for name, target := range links {
		link := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(target, link); err != nil {
			return err
		}
	}
	return nil
}

// checkProtobuf reports, as file:line, each serialized field of the packages
// go-to-protobuf generates for whose type has no protobuf form. Left to the
// generator, such a field either stops it or yields a generated.pb.go that
// does not compile.
func checkProtobuf(dir, module string, u types.Universe, pkgs []string) error {
	var errs TypeErrors
	for _, path := range pkgs {
		pkg, ok := u[path]
		if !ok {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
		for _, name := range sortedTypeNames(pkg) {
			t := pkg.Types[name]
			if t.Kind != types.Struct || protobufOff(t) {
				continue
			}
			for _, m := range t.Members {
				if !serialized(m) || reflect.StructTag(m.Tags).Get("protobuf") == "-" {
					continue
				}
				problem := noProtobufForm(m.Type)
				if problem == "" {
					problem = foreignWithoutMessages(u, module, m.Type)
				}
				if problem != "" {
					errs = append(errs, TypeError{
						Pos:     fieldPosition(filepath.Join(dir, rel), rel, name, m.Name),
						Message: fmt.Sprintf("field %s.%s has no protobuf form: %s", name, m.Name, problem),
					})
				}
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Pos < errs[j].Pos })
	return &protobufErrors{errs}
}

// protobufErrors are fields go-to-protobuf cannot represent.
type protobufErrors struct{ TypeErrors }

func (e *protobufErrors) Error() string {
	return e.under("these fields cannot be sent or stored as protobuf:")
}

// namedListRecipe is how Kubernetes gives a list a protobuf form where one
// cannot be repeated directly (user.Info's ExtraValue).
const namedListRecipe = "give the list a named type, as Kubernetes does for ExtraValue:\n" +
	"      // +protobuf.nullable=true\n" +
	"      // +protobuf.options.(gogoproto.goproto_stringer)=false\n" +
	"      type Values []string\n" +
	"      func (v Values) String() string { return fmt.Sprintf(\"%v\", []string(v)) }"

// noProtobufForm says why a field type has no protobuf form, or "".
func noProtobufForm(t *types.Type) string {
	if t.Kind == types.Pointer {
		t = t.Elem
	}
	switch t.Kind {
	case types.Interface, types.Func, types.Chan, types.Unsupported:
		return fmt.Sprintf("a %s is not data", strings.ToLower(string(t.Kind)))
	case types.Builtin:
		if t.Name.Name == "complex64" || t.Name.Name == "complex128" || t.Name.Name == "uintptr" {
			return t.Name.Name + " has no protobuf type"
		}
	case types.Slice, types.Array:
		if e := unnamed(t.Elem); e.Kind == types.Slice || e.Kind == types.Array {
			if !isBytes(e) {
				return "a list of lists cannot be repeated; " + namedListRecipe
			}
		}
	case types.Map:
		if k := unnamed(t.Key); k.Kind != types.Builtin || k.Name.Name == "float32" || k.Name.Name == "float64" || k.Name.Name == "bool" {
			return "protobuf map keys are strings or integers"
		}
		e := t.Elem
		if e.Kind == types.Map || e.Kind == types.Slice && !isBytes(e) {
			return "a map's values cannot be lists or maps; " + namedListRecipe
		}
		if e.Kind == types.Alias && unnamed(e).Kind == types.Slice && !protobufNullable(e) {
			return fmt.Sprintf("map values of the list type %s need its +protobuf.nullable=true; %s", e.Name.Name, namedListRecipe)
		}
	}
	return ""
}

// isBytes reports a []byte, which protobuf carries as bytes.
func isBytes(t *types.Type) bool {
	return t.Kind == types.Slice && (t.Elem.Name.Name == "byte" || t.Elem.Name.Name == "uint8")
}

// foreignWithoutMessages says why a field's struct type from another module
// has no protobuf form: its package ships no generated.proto for the IDL to
// import (k8s.io/api and apimachinery do; most others do not).
func foreignWithoutMessages(u types.Universe, module string, t *types.Type) string {
	for t.Kind == types.Pointer || t.Kind == types.Slice || t.Kind == types.Array || t.Kind == types.Map {
		t = t.Elem
	}
	pkg := t.Name.Package
	if t.Kind != types.Struct || pkg == "" || pkg == module || strings.HasPrefix(pkg, module+"/") {
		return ""
	}
	if p := u[pkg]; p != nil && p.Dir != "" {
		if _, err := os.Stat(filepath.Join(p.Dir, protoFile)); err == nil {
			return ""
		}
	}
	return fmt.Sprintf("%s.%s comes from a package with no protobuf messages (no %s); use a type of your own in its place", pkg, t.Name.Name, protoFile)
}

// unnamed is t's underlying type.
func unnamed(t *types.Type) *types.Type {
	for t.Kind == types.Alias && t.Underlying != nil {
		t = t.Underlying
	}
	return t
}

func protobufNullable(t *types.Type) bool {
	return hasLine(t.CommentLines, "+protobuf.nullable=true")
}

// protobufOff reports a type marked +protobuf=false.
func protobufOff(t *types.Type) bool { return hasLine(t.CommentLines, "+protobuf=false") }
