package workspace

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/layout"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// SubresourceRequest describes a new subresource.
type SubresourceRequest struct {
	Group, Version, Kind string
	Name                 string // defaults: status, scale
	Type                 string // status, scale, connector, getter
	SpecReplicasPath     string // scale: default .spec.replicas
	StatusReplicasPath   string // scale: optional
}

// AddSubresource adds a subresource to a kind.
func (w *Workspace) AddSubresource(req SubresourceRequest, opts Options) ([]scaffold.Change, error) {
	g := w.Project.Group(req.Group)
	if g == nil {
		return nil, fmt.Errorf("group %s does not exist", req.Group)
	}
	k := g.Kind(req.Kind)
	if k == nil {
		return nil, fmt.Errorf("kind %s does not exist in group %s", req.Kind, w.Project.FullGroup(g))
	}
	if req.Version != "" && !slices.Contains(k.Versions, req.Version) {
		return nil, fmt.Errorf("kind %s is not served in version %s (it is in %s)", k.Kind, req.Version, strings.Join(k.Versions, ", "))
	}
	switch req.Type {
	case "status":
		req.Name = orDefault(req.Name, "status")
	case project.ScaleSubresource:
		req.Name = orDefault(req.Name, "scale")
		req.SpecReplicasPath = orDefault(req.SpecReplicasPath, ".spec.replicas")
	case project.ConnectorSubresource, project.GetterSubresource:
		if req.Name == "" {
			return nil, fmt.Errorf("--subresource is required for a %s (e.g. --subresource logs)", req.Type)
		}
	default:
		return nil, fmt.Errorf("invalid --type %q: want status, scale, connector or getter", req.Type)
	}
	if err := names.ValidateSubresource(req.Name); err != nil {
		return nil, err
	}

	next := w.Project.Clone()
	nk := next.Group(req.Group).Kind(req.Kind)
	kindIn := func() *model.Kind { return model.New(next).Group(req.Group).Kind(req.Kind) }
	var files []scaffold.File
	if req.Type == "status" {
		if req.Name != "status" {
			return nil, fmt.Errorf("a status subresource is called status, not %q", req.Name)
		}
		if k.StatusSubresource {
			return nil, fmt.Errorf("kind %s already has a status subresource", k.Kind)
		}
		nk.StatusSubresource = true
		files = append(files, layout.StatusSubresource(kindIn()))
	} else {
		if req.Name == "status" || slices.ContainsFunc(k.Subresources, func(s project.Subresource) bool { return s.Name == req.Name }) {
			return nil, fmt.Errorf("kind %s already has a subresource %s", k.Kind, req.Name)
		}
		if req.Type != project.ScaleSubresource && (req.SpecReplicasPath != "" || req.StatusReplicasPath != "") {
			return nil, fmt.Errorf("--spec-replicas-path and --status-replicas-path are for --type scale")
		}
		if req.Type == project.ScaleSubresource {
			if err := w.checkReplicasPaths(kindIn(), req.SpecReplicasPath, req.StatusReplicasPath); err != nil {
				return nil, err
			}
		}
		nk.Subresources = append(nk.Subresources, project.Subresource{
			Name: req.Name, Type: req.Type, SpecReplicasPath: req.SpecReplicasPath, StatusReplicasPath: req.StatusReplicasPath,
		})
		// Its files must not land on a file the kind has or can have (its
		// storage, strategy, tests, a controller's), whatever the layout
		// makes now.
		subFiles := layout.Subresource(kindIn(), req.Name)
		taken := layout.KindPaths(model.New(w.Project).Group(req.Group).Kind(req.Kind))
		for _, f := range subFiles {
			if taken[f.Path] {
				return nil, fmt.Errorf("invalid --subresource %q: its file %s is one kind %s has or can have; choose another name", req.Name, f.Path, k.Kind)
			}
		}
		files = append(files, subFiles...)
	}
	return w.apply(next, files, nil, opts)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// checkReplicasPaths checks that the replicas paths of a scale subresource
// name int32 or *int32 fields of the internal type (which the Scale maps).
func (w *Workspace) checkReplicasPaths(k *model.Kind, spec, status string) error {
	kind, rel := k.Name, k.TypesFile()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(w.Dir, rel), nil, 0)
	if err != nil {
		return fmt.Errorf("reading %s: %w", rel, err)
	}
	for _, c := range []struct{ flag, path, root string }{{"--spec-replicas-path", spec, "spec"}, {"--status-replicas-path", status, "status"}} {
		if c.path == "" {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(c.path, "."), ".")
		if len(parts) != 2 || parts[0] != c.root {
			return fmt.Errorf("invalid %s %q: want .%s.<field>", c.flag, c.path, c.root)
		}
		structName, field := kind+names.UpperCamel(c.root), names.UpperCamel(parts[1])
		if !hasInt32Field(f, structName, field) {
			return fmt.Errorf("invalid %s %q: %s has no int32 or *int32 field %s (see %s)", c.flag, c.path, structName, field, rel)
		}
	}
	return nil
}

func hasInt32Field(f *ast.File, structName, field string) bool {
	st := findStruct(f, structName)
	if st == nil {
		return false
	}
	for _, fl := range st.Fields.List {
		t := fl.Type
		if star, ok := t.(*ast.StarExpr); ok {
			t = star.X
		}
		if id, ok := t.(*ast.Ident); ok && id.Name == "int32" && slices.ContainsFunc(fl.Names, func(n *ast.Ident) bool { return n.Name == field }) {
			return true
		}
	}
	return false
}
