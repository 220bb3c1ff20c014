package docs

import (
	"reflect"
	"sort"
	"strings"

	"k8s.io/gengo/v2/types"
)

// collect documents t and every struct of its package it reaches, in order
// of first use.
func collect(u types.Universe, root *types.Type, kindAnchor string) []*Type {
	var out []*Type
	seen := map[types.Name]bool{}
	queue := []*types.Type{root}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		if seen[t.Name] {
			continue
		}
		seen[t.Name] = true
		doc := &Type{Name: t.Name.Name, Anchor: kindAnchor + "-" + anchor(t.Name.Name), Description: description(t.CommentLines)}
		for _, f := range fields(u, t, root.Name.Package, kindAnchor) {
			doc.Fields = append(doc.Fields, f.Field)
			if f.nested != nil && !seen[f.nested.Name] {
				queue = append(queue, f.nested)
			}
		}
		doc.Fields = withAnchors(doc.Anchor, doc.Fields)
		out = append(out, doc)
	}
	return out
}

type field struct {
	Field
	nested *types.Type // a struct of the same package to document
}

// fields lists the JSON fields of a struct, inlining embedded structs.
func fields(u types.Universe, t *types.Type, pkg, kindAnchor string) []field {
	var out []field
	for _, m := range t.Members {
		tag := reflect.StructTag(m.Tags).Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		mt := m.Type
		if m.Embedded && (name == "" || strings.Contains(opts, "inline")) {
			switch mt.Name.Name {
			case "TypeMeta":
				out = append(out,
					field{Field: Field{Name: "apiVersion", Type: "string", Description: "APIVersion of the object: group/version."}},
					field{Field: Field{Name: "kind", Type: "string", Description: "Kind of the object."}})
			default:
				if under := underlying(mt); under.Kind == types.Struct && !isUpstream(under) {
					out = append(out, fields(u, under, pkg, kindAnchor)...)
					continue
				}
			}
			if name == "" {
				continue
			}
		}
		if name == "" {
			name = m.Name
		}
		markers := markers(m.CommentLines)
		f := field{Field: Field{
			Name:        name,
			Description: description(m.CommentLines),
			Required: markers.has("required") || markers.has("k8s:required") ||
				(!markers.has("optional") && !markers.has("k8s:optional") && !strings.Contains(opts, "omitempty")),
			Default: markers.get("default"),
		}}
		// The constraints column: the declarative validation tags the server
		// enforces (see zz_generated.validations.go).
		for _, k := range []string{"k8s:minimum", "k8s:maximum", "k8s:minLength", "k8s:maxLength", "k8s:maxBytes", "k8s:minItems", "k8s:maxItems", "k8s:format", "k8s:pattern", "k8s:update"} {
			if v := markers.get(k); v != "" {
				f.Validation = append(f.Validation, strings.TrimPrefix(k, "k8s:")+"="+v)
			}
		}
		for _, k := range []string{"k8s:immutable", "k8s:unique"} {
			if markers.has(k) {
				f.Validation = append(f.Validation, strings.TrimPrefix(k, "k8s:"))
			}
		}
		f.Type, f.Link, f.nested = describeType(mt, pkg, kindAnchor)
		if e := enumValues(u, mt); len(e) > 0 {
			f.Enum = e
		}
		out = append(out, f)
	}
	return out
}

// describeType returns how a field's type is shown, the link for it, and the
// struct to document as a nested type.
func describeType(t *types.Type, pkg, kindAnchor string) (string, string, *types.Type) {
	switch t.Kind {
	case types.Pointer:
		return describeType(t.Elem, pkg, kindAnchor)
	case types.Slice, types.Array:
		if t.Elem.Name.Name == "byte" {
			return "string (base64)", "", nil
		}
		s, l, n := describeType(t.Elem, pkg, kindAnchor)
		return "[]" + s, l, n
	case types.Map:
		s, l, n := describeType(t.Elem, pkg, kindAnchor)
		return "map[" + keyName(t.Key) + "]" + s, l, n
	case types.Builtin:
		return builtins[t.Name.Name], "", nil
	}
	full := t.Name.Package + "." + t.Name.Name
	if s, ok := shortTypes[full]; ok {
		return s, upstream[full], nil
	}
	if t.Name.Package == pkg {
		if under := underlying(t); under.Kind == types.Struct {
			return t.Name.Name, "#" + kindAnchor + "-" + anchor(t.Name.Name), t
		}
		return describeNamed(t, pkg, kindAnchor)
	}
	if under := underlying(t); under.Kind != types.Struct {
		return describeNamed(t, pkg, kindAnchor)
	}
	return t.Name.Name, "", nil
}

// describeNamed shows a named non-struct type (e.g. type Mode string) by
// what it is made of.
func describeNamed(t *types.Type, pkg, kindAnchor string) (string, string, *types.Type) {
	under := t.Underlying
	if under == nil || under == t {
		return t.Name.Name, "", nil
	}
	return describeType(under, pkg, kindAnchor)
}

func keyName(t *types.Type) string {
	if s, ok := builtins[t.Name.Name]; ok {
		return strings.Fields(s)[0]
	}
	return t.Name.Name
}

func underlying(t *types.Type) *types.Type {
	for t.Kind == types.Alias && t.Underlying != nil {
		t = t.Underlying
	}
	return t
}

func isUpstream(t *types.Type) bool {
	_, ok := shortTypes[t.Name.Package+"."+t.Name.Name]
	return ok
}

// enumValues lists the constants of a type marked +enum.
func enumValues(u types.Universe, t *types.Type) []string {
	for t.Kind == types.Pointer {
		t = t.Elem
	}
	if m := markers(append(t.SecondClosestCommentLines, t.CommentLines...)); !m.has("enum") && !m.has("k8s:enum") {
		return nil
	}
	var out []string
	for _, c := range u.Package(t.Name.Package).Constants {
		if c.Underlying == t && c.ConstValue != nil {
			out = append(out, *c.ConstValue)
		}
	}
	sort.Strings(out)
	return out
}

type markerSet map[string]string

func (m markerSet) has(k string) bool   { _, ok := m[k]; return ok }
func (m markerSet) get(k string) string { return m[k] }

// markers reads "+name" and "+name=value" comment lines.
func markers(lines []string) markerSet {
	out := markerSet{}
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "+") {
			continue
		}
		k, v, _ := strings.Cut(l[1:], "=")
		out[k] = strings.Trim(v, `"`)
	}
	return out
}

// description joins doc comment lines into prose; marker lines (+k8s:…,
// +optional, …) are not prose and are dropped.
func description(lines []string) string {
	var parts []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "---") {
			continue
		}
		parts = append(parts, l)
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

func withAnchors(typeAnchor string, fs []Field) []Field {
	for i := range fs {
		fs[i].Anchor = typeAnchor + "-" + anchor(fs[i].Name)
	}
	return fs
}

// deprecation reads a type's +k8s:prerelease-lifecycle-gen tags (written by
// `deprecate version`) into the sentence the server's warning says.
func deprecation(t *types.Type) string {
	tags := map[string]string{}
	for _, l := range append(append([]string{}, t.SecondClosestCommentLines...), t.CommentLines...) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "+k8s:prerelease-lifecycle-gen:"); ok {
			name, value, _ := strings.Cut(v, "=")
			tags[name] = value
		}
	}
	if tags["deprecated"] == "" {
		return ""
	}
	s := "Deprecated in v" + tags["deprecated"]
	if r := tags["removed"]; r != "" {
		s += ", unavailable in v" + r
	}
	if r := strings.Split(tags["replacement"], ","); len(r) == 3 {
		s += "; use " + r[0] + "/" + r[1] + " " + r[2]
	}
	return s + "."
}
