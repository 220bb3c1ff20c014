// Package docs writes the API reference of a project: Markdown pages per
// group/version and one self-contained HTML page, from the Go types (doc
// comments, markers, defaults, enums), PROJECT (scope, resource names, short
// names, subresources), the columns declared in each kind's strategy, and the
// samples. It needs no running server.
package docs

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"k8s.io/gengo/v2/types"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// GroupVersion is one page of the reference.
type GroupVersion struct {
	Group, Version string
	File           string // Markdown file name
	Anchor         string
	Kinds          []*Kind
}

// Kind is the section of one kind.
type Kind struct {
	Name, Anchor, Description string
	// Deprecated says when the version's kind is deprecated and removed, and
	// what replaces it (deprecate version's tags); empty when it is not.
	Deprecated       string
	Plural, Singular string
	Namespaced       bool
	ShortNames       []string
	Categories       []string
	Subresources     []string
	Columns          []Column
	Paths            []Path
	Types            []*Type // the kind's type first, then the types it uses
	Sample           string
}

// Column is a column of `kubectl get`.
type Column struct{ Name, Description string }

// Path is a REST path and the verbs it serves.
type Path struct{ Path, Verbs string }

// Type is a documented Go type.
type Type struct {
	Name, Anchor, Description string
	Fields                    []Field
	Enum                      []string
}

// Field is a field of a type.
type Field struct {
	Name, Anchor string
	Type         string // as shown
	Link         string // anchor of a documented type, or URL of an upstream one
	Required     bool
	Default      string
	Validation   []string
	Enum         []string
	Description  string
}

// upstream links the Kubernetes types API types commonly use to the
// official API reference.
var upstream = map[string]string{
	"k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta":    "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/",
	"k8s.io/apimachinery/pkg/apis/meta/v1.ListMeta":      "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/list-meta/",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Condition":     "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/condition/",
	"k8s.io/apimachinery/pkg/apis/meta/v1.LabelSelector": "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/",
	"k8s.io/apimachinery/pkg/api/resource.Quantity":      "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/",
}

// shortTypes shows some upstream types by their JSON form.
var shortTypes = map[string]string{
	"k8s.io/apimachinery/pkg/apis/meta/v1.Time":          "string (date-time)",
	"k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime":     "string (date-time)",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Duration":      "string (duration)",
	"k8s.io/apimachinery/pkg/util/intstr.IntOrString":    "integer or string",
	"k8s.io/apimachinery/pkg/runtime.RawExtension":       "object",
	"k8s.io/apimachinery/pkg/api/resource.Quantity":      "Quantity",
	"k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta":    "ObjectMeta",
	"k8s.io/apimachinery/pkg/apis/meta/v1.ListMeta":      "ListMeta",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Condition":     "Condition",
	"k8s.io/apimachinery/pkg/apis/meta/v1.LabelSelector": "LabelSelector",
}

var builtins = map[string]string{
	"string": "string", "bool": "boolean", "int": "integer", "int32": "integer (int32)", "int64": "integer (int64)",
	"uint32": "integer (uint32)", "uint64": "integer (uint64)", "float32": "number", "float64": "number", "byte": "integer",
}

// Build assembles the reference of every group/version of p from universe
// (see codegen.Load); dir is the project root, for the samples and strategies.
func Build(dir string, m *model.Project, universe types.Universe) ([]*GroupVersion, error) {
	var out []*GroupVersion
	for _, g := range m.Groups {
		for _, v := range g.Versions {
			gv := &GroupVersion{Group: g.Full, Version: v.Name, File: g.Full + "_" + v.Name + ".md", Anchor: anchor(g.Full + "-" + v.Name)}
			for _, k := range v.Kinds {
				t := universe.Type(types.Name{Package: v.ImportPath(), Name: k.Name})
				if t.Kind != types.Struct {
					return nil, fmt.Errorf("type %s.%s not found: is %s there?", v.ImportPath(), k.Name, k.VersionFile(v.Name, "_types.go"))
				}
				kd := &Kind{
					Name: k.Name, Anchor: anchor(g.Full + "-" + v.Name + "-" + k.Name),
					Description: description(t.CommentLines),
					Deprecated:  deprecation(t),
					Plural:      k.Plural, Singular: k.Singular, Namespaced: k.Spec.Namespaced,
					ShortNames: k.Spec.ShortNames, Categories: k.Spec.Categories,
					Columns: columns(filepath.Join(dir, k.RegistryFile(model.StrategyFile))),
					Paths:   paths(g.Full, v.Name, k.Spec),
				}
				if k.Spec.StatusSubresource {
					kd.Subresources = append(kd.Subresources, "status")
				}
				for _, sr := range k.Spec.Subresources {
					kd.Subresources = append(kd.Subresources, sr.Name+" ("+sr.Type+")")
				}
				kd.Types = collect(universe, t, kd.Anchor)
				if data, err := os.ReadFile(filepath.Join(dir, k.SampleFile())); err == nil {
					kd.Sample = strings.TrimSpace(string(data))
				}
				gv.Kinds = append(gv.Kinds, kd)
			}
			out = append(out, gv)
		}
	}
	return out, nil
}

// paths returns the REST paths of a kind and their verbs.
func paths(group, version string, k *project.Kind) []Path {
	base := "/apis/" + group + "/" + version
	item := base + "/" + k.Plural
	if k.Namespaced {
		item = base + "/namespaces/{namespace}/" + k.Plural
	}
	out := []Path{
		{item, "list, watch, create, deletecollection"},
		{item + "/{name}", "get, update, patch, delete"},
	}
	if k.Namespaced {
		out = append(out, Path{base + "/" + k.Plural, "list, watch (all namespaces)"})
	}
	if k.StatusSubresource {
		out = append(out, Path{item + "/{name}/status", "get, update, patch"})
	}
	verbs := map[string]string{
		project.ScaleSubresource:     "get, update, patch (autoscaling/v1 Scale)",
		project.ConnectorSubresource: "get (connect)",
		project.GetterSubresource:    "get",
	}
	for _, sr := range k.Subresources {
		out = append(out, Path{item + "/{name}/" + sr.Name, verbs[sr.Type]})
	}
	return out
}

// columns reads the columns of `kubectl get` from the kind's strategy, as
// the columns contract (model.ColumnsVar) says they are declared.
func columns(strategyFile string) []Column {
	f, err := parser.ParseFile(token.NewFileSet(), strategyFile, nil, 0)
	if err != nil {
		return nil
	}
	var out []Column
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != model.ColumnsVar || len(vs.Values) != 1 {
			return true
		}
		list, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return false
		}
		for _, e := range list.Elts {
			lit, ok := e.(*ast.CompositeLit)
			if !ok {
				continue
			}
			var c Column
			for _, kv := range lit.Elts {
				kv, ok := kv.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				val, _ := kv.Value.(*ast.BasicLit)
				if key == nil || val == nil || val.Kind != token.STRING {
					continue
				}
				s, _ := strconv.Unquote(val.Value)
				switch key.Name {
				case "Name":
					c.Name = strings.ToUpper(s)
				case "Description":
					c.Description = s
				}
			}
			if c.Name != "" {
				out = append(out, c)
			}
		}
		return false
	})
	return out
}

func anchor(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	return b.String()
}
