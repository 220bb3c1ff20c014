package deprecate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
)

// tagTypes puts tags(name) right above the type keyword of every struct
// that embeds TypeMeta, replacing lifecycle tags written there before, and
// returns the new source and how many types it tagged.
func tagTypes(filename string, src []byte, tags func(string) []string) ([]byte, int, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, 0, err
	}
	type site struct {
		line int // 0-based line of the type keyword
		name string
	}
	var sites []site
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE || gd.Lparen.IsValid() {
			continue // a grouped type (...) has no tags of its own per type here
		}
		ts := gd.Specs[0].(*ast.TypeSpec)
		st, ok := ts.Type.(*ast.StructType)
		if !ok || !embedsTypeMeta(st) {
			continue
		}
		sites = append(sites, site{fset.Position(gd.Pos()).Line - 1, ts.Name.Name})
	}
	lines := strings.Split(string(src), "\n")
	// Bottom up: an edit never moves the lines of the sites above it.
	for i := len(sites) - 1; i >= 0; i-- {
		at := sites[i].line
		start := at
		for start > 0 && strings.HasPrefix(strings.TrimSpace(lines[start-1]), tagPrefix) {
			start--
		}
		lines = slices.Replace(lines, start, at, tags(sites[i].name)...)
	}
	return []byte(strings.Join(lines, "\n")), len(sites), nil
}

func embedsTypeMeta(st *ast.StructType) bool {
	for _, field := range st.Fields.List {
		if len(field.Names) > 0 {
			continue
		}
		switch t := field.Type.(type) {
		case *ast.SelectorExpr:
			if t.Sel.Name == "TypeMeta" {
				return true
			}
		case *ast.Ident:
			if t.Name == "TypeMeta" {
				return true
			}
		}
	}
	return false
}
