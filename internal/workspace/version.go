package workspace

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/layout"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// Rename renames a field of a kind's spec or status in a new version:
// Bee.spec.description=summary. PROJECT records it on the version.
type Rename = project.FieldRename

// ParseRename parses KIND.spec|status.FIELD=NEWFIELD.
func ParseRename(s string) (Rename, error) {
	left, to, ok := strings.Cut(s, "=")
	parts := strings.Split(left, ".")
	if !ok || len(parts) != 3 || (parts[1] != "spec" && parts[1] != "status") || to == "" || parts[2] == "" {
		return Rename{}, fmt.Errorf("invalid --rename-field %q: want KIND.spec.FIELD=NEWNAME, e.g. Bee.spec.description=summary", s)
	}
	if !isLowerCamel(to) {
		return Rename{}, fmt.Errorf("invalid --rename-field %q: %q is not a lowerCamelCase JSON field name", s, to)
	}
	return Rename{Kind: parts[0], Struct: strings.ToUpper(parts[1][:1]) + parts[1][1:], From: parts[2], To: to}, nil
}

func isLowerCamel(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// AddVersionToGroup adds a version to an existing group and to every kind of
// it: each kind's versioned types and defaults are copied from the group's
// most preferred version (so the new version starts with the same fields),
// with the given fields renamed and a manual conversion for each rename.
// With storage, objects are stored in the new version from then on.
func (w *Workspace) AddVersionToGroup(group, version string, storage bool, renames []Rename, opts Options) ([]scaffold.Change, error) {
	g := w.Project.Group(group)
	if g == nil {
		return nil, fmt.Errorf("group %s does not exist: create it with `create group version`", group)
	}
	if err := names.ValidateVersion(version); err != nil {
		return nil, err
	}
	if g.Version(version) != nil {
		return nil, fmt.Errorf("version %s of group %s already exists", version, w.Project.FullGroup(g))
	}
	source := ""
	if vs := g.VersionsByPriority(); len(vs) > 0 {
		source = vs[0]
	}
	for _, r := range renames {
		if g.Kind(r.Kind) == nil {
			return nil, fmt.Errorf("--rename-field: kind %s is not in group %s", r.Kind, w.Project.FullGroup(g))
		}
	}

	next := w.Project.Clone()
	next.AddVersion(group, version)
	ng := next.Group(group)
	if storage {
		for i := range ng.Versions {
			ng.Versions[i].StorageVersion = ng.Versions[i].Name == version
		}
	}
	if source != "" && len(ng.Kinds) > 0 {
		nver := &ng.Versions[len(ng.Versions)-1]
		nver.From = source
		for _, r := range renames {
			r.Kind = ng.Kind(r.Kind).Kind // as PROJECT spells it
			nver.Renames = append(nver.Renames, r)
		}
	}
	m := model.New(next)
	nv := m.Group(group).Version(version)
	files := layout.Version(nv)
	for _, k := range m.Group(group).Kinds {
		if !contains(k.Spec.Versions, source) {
			continue
		}
		k.Spec.Versions = append(k.Spec.Versions, version)
		var kindRenames []Rename
		for _, r := range renames {
			if strings.EqualFold(r.Kind, k.Name) {
				r.Kind = k.Name
				kindRenames = append(kindRenames, r)
			}
		}
		for _, suffix := range []string{"_types.go", "_defaults.go"} {
			rel := k.VersionFile(source, suffix)
			src, err := os.ReadFile(filepath.Join(w.Dir, rel))
			if err != nil {
				return nil, fmt.Errorf("copying %s to %s: %w", rel, version, err)
			}
			var rn []Rename
			if suffix == "_types.go" {
				rn = kindRenames
			}
			out, err := copyToVersion(rel, src, version, rn)
			if err != nil {
				return nil, err
			}
			files = append(files, scaffold.File{Path: k.VersionFile(version, suffix), Content: out})
		}
		if len(kindRenames) > 0 {
			files = append(files, layout.Conversion(k, nv, toLayoutRenames(kindRenames))...)
		}
	}
	return w.apply(next, files, nil, opts)
}

func toLayoutRenames(rs []Rename) []layout.Rename {
	var out []layout.Rename
	for _, r := range rs {
		out = append(out, layout.Rename{Struct: r.Struct, FromGo: goName(r.From), ToGo: goName(r.To)})
	}
	return out
}

func goName(jsonName string) string { return strings.ToUpper(jsonName[:1]) + jsonName[1:] }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// copyToVersion rewrites a versioned Go file for another version: the
// package clause, and the renamed fields (Go name and JSON tag).
func copyToVersion(path string, src []byte, version string, renames []Rename) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	f.Name.Name = version
	for _, r := range renames {
		if err := renameField(f, r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	var b bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// findStruct returns the struct type declared as name in f, or nil.
func findStruct(f *ast.File, name string) *ast.StructType {
	var st *ast.StructType
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == name {
			st, _ = ts.Type.(*ast.StructType)
		}
		return st == nil
	})
	return st
}

// protobufRenamed is a protobuf struct tag ("bytes,2,opt,name=description")
// with its name option set to name.
func protobufRenamed(tag, name string) string {
	parts := strings.Split(tag, ",")
	for i, p := range parts {
		if strings.HasPrefix(p, "name=") {
			parts[i] = "name=" + name
		}
	}
	return strings.Join(parts, ",")
}

func renameField(f *ast.File, r Rename) error {
	structName := r.Kind + r.Struct
	found := false
	if st := findStruct(f, structName); st != nil {
		for _, field := range st.Fields.List {
			if field.Tag == nil || len(field.Names) != 1 {
				continue
			}
			tag, _ := strconv.Unquote(field.Tag.Value)
			jsonName, opts, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
			if jsonName != r.From {
				continue
			}
			newJSON := r.To
			if opts != "" {
				newJSON += "," + opts
			}
			tag = strings.Replace(tag, `json:"`+reflect.StructTag(tag).Get("json")+`"`, `json:"`+newJSON+`"`, 1)
			// The protobuf field keeps its number, under the new name.
			if pb := reflect.StructTag(tag).Get("protobuf"); pb != "" {
				tag = strings.Replace(tag, `protobuf:"`+pb+`"`, `protobuf:"`+protobufRenamed(pb, r.To)+`"`, 1)
			}
			field.Tag.Value = "`" + tag + "`"
			field.Names[0].Name = goName(r.To)
			found = true
		}
	}
	if !found {
		return fmt.Errorf("--rename-field: %s has no field with JSON name %q", structName, r.From)
	}
	return nil
}
