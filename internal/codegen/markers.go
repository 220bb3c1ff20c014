package codegen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"k8s.io/gengo/v2/types"
)

// derivedMarker is a comment line apiserver-boot adds, for one generator, to a
// field of the project's types: what that generator needs and the user should
// not have to write. The upstream comparison writes the same lines into a copy
// of the sources (see addToSource), so the output is still upstream's.
type derivedMarker struct {
	Package, Type, Member string // Member "" for the type's own comment
	Line                  string // without the leading "//"
}

// Fields whose type validation-gen cannot descend into (metav1's, k8s.io/api's,
// any package it does not generate for) must say +k8s:opaqueType, or it stops
// with "type … is in a non-included package". Their rules are not the
// project's: metadata is validated by the registry, and k8s.io/api's
// declarative rules are generated in k8s.io/kubernetes, out of reach.
const (
	opaqueField = " +k8s:opaqueType"
	opaqueItems = " +k8s:eachVal=+k8s:opaqueType"
)

// validationMarkers returns the lines validation-gen needs on the fields of the
// struct types of pkgs, given the packages it reads (inputs and read-only
// ones): +k8s:opaqueType where it cannot descend, +k8s:optional (or required)
// where a field with rules says +optional (or +required).
func validationMarkers(u types.Universe, pkgs, included []string) []derivedMarker {
	foreign := func(t *types.Type) bool {
		if t.Kind == types.Pointer {
			t = t.Elem
		}
		return t.Name.Package != "" && !slices.Contains(included, t.Name.Package)
	}
	var out []derivedMarker
	for _, path := range pkgs {
		pkg := u[path]
		if pkg == nil {
			continue
		}
		for _, t := range pkg.Types {
			if t.Kind != types.Struct {
				continue
			}
			for _, m := range t.Members {
				// validation-gen wants +k8s:optional or +k8s:required on a field
				// with rules; the field's +optional or +required says which.
				if needsRequiredness(m, included) && !hasAnyLine(m.CommentLines, "+k8s:optional", "+k8s:required", "+k8s:forbidden") {
					switch {
					case hasLine(m.CommentLines, "+optional"):
						out = append(out, derivedMarker{Package: path, Type: t.Name.Name, Member: m.Name, Line: " +k8s:optional"})
					case hasLine(m.CommentLines, "+required"):
						out = append(out, derivedMarker{Package: path, Type: t.Name.Name, Member: m.Name, Line: " +k8s:required"})
					}
				}
				if hasLine(m.CommentLines, "+k8s:opaqueType") || hasLine(m.CommentLines, "+k8s:eachVal=+k8s:opaqueType") {
					continue
				}
				line := ""
				switch {
				case foreign(m.Type):
					line = opaqueField
				case m.Type.Name.Package == "" && (m.Type.Kind == types.Slice || m.Type.Kind == types.Map) && foreign(m.Type.Elem):
					line = opaqueItems
				default:
					continue
				}
				out = append(out, derivedMarker{Package: path, Type: t.Name.Name, Member: m.Name, Line: line})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Package+"."+a.Type+"."+a.Member < b.Package+"."+b.Type+"."+b.Member
	})
	return out
}

// needsRequiredness reports what validation-gen's lint asks +k8s:optional or
// +k8s:required of: a field, other than a struct value, with rules of its own
// or through its type (an enum, a list of structs with rules, …).
func needsRequiredness(m types.Member, included []string) bool {
	t := m.Type
	for t.Kind == types.Alias {
		t = t.Underlying
	}
	if t.Kind == types.Struct {
		return false
	}
	return hasK8sTag(m.CommentLines) || hasValidation(m.Type, included, map[*types.Type]bool{})
}

// hasValidation reports whether values of t carry validation-gen rules:
// tags on t (or on what it points to or holds), or on the fields of a struct.
// Types of packages validation-gen does not read have none (they are opaque).
func hasValidation(t *types.Type, included []string, seen map[*types.Type]bool) bool {
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	if t.Name.Package != "" && !slices.Contains(included, t.Name.Package) {
		return false
	}
	if hasK8sTag(t.CommentLines) {
		return true
	}
	switch t.Kind {
	case types.Pointer, types.Slice, types.Array, types.Map:
		return hasValidation(t.Elem, included, seen)
	case types.Alias:
		return hasValidation(t.Underlying, included, seen)
	case types.Struct:
		for _, m := range t.Members {
			if hasK8sTag(m.CommentLines) || hasValidation(m.Type, included, seen) {
				return true
			}
		}
	}
	return false
}

func hasAnyLine(lines []string, want ...string) bool {
	for _, w := range want {
		if hasLine(lines, w) {
			return true
		}
	}
	return false
}

// hasK8sTag reports whether comments hold a validation-gen rule (+k8s:… but
// not the openapi-gen markers +k8s:validation:…, other generators' tags, or
// +k8s:opaqueType, which adds none: as validation-gen's lint counts them).
func hasK8sTag(lines []string) bool {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "+k8s:") && !strings.HasPrefix(l, "+k8s:validation:") && !strings.HasPrefix(l, "+k8s:openapi-gen") &&
			!strings.HasPrefix(l, "+k8s:deepcopy-gen") && !strings.HasPrefix(l, "+k8s:conversion-gen") && !opaqueLine(l) {
			return true
		}
	}
	return false
}

// opaqueLine reports whether a tag line only marks a value opaque.
func opaqueLine(l string) bool {
	switch l {
	case strings.TrimSpace(opaqueField), strings.TrimSpace(opaqueItems), "+k8s:eachKey=+k8s:opaqueType":
		return true
	}
	return false
}

func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

// addMarkers appends the markers to their members' comments in u and returns
// what puts them back.
func addMarkers(u types.Universe, markers []derivedMarker) (restore func()) {
	type saved struct {
		m     *types.Member
		lines []string
	}
	var undo []saved
	typeOf := map[int]*types.Type{} // undo entries of type comments
	for _, d := range markers {
		t := u.Type(types.Name{Package: d.Package, Name: d.Type})
		if d.Member == "" { // a line of the type's own comment
			undo = append(undo, saved{nil, t.CommentLines})
			t.CommentLines = append(slices.Clip(t.CommentLines), d.Line)
			typeOf[len(undo)-1] = t
			continue
		}
		for i := range t.Members {
			if m := &t.Members[i]; m.Name == d.Member {
				undo = append(undo, saved{m, m.CommentLines})
				m.CommentLines = append(slices.Clip(m.CommentLines), d.Line)
			}
		}
	}
	return func() {
		for i := len(undo) - 1; i >= 0; i-- {
			if t, ok := typeOf[i]; ok {
				t.CommentLines = undo[i].lines
			} else {
				undo[i].m.CommentLines = undo[i].lines
			}
		}
	}
}

// validationIncluded returns what validation-gen reads from its command line:
// its input packages and its --readonly-pkg ones.
func validationIncluded(argv []string) (inputs, included []string) {
	for i := 0; i < len(argv); i++ {
		switch {
		case argv[i] == "--readonly-pkg" && i+1 < len(argv):
			included = append(included, argv[i+1])
			i++
		case strings.HasPrefix(argv[i], "--"):
			i++ // every other flag validation-gen is given takes a value
		default:
			inputs = append(inputs, argv[i])
		}
	}
	return inputs, append(included, inputs...)
}

// The OpenAPI bridge. openapi-gen reads its own markers (+k8s:validation:minimum=0,
// +required, +enum); validation-gen reads +k8s: tags (+k8s:minimum=0, +k8s:required,
// +k8s:enum). Users write the tags once; openapi-gen is given the matching markers.

// openapiValueTags are the tags whose payload is an OpenAPI value of the same name.
var openapiValueTags = []string{"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"}

// formatPatterns are the OpenAPI pattern and maximum length of validation-gen's
// formats: openapi-gen writes a property's format from its Go type only, so a
// +k8s:format reaches OpenAPI as what it checks. (The formats not listed here
// are checked by the server but not described in OpenAPI.)
var formatPatterns = map[string]struct {
	pattern   string
	maxLength int
}{
	"k8s-short-name":  {`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, 63},
	"k8s-long-name":   {`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`, 253},
	"k8s-label-value": {`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`, 63},
	"k8s-uuid":        {`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, 0},
}

// openapiMarkers returns the openapi-gen markers the +k8s: tags of the
// struct types (and string types) of pkgs stand for.
func openapiMarkers(u types.Universe, pkgs []string) []derivedMarker {
	var out []derivedMarker
	for _, path := range pkgs {
		pkg := u[path]
		if pkg == nil {
			continue
		}
		for _, t := range pkg.Types {
			if hasLine(t.CommentLines, "+k8s:enum") && !hasLine(t.CommentLines, "+enum") {
				out = append(out, derivedMarker{Package: path, Type: t.Name.Name, Line: " +enum"})
			}
			if t.Kind != types.Struct {
				continue
			}
			for _, m := range t.Members {
				for _, line := range openapiLines(m.CommentLines) {
					out = append(out, derivedMarker{Package: path, Type: t.Name.Name, Member: m.Name, Line: line})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Package+"."+a.Type+"."+a.Member < b.Package+"."+b.Type+"."+b.Member
	})
	return out
}

// openapiLines maps a field's +k8s: tags to openapi-gen markers it lacks.
func openapiLines(comments []string) []string {
	var out []string
	has := func(prefix string) bool {
		for _, l := range comments {
			if strings.HasPrefix(strings.TrimSpace(l), prefix) {
				return true
			}
		}
		return false
	}
	for _, l := range comments {
		l = strings.TrimSpace(l)
		for _, name := range openapiValueTags {
			if v, ok := strings.CutPrefix(l, "+k8s:"+name+"="); ok && !has("+k8s:validation:"+name+"=") {
				out = append(out, " +k8s:validation:"+name+"="+v)
			}
		}
		if v, ok := strings.CutPrefix(l, "+k8s:format="); ok {
			if f, known := formatPatterns[v]; known && !has("+k8s:validation:pattern=") {
				// openapi-gen reads marker values as JSON.
				out = append(out, " +k8s:validation:pattern="+strconv.Quote(f.pattern))
				if f.maxLength > 0 && !has("+k8s:maxLength=") && !has("+k8s:validation:maxLength=") {
					out = append(out, fmt.Sprintf(" +k8s:validation:maxLength=%d", f.maxLength))
				}
			}
		}
		switch {
		case l == "+k8s:required" && !has("+required") && !has("+optional"):
			out = append(out, " +required")
		case l == "+k8s:optional" && !has("+optional") && !has("+required"):
			out = append(out, " +optional")
		}
	}
	return out
}

// WriteDerivedMarkers writes into the project's sources the lines Generate
// gives the generators (validation-gen's and the OpenAPI bridge's), each above
// its field or type, and returns them as package.Type.Member: line. Upstream
// binaries run on the sources then produce exactly what Generate does: the
// upstream comparison and bench/codegen.sh use it.
func WriteDerivedMarkers(opts Options) ([]string, error) {
	in := newInputs(opts.Dir, opts.Project)
	base, _, err := in.loadAll(opts.Dir)
	if err != nil {
		return nil, err
	}
	inputs, included := validationIncluded(in.argv("validation-gen", ""))
	markers := append(validationMarkers(base.Universe, inputs, included), openapiMarkers(base.Universe, in.validated)...)
	var written []string
	for _, d := range markers {
		if err := addToSource(opts.Dir, in.module, d); err != nil {
			return nil, err
		}
		written = append(written, fmt.Sprintf("%s.%s.%s:%s", d.Package, d.Type, d.Member, d.Line))
	}
	return written, nil
}

// addToSource writes the marker as a comment line just above its field (or type).
func addToSource(dir, module string, d derivedMarker) error {
	pkgDir := filepath.Join(dir, strings.TrimPrefix(strings.TrimPrefix(d.Package, module), "/"))
	files, err := filepath.Glob(filepath.Join(pkgDir, "*.go"))
	if err != nil {
		return err
	}
	for _, file := range files {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		line := 0
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || ts.Name.Name != d.Type {
				return true
			}
			if d.Member == "" {
				line = fset.Position(ts.Pos()).Line
				return false
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return false
			}
			for _, field := range st.Fields.List {
				if fieldName(field) == d.Member {
					line = fset.Position(field.Pos()).Line
				}
			}
			return false
		})
		if line == 0 {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		lines := strings.Split(string(data), "\n")
		lines = slices.Insert(lines, line-1, "//"+d.Line)
		return os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644)
	}
	return fmt.Errorf("no %s.%s in %s", d.Type, d.Member, pkgDir)
}

// fieldName is a struct field's name, or its type's for an embedded one.
func fieldName(field *ast.Field) string {
	if len(field.Names) > 0 {
		return field.Names[0].Name
	}
	switch t := field.Type.(type) {
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}
