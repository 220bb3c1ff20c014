package codegen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/gengo/v2/types"
)

// The names the generators give the types and packages they generate for.
// A field or method of the user's with one of them makes generated code that
// does not compile (a field Size beside the Size method of generated.pb.go).
// TestClaimedNamesMatchGenerators works both lists out from a generated
// project, so they follow the generators when they change.
var (
	// claimedMethods: method name → the generator that adds it to API types.
	claimedMethods = map[string]string{
		"DeepCopy":             "deepcopy-gen",
		"DeepCopyInto":         "deepcopy-gen",
		"DeepCopyObject":       "deepcopy-gen",
		"Marshal":              "go-to-protobuf",
		"MarshalTo":            "go-to-protobuf",
		"MarshalToSizedBuffer": "go-to-protobuf",
		"OpenAPIModelName":     "openapi-gen",
		"Reset":                "go-to-protobuf",
		"Size":                 "go-to-protobuf",
		"String":               "go-to-protobuf",
		"Unmarshal":            "go-to-protobuf",
	}
	// claimedPackageNames: package-level name → the generator that declares it
	// in every package it generates for (names made from a type's name, such
	// as SetObjectDefaults_Bee, cannot collide with a Go type's own).
	claimedPackageNames = map[string]string{
		"ErrIntOverflowGenerated":          "go-to-protobuf",
		"ErrInvalidLengthGenerated":        "go-to-protobuf",
		"ErrUnexpectedEndOfGroupGenerated": "go-to-protobuf",
		"RegisterConversions":              "conversion-gen",
		"RegisterDefaults":                 "defaulter-gen",
		"RegisterValidations":              "validation-gen",
		"encodeVarintGenerated":            "go-to-protobuf",
		"skipGenerated":                    "go-to-protobuf",
		"sovGenerated":                     "go-to-protobuf",
		"sozGenerated":                     "go-to-protobuf",
		"valueToStringGenerated":           "go-to-protobuf",
	}
)

// checkClaimedNames reports, as file:line, each field and method of the
// struct types of pkgs, and each package-level name, that a generator claims.
func checkClaimedNames(dir, module string, u types.Universe, pkgs []string) error {
	var errs TypeErrors
	for _, path := range pkgs {
		pkg := u[path]
		if pkg == nil {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
		pkgDir := filepath.Join(dir, rel)
		for _, name := range sortedTypeNames(pkg) {
			t := pkg.Types[name]
			if gen, ok := claimedPackageNames[name]; ok {
				errs = append(errs, TypeError{Pos: fieldPosition(pkgDir, rel, name, ""),
					Message: fmt.Sprintf("type %s has the name of a declaration %s makes in this package: rename the type", name, gen)})
			}
			if t.Kind != types.Struct {
				continue
			}
			claims := func(name string) (string, bool) {
				gen, ok := claimedMethods[name]
				if gen == "go-to-protobuf" && protobufOff(t) {
					return "", false // no message is generated for it
				}
				return gen, ok
			}
			for _, m := range t.Members {
				gen, ok := claims(m.Name)
				if !ok {
					continue
				}
				jsonName := strings.ToLower(m.Name[:1]) + m.Name[1:]
				errs = append(errs, TypeError{Pos: fieldPosition(pkgDir, rel, name, m.Name),
					Message: fmt.Sprintf("field %s.%s has the name of the %s method %s gives %s: rename the Go field (for example to %sValue) and keep its JSON name in its tag (`json:\"%s\"`)",
						name, m.Name, m.Name, gen, name, m.Name, jsonName)})
			}
			for _, method := range sortedMethodNames(t) {
				if method == "String" && hasLine(t.CommentLines, "+protobuf.options.(gogoproto.goproto_stringer)=false") {
					continue // the message's String is the user's, as for ExtraValue
				}
				if gen, ok := claims(method); ok {
					errs = append(errs, TypeError{Pos: methodPosition(pkgDir, rel, name, method),
						Message: fmt.Sprintf("method %s.%s is one %s generates for %s: remove or rename yours", name, method, gen, name)})
				}
			}
		}
		for _, decls := range []map[string]*types.Type{pkg.Functions, pkg.Variables, pkg.Constants} {
			for name := range decls {
				if gen, ok := claimedPackageNames[name]; ok {
					errs = append(errs, TypeError{Pos: methodPosition(pkgDir, rel, "", name),
						Message: fmt.Sprintf("%s is a name %s declares in this package: rename yours", name, gen)})
				}
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Pos < errs[j].Pos })
	return &claimedErrors{errs}
}

// claimedErrors are names the generators would declare a second time.
type claimedErrors struct{ TypeErrors }

func (e *claimedErrors) Error() string {
	return e.under("these names are the generators' (the generated code would not compile):")
}

func sortedMethodNames(t *types.Type) []string {
	names := make([]string, 0, len(t.Methods))
	for n := range t.Methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// methodPosition is where the method recv.name is declared (a function or
// package-level value when recv is ""), as file:line relative to the project.
func methodPosition(pkgDir, rel, recv, name string) string {
	entries, err := os.ReadDir(pkgDir)
	if err != nil {
		return rel
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") || isGeneratedName(e.Name()) {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(pkgDir, e.Name()), nil, 0)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			pos := token.NoPos
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.Name == name && receiverName(d) == recv {
					pos = d.Name.Pos()
				}
			case *ast.GenDecl:
				if recv != "" {
					continue
				}
				for _, s := range d.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok {
						for _, n := range vs.Names {
							if n.Name == name {
								pos = n.Pos()
							}
						}
					}
				}
			}
			if pos != token.NoPos {
				return fmt.Sprintf("%s:%d", filepath.ToSlash(filepath.Join(rel, e.Name())), fset.Position(pos).Line)
			}
		}
	}
	return rel
}

// receiverName is the type a method is declared on, or "" for a function.
func receiverName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return ""
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
