package workspace

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// Generate returns every file this apiserver-boot generates for the project
// p describes, as if its user had never edited one (PROJECT itself and go.sum
// excluded). It replays p's history in a temporary directory with the same
// operations the commands run — init, each group's versions (with their
// recorded renames), kinds, subresources and admission plugins — so it knows
// nothing about the layout that the commands do not. header is the license
// header the project was initialised with.
func Generate(ctx context.Context, p *project.Project, header string) (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "apiserver-boot-generate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := replay(ctx, dir, p, header); err != nil {
		return nil, fmt.Errorf("replaying PROJECT: %w", err)
	}
	files := map[string][]byte{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == project.FileName {
			return nil
		}
		data, err := os.ReadFile(path)
		files[rel] = data
		return err
	})
	return files, err
}

func replay(ctx context.Context, dir string, p *project.Project, header string) error {
	opts := Options{replay: true}
	if _, err := Init(ctx, InitRequest{Dir: dir, Domain: p.Domain, Module: p.Module, License: p.License, Owner: p.Owner, Boilerplate: header}, opts); err != nil {
		return err
	}
	w, err := Open(dir)
	if err != nil {
		return err
	}
	w.Boilerplate = header
	for _, g := range p.Groups {
		if len(g.Versions) == 0 {
			// `create group` alone: a group with no version yet.
			if _, err := w.AddGroup(g.Name, opts); err != nil {
				return err
			}
		}
		for i, v := range g.Versions {
			if i == 0 || v.From == "" {
				// The group's first version, or one added by `create group
				// version` (which copies no kind).
				_, err = w.AddGroupAndVersion(g.Name, v.Name, opts)
			} else {
				_, err = w.AddVersionToGroup(g.Name, v.Name, v.StorageVersion, v.Renames, opts)
			}
			if err != nil {
				return err
			}
			for _, k := range g.Kinds {
				if creationStep(g, k) != i {
					continue
				}
				if _, err := w.AddKind(ctx, KindRequest{
					Group: g.Name, Version: k.Versions[0], Kind: k.Kind, Plural: k.Plural,
					ShortNames: k.ShortNames, Categories: k.Categories, Namespaced: k.Namespaced,
					StatusSubresource: k.StatusSubresource, Controller: k.Controller,
					Store: k.Store, ReadOnly: k.ReadOnly,
				}, opts); err != nil {
					return err
				}
				for _, sr := range k.Subresources {
					if _, err := w.AddSubresource(SubresourceRequest{
						Group: g.Name, Kind: k.Kind, Name: sr.Name, Type: sr.Type,
						SpecReplicasPath: sr.SpecReplicasPath, StatusReplicasPath: sr.StatusReplicasPath,
					}, opts); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, a := range p.AdmissionPlugins {
		if _, err := w.AddAdmission(AdmissionRequest{Name: a.Name, Kind: a.Kind, Group: a.Group, Mutating: a.Mutating, Validating: a.Validating}, opts); err != nil {
			return err
		}
	}
	if diff := projectDiff(w.Project, p); diff != "" {
		return fmt.Errorf("the replayed PROJECT differs from the project's (%s)", diff)
	}
	return nil
}

// creationStep is the index of the group version after whose addition kind k
// was created: its first version, or later if it lacks a version added
// afterwards by copying one it has (`create version` copies every kind, so a
// kind without that version was created after it).
func creationStep(g project.Group, k project.Kind) int {
	step := slices.IndexFunc(g.Versions, func(v project.Version) bool { return v.Name == k.Versions[0] })
	for j := step + 1; j < len(g.Versions); j++ {
		v := g.Versions[j]
		if v.From != "" && slices.Contains(k.Versions, v.From) && !slices.Contains(k.Versions, v.Name) {
			step = j
		}
	}
	return step
}

// projectDiff names the first difference between what a replay produced and
// the project it replayed, ignoring what the replay cannot know (the versions
// that scaffolded it).
func projectDiff(got, want *project.Project) string {
	norm := func(p *project.Project) string {
		c := p.Clone()
		c.ApiserverBootVersion, c.KubernetesVersion, c.ControllerRuntimeVersion = "", "", ""
		data, _ := c.Marshal()
		return string(data)
	}
	g, w := strings.Split(norm(got), "\n"), strings.Split(norm(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			line := func(l []string) string {
				if i < len(l) {
					return strings.TrimSpace(l[i])
				}
				return "(end)"
			}
			return fmt.Sprintf("line %d: %q instead of %q", i+1, line(g), line(w))
		}
	}
	return ""
}

// ReadBase reads the project's record of what apiserver-boot generated, or
// nil if it has none (a project from before the record).
func ReadBase(dir string) (map[string][]byte, error) {
	root := filepath.Join(dir, filepath.FromSlash(model.BaseDir))
	if _, err := os.Stat(root); os.IsNotExist(err) {
		return nil, nil
	}
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	return files, err
}

// BaseChanges plans writing files as the record: created, updated, and
// removed when they are no longer generated.
func BaseChanges(dir string, old, files map[string][]byte) ([]scaffold.Change, error) {
	prefixed := map[string][]byte{}
	for rel, data := range files {
		prefixed[model.BaseDir+"/"+rel] = data
	}
	changes, err := scaffold.Compare(dir, prefixed)
	if err != nil {
		return nil, err
	}
	for rel := range old {
		if _, ok := files[rel]; !ok {
			changes = append(changes, scaffold.Change{Path: model.BaseDir + "/" + rel, Action: scaffold.Delete})
		}
	}
	for i := range changes {
		changes[i].Hidden = true
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

// differingFiles reports the paths on which two file sets differ.
func differingFiles(a, b map[string][]byte) []string {
	var out []string
	for p, da := range a {
		if db, ok := b[p]; !ok || string(da) != string(db) {
			out = append(out, p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
