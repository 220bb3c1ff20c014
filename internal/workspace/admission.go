package workspace

import (
	"fmt"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/layout"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/names"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// AdmissionRequest is a new admission plugin.
type AdmissionRequest struct {
	Name string
	// Kind is the kind it acts on; Group, if set, must be the kind's.
	Kind, Group          string
	Mutating, Validating bool
}

// AddAdmission adds an admission plugin acting on a kind. Running it again
// with the same request changes nothing.
func (w *Workspace) AddAdmission(req AdmissionRequest, opts Options) ([]scaffold.Change, error) {
	if err := names.ValidateAdmissionPlugin(req.Name); err != nil {
		return nil, err
	}
	if req.Kind == "" {
		return nil, fmt.Errorf("--kind is required: the kind the plugin admits (e.g. --kind Bee)")
	}
	if !req.Mutating && !req.Validating {
		req.Validating = true
	}
	var group *project.Group
	for i, g := range w.Project.Groups {
		if g.Kind(req.Kind) != nil && (req.Group == "" || req.Group == g.Name) {
			group = &w.Project.Groups[i]
		}
	}
	if group == nil {
		return nil, fmt.Errorf("kind %s does not exist%s: create it first", req.Kind, map[bool]string{true: " in group " + req.Group}[req.Group != ""])
	}
	if group.Kind(req.Kind).ReadOnly {
		return nil, fmt.Errorf("kind %s is read-only: nothing is created or updated for a plugin to admit", req.Kind)
	}
	plugin := project.AdmissionPlugin{
		Name: req.Name, Package: names.AdmissionPackage(req.Name), Group: group.Name, Kind: req.Kind,
		Mutating: req.Mutating, Validating: req.Validating,
	}
	for i, a := range w.Project.AdmissionPlugins {
		switch {
		case a == plugin:
			// The same plugin again: nothing to change, but a deleted file comes back.
			files := layout.Admission(model.New(w.Project).AdmissionPlugins[i])
			for j := range files {
				files[j].IfExists = scaffold.Skip
			}
			return w.apply(w.Project.Clone(), files, nil, opts)
		case strings.EqualFold(a.Name, req.Name) || a.Package == plugin.Package:
			return nil, fmt.Errorf("admission plugin %s already exists (kind %s, mutating %t, validating %t)", a.Name, a.Kind, a.Mutating, a.Validating)
		}
	}
	next := w.Project.Clone()
	next.AdmissionPlugins = append(next.AdmissionPlugins, plugin)
	m := model.New(next)
	return w.apply(next, layout.Admission(m.AdmissionPlugins[len(m.AdmissionPlugins)-1]), nil, opts)
}
