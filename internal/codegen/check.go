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

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// TypeError is a field of the user's API whose type does not type-check
// (typically an undefined type). The generators cannot handle such a field
// (deepcopy-gen exits the process), so Generate reports these first.
type TypeError struct {
	Pos     string // file:line, relative to the project
	Message string
}

func (e TypeError) String() string { return e.Pos + ": " + e.Message }

// TypeErrors lists them.
type TypeErrors []TypeError

func (e TypeErrors) Error() string { return e.under("the API types do not compile:") }

// under lists the errors, one per line, below a heading.
func (e TypeErrors) under(heading string) string {
	lines := []string{heading}
	for _, te := range e {
		lines = append(lines, te.String())
	}
	return strings.Join(lines, "\n")
}

// checkFields finds struct fields of invalid type in the project's packages.
func checkFields(dir, module string, u types.Universe, pkgs []string) error {
	var errs TypeErrors
	for _, path := range pkgs {
		pkg, ok := u[path]
		if !ok {
			continue
		}
		for _, t := range pkg.Types {
			if t.Kind != types.Struct {
				continue
			}
			for _, m := range t.Members {
				if invalid(m.Type, map[*types.Type]bool{}) {
					rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
					errs = append(errs, TypeError{
						Pos:     fieldPosition(filepath.Join(dir, rel), rel, t.Name.Name, m.Name),
						Message: fmt.Sprintf("field %s.%s has an undefined or invalid type", t.Name.Name, m.Name),
					})
				}
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Pos < errs[j].Pos })
	return errs
}

func invalid(t *types.Type, seen map[*types.Type]bool) bool {
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind {
	case types.Unsupported:
		return true
	case types.Pointer, types.Slice, types.Array:
		return invalid(t.Elem, seen)
	case types.Map:
		return invalid(t.Key, seen) || invalid(t.Elem, seen)
	}
	return false
}

// fieldPosition finds file:line of a struct field (field "" for the type's
// own line) by parsing the package's files (no type-checking needed); it
// falls back to the package directory.
func fieldPosition(pkgDir, rel, structName, field string) string {
	entries, err := os.ReadDir(pkgDir)
	if err != nil {
		return rel
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(pkgDir, e.Name()), nil, 0)
		if err != nil {
			continue
		}
		pos := token.NoPos
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || ts.Name.Name != structName {
				return pos == token.NoPos
			}
			if field == "" { // the type itself
				pos = ts.Pos()
				return false
			}
			if st, ok := ts.Type.(*ast.StructType); ok {
				for _, fl := range st.Fields.List {
					for _, name := range fl.Names {
						if name.Name == field {
							pos = name.Pos()
						}
					}
				}
			}
			return false
		})
		if pos != token.NoPos {
			return fmt.Sprintf("%s:%d", filepath.ToSlash(filepath.Join(rel, e.Name())), fset.Position(pos).Line)
		}
	}
	return rel
}

// checkDrift compares each versioned struct with the internal struct of the
// same name, which conversion-gen pairs: a field in one only can only be
// converted by a hand-written function, and without one the generated
// conversions do not compile. Such a field is reported where it is declared.
func checkDrift(dir string, u types.Universe, m *model.Project) error {
	var errs TypeErrors
	for _, g := range m.Groups {
		gp := g.Package
		internal, ok := u[g.ImportPath()]
		if !ok {
			continue
		}
		for _, v := range g.Versions {
			versioned, ok := u[v.ImportPath()]
			if !ok {
				continue
			}
			for _, name := range sortedTypeNames(versioned) {
				vt, it := versioned.Types[name], internal.Types[name]
				if it == nil || vt.Kind != types.Struct || it.Kind != types.Struct {
					continue
				}
				for _, side := range []struct {
					from, to       *types.Type
					fromPkg, toPkg string
					fromName       string
					relDir         string
				}{
					{vt, it, v.Name, gp, v.Name, v.Dir()},
					{it, vt, gp, v.Name, "internal", g.Dir()},
				} {
					fn := fmt.Sprintf("Convert_%s_%s_To_%s_%s", side.fromPkg, name, side.toPkg, name)
					if _, manual := versioned.Functions[fn]; manual {
						continue
					}
					for _, mem := range side.from.Members {
						if !serialized(mem) || hasMember(side.to, mem.Name) {
							continue
						}
						other := "internal"
						if side.fromName == "internal" {
							other = v.Name
						}
						errs = append(errs, TypeError{
							Pos: fieldPosition(filepath.Join(dir, side.relDir), side.relDir, name, mem.Name),
							Message: fmt.Sprintf("field %s.%s is in the %s type but not in the %s one: add it there too, or convert it by hand in %s (func %s)",
								name, mem.Name, side.fromName, other, v.Dir(), fn),
						})
					}
				}
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Pos < errs[j].Pos })
	return &driftErrors{errs}
}

// driftErrors are fields that differ between a version and the internal types.
type driftErrors struct{ TypeErrors }

func (e *driftErrors) Error() string {
	return e.under("the internal and versioned types differ (conversion would lose these fields):")
}

func hasMember(t *types.Type, name string) bool {
	for _, m := range t.Members {
		if m.Name == name {
			return true
		}
	}
	return false
}
