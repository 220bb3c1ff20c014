package project

import (
	"strings"
	"testing"
)

// TestUntrustedProjectFields: a PROJECT edited to lead a command out of the
// project (../ in a package, a slash in a plural) or into generated code (a
// quote, a line break) is refused on load, with the field named.
func TestUntrustedProjectFields(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(p *Project)
		want string
	}{
		"group package ../":   {func(p *Project) { p.Groups[0].Package = "../../etc" }, `groups[0].package "../../etc": not a Go package name`},
		"group package quote": {func(p *Project) { p.Groups[0].Package = `x"y` }, `groups[0].package "x\"y"`},
		"kind package ../":    {func(p *Project) { p.Groups[0].Kinds[1].Package = "../hive" }, `groups[0].kinds[1].package "../hive"`},
		"plural with a slash": {func(p *Project) { p.Groups[0].Kinds[0].Plural = "bees/../../x" }, `groups[0].kinds[0].plural: invalid resource "bees/../../x"`},
		"short name quote":    {func(p *Project) { p.Groups[0].Kinds[0].ShortNames = []string{`b"z`} }, `groups[0].kinds[0].shortNames: invalid short name`},
		"category":            {func(p *Project) { p.Groups[0].Kinds[0].Categories = []string{"All Things"} }, `groups[0].kinds[0].categories: invalid category`},
		"admission package": {func(p *Project) {
			p.AdmissionPlugins = []AdmissionPlugin{{Name: "Ban", Package: "../ban", Group: "insect", Kind: "Bee", Validating: true}}
		}, `admissionPlugins[0].package "../ban"`},
		"owner ends the comment": {func(p *Project) { p.Owner = "Bees */ package evil //" }, `owner "Bees */ package evil //": holds a line break, a control character or */`},
		"owner line break":       {func(p *Project) { p.Owner = "Bees\npackage evil" }, `owner "Bees\npackage evil"`},
		"kubernetes version":     {func(p *Project) { p.KubernetesVersion = `v0.37.1" // x` }, `kubernetesVersion "v0.37.1\" // x": not a version`},
		"rename's field": {func(p *Project) {
			p.Groups[0].Versions[1].Renames = []FieldRename{{Kind: "Bee", Struct: "Spec", From: "a", To: `b"`}}
		}, `groups[0].versions[1].renames[0].to "b\""`},
		"rename's struct": {func(p *Project) {
			p.Groups[0].Versions[1].Renames = []FieldRename{{Kind: "Bee", Struct: "Meta", From: "a", To: "b"}}
		}, `renames[0].struct "Meta": want Spec or Status`},
		"version from": {func(p *Project) { p.Groups[0].Versions[1].From = "../v1" }, `groups[0].versions[1].from: invalid version`},
		"replicas path": {func(p *Project) {
			p.Groups[0].Kinds[0].Subresources = []Subresource{{Name: "scale", Type: ScaleSubresource, SpecReplicasPath: `.spec.replicas")`}}
		}, `subresources[0].specReplicasPath ".spec.replicas\")": want .spec.<field>`},
	} {
		t.Run(name, func(t *testing.T) {
			p := sample()
			tc.edit(p)
			data, err := p.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v\nwant an error containing %s", err, tc.want)
			}
		})
	}
	// What the flags accept still loads.
	p := sample()
	p.Groups[0].Package, p.Groups[0].Kinds[0].Package = "insect", "bee"
	p.Groups[0].Kinds[0].Subresources = []Subresource{{Name: "scale", Type: ScaleSubresource, SpecReplicasPath: ".spec.replicas", StatusReplicasPath: ".status.replicas"}}
	p.Groups[0].Versions[1].From, p.Groups[0].Versions[1].Renames = "v1alpha1", []FieldRename{{Kind: "Bee", Struct: "Spec", From: "color", To: "colour"}}
	data, _ := p.Marshal()
	if _, err := Parse(data); err != nil {
		t.Fatalf("a valid PROJECT was refused: %v", err)
	}
}
