package codegen

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"k8s.io/gengo/v2/types"
)

// reached is what the served API's types reach beyond the project's group
// and version packages: packages of other modules (k8s.io/api/core/v1,
// intstr, a third-party module) and the project's own shared packages. It is
// computed from the packages already loaded, so there is no fixed list to keep
// up to date, and it decides which packages openapi-gen (and, for shared
// packages, deepcopy-gen) must also be given.
type reached struct {
	external []string // packages outside the module (read-only: in the module cache)
	local    []string // packages of this module that are neither a group nor a version
	// via remembers, for each reached type, the project field that first led
	// to it, so that a type without OpenAPI can be reported where it is used.
	via map[*types.Type]fieldRef
	// direct are the types of other modules that fields of the project's own
	// structs use (through pointers, slices and maps).
	direct map[*types.Type]bool
}

// fieldRef is a field of a project struct, by package and names.
type fieldRef struct {
	pkg, structName, field string
}

// reach walks every named type of the roots (the versioned packages) through
// fields, elements, keys and aliases, and collects the packages it meets.
// Standard-library packages (time) are left out: their types come with
// their own OpenAPI handling (metav1.Time) or have none to generate.
func reach(u types.Universe, module string, roots, own []string) *reached {
	r := &reached{via: map[*types.Type]fieldRef{}, direct: map[*types.Type]bool{}}
	isOwn := map[string]bool{}
	for _, p := range own {
		isOwn[p] = true
	}
	seen := map[*types.Type]bool{}
	pkgs := map[string]bool{}
	var walk func(t *types.Type, from fieldRef)
	walk = func(t *types.Type, from fieldRef) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		if pkg := t.Name.Package; pkg != "" && t.Kind == types.Struct && !isOwn[pkg] && !isStdlib(pkg) {
			pkgs[pkg] = true
			if _, ok := r.via[t]; !ok {
				r.via[t] = from
			}
		}
		switch t.Kind {
		case types.Struct:
			if ownSchema(t) {
				return // intstr, Quantity, metav1.Time: their schema is hand-written
			}
			for _, m := range t.Members {
				if !serialized(m) {
					continue
				}
				next := from
				if isOwn[t.Name.Package] || strings.HasPrefix(t.Name.Package, module+"/") {
					next = fieldRef{t.Name.Package, t.Name.Name, m.Name}
					if e := elem(m.Type); e.Kind == types.Struct && e.Name.Package != "" && !strings.HasPrefix(e.Name.Package, module+"/") {
						r.direct[e] = true
					}
				}
				walk(m.Type, next)
			}
		case types.Pointer, types.Slice, types.Array:
			walk(t.Elem, from)
		case types.Map:
			walk(t.Key, from)
			walk(t.Elem, from)
		case types.Alias:
			walk(t.Underlying, from)
		}
	}
	for _, root := range roots {
		pkg, ok := u[root]
		if !ok {
			continue
		}
		for _, name := range sortedTypeNames(pkg) {
			walk(pkg.Types[name], fieldRef{root, name, ""})
		}
	}
	for p := range pkgs {
		if p == module || strings.HasPrefix(p, module+"/") {
			r.local = append(r.local, p)
		} else {
			r.external = append(r.external, p)
		}
	}
	sort.Strings(r.local)
	sort.Strings(r.external)
	return r
}

// elem is the named type under pointers, slices, arrays and map values.
func elem(t *types.Type) *types.Type {
	for t != nil && (t.Kind == types.Pointer || t.Kind == types.Slice || t.Kind == types.Array || t.Kind == types.Map) {
		t = t.Elem
	}
	if t == nil {
		return &types.Type{}
	}
	return t
}

// apiPkgPrefix is where Kubernetes' own API types live; client-go carries
// their apply configurations under applyconfigPrefix, same path below.
const (
	apiPkgPrefix      = "k8s.io/api/"
	applyconfigPrefix = "k8s.io/client-go/applyconfigurations/"
)

// externalApplyConfigurations maps the k8s.io/api types the project's
// fields use to client-go's apply configurations of them, as
// applyconfiguration-gen's --external-applyconfigurations takes them, so that
// an apply configuration of a project type holds a PodTemplateSpecApplyConfiguration
// (which sets only what the caller sets), not a PodTemplateSpec.
func (r *reached) externalApplyConfigurations() []string {
	var out []string
	for t := range r.direct {
		if strings.HasPrefix(t.Name.Package, apiPkgPrefix) {
			out = append(out, t.Name.Package+"."+t.Name.Name+":"+applyconfigPrefix+strings.TrimPrefix(t.Name.Package, apiPkgPrefix))
		}
	}
	sort.Strings(out)
	return out
}

func sortedTypeNames(pkg *types.Package) []string {
	names := make([]string, 0, len(pkg.Types))
	for n := range pkg.Types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// isStdlib reports whether an import path is the standard library's (its
// first element has no dot).
func isStdlib(pkg string) bool {
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".")
}

const openapiTag = "+k8s:openapi-gen=true"

// checkOpenAPI finds reached struct types that openapi-gen will not define:
// their package is not tagged `+k8s:openapi-gen=true`, the type is not tagged
// either, and it does not define its own schema. The server would refuse to
// start on such a type ("cannot find model definition"), so build generated
// says where it is used instead.
func (r *reached) checkOpenAPI(dir, module string, u types.Universe) error {
	var errs TypeErrors
	for t, from := range r.via {
		if t.Kind != types.Struct || hasOpenAPI(u, t) {
			continue
		}
		pos := from.pkg
		rel := strings.TrimPrefix(strings.TrimPrefix(from.pkg, module), "/")
		if from.field != "" {
			pos = fieldPosition(filepath.Join(dir, rel), rel, from.structName, from.field)
		}
		errs = append(errs, TypeError{Pos: pos, Message: fmt.Sprintf(
			"field %s.%s uses %s.%s, which has no OpenAPI definition: tag its package (doc.go) or the type with `// %s`, or give the type an OpenAPIDefinition() method",
			from.structName, from.field, t.Name.Package, t.Name.Name, openapiTag)})
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].String() < errs[j].String() })
	return &openAPIErrors{errs}
}

// openAPIErrors are fields whose types the OpenAPI of the server cannot describe.
type openAPIErrors struct{ TypeErrors }

func (e *openAPIErrors) Error() string {
	return e.under("the API uses types without OpenAPI definitions (the server would not start):")
}

// ownSchema reports whether a type defines its OpenAPI schema itself.
func ownSchema(t *types.Type) bool {
	_, def := t.Methods["OpenAPIDefinition"]
	_, schema := t.Methods["OpenAPISchemaType"]
	return def || schema
}

// serialized reports whether a struct member is part of the JSON form:
// exported and not tagged json:"-".
func serialized(m types.Member) bool {
	if m.Name == "" || !unicode.IsUpper(rune(m.Name[0])) {
		return false
	}
	return reflect.StructTag(m.Tags).Get("json") != "-"
}

func hasOpenAPI(u types.Universe, t *types.Type) bool {
	if ownSchema(t) {
		return true
	}
	if hasTag(t.CommentLines) || hasTag(t.SecondClosestCommentLines) {
		return true
	}
	if pkg, ok := u[t.Name.Package]; ok && hasTag(pkg.Comments) {
		return !hasTagValue(t.CommentLines, "+k8s:openapi-gen=false")
	}
	return false
}

func hasTag(lines []string) bool { return hasTagValue(lines, openapiTag) }

func hasTagValue(lines []string, tag string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) == tag {
			return true
		}
	}
	return false
}
