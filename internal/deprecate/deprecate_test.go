package deprecate

import (
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

func bees() *model.Project {
	return model.New(&project.Project{
		Layout: project.Layout, Domain: "example.com", Module: "example.com/bees",
		Groups: []project.Group{{
			Name:     "insect",
			Versions: []project.Version{{Name: "v1alpha1"}, {Name: "v1", StorageVersion: true}},
			Kinds:    []project.Kind{{Kind: "Bee", Plural: "bees", Namespaced: true, Versions: []string{"v1alpha1", "v1"}}},
		}},
	})
}

func TestValidate(t *testing.T) {
	ok := Options{Project: bees(), Group: "insect", Version: "v1alpha1", Deprecated: "0.3", Replacement: "v1"}
	if err := ok.Validate(); err != nil || ok.Removed != "0.6" || ok.Introduced != "0.1" {
		t.Fatalf("%v; removed %q introduced %q, want the defaults 0.6 and 0.1", err, ok.Removed, ok.Introduced)
	}
	for want, o := range map[string]Options{
		"group reptile does not exist":          {Group: "reptile", Version: "v1", Deprecated: "0.3"},
		"version v2 of group insect":            {Group: "insect", Version: "v2", Deprecated: "0.3"},
		"--deprecated-in is required":           {Group: "insect", Version: "v1alpha1"},
		`invalid --deprecated-in "v0.3"`:        {Group: "insect", Version: "v1alpha1", Deprecated: "v0.3"},
		"--removed-in 0.3 must come after":      {Group: "insect", Version: "v1alpha1", Deprecated: "0.3", Removed: "0.3"},
		"is before --introduced-in 1.0":         {Group: "insect", Version: "v1alpha1", Deprecated: "0.3", Introduced: "1.0"},
		"--replacement v1alpha1 is the version": {Group: "insect", Version: "v1alpha1", Deprecated: "0.3", Replacement: "v1alpha1"},
		"--replacement v2 is not a version":     {Group: "insect", Version: "v1alpha1", Deprecated: "0.3", Replacement: "v2"},
	} {
		o.Project = bees()
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", o, err, want)
		}
	}
}

const types = `package v1alpha1

// Bee is a bee.
// +k8s:prerelease-lifecycle-gen:deprecated=0.2
type Bee struct {
	metav1.TypeMeta ` + "`json:\",inline\"`" + `
	Spec BeeSpec
}

// BeeSpec has no TypeMeta.
type BeeSpec struct{ Wings int }

// BeeList is a list.
type BeeList struct {
	metav1.TypeMeta
	Items []Bee
}
`

// TestTagTypes: the API types (with TypeMeta) get the tags right above
// them, replacing tags written before; a second run changes nothing.
func TestTagTypes(t *testing.T) {
	o := Options{Project: bees(), Group: "insect", Version: "v1alpha1", Deprecated: "0.3", Replacement: "v1"}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	out, n, err := tagTypes("bee_types.go", []byte(types), o.tags)
	if err != nil || n != 2 {
		t.Fatalf("%d types tagged, %v", n, err)
	}
	got := string(out)
	for _, want := range []string{
		"// Bee is a bee.\n" + tagPrefix + "introduced=0.1\n" + tagPrefix + "deprecated=0.3\n" + tagPrefix + "removed=0.6\n" + tagPrefix + "replacement=insect.example.com,v1,Bee\ntype Bee struct",
		tagPrefix + "replacement=insect.example.com,v1,BeeList\ntype BeeList struct",
		"// BeeSpec has no TypeMeta.\ntype BeeSpec struct",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "deprecated=0.2") {
		t.Errorf("the earlier tag stayed:\n%s", got)
	}
	again, _, _ := tagTypes("bee_types.go", out, o.tags)
	if string(again) != got {
		t.Errorf("a second run changed the file:\n%s", again)
	}
	doc := []byte("// +k8s:openapi-gen=true\n// +k8s:deepcopy-gen=package\n// +groupName=insect.example.com\npackage v1alpha1\n")
	tagged, err := withPackageTag(doc)
	if err != nil || !strings.Contains(string(tagged), "deepcopy-gen=package\n"+packageTag+"\n// +groupName") {
		t.Fatalf("%v\n%s", err, tagged)
	}
	if twice, _ := withPackageTag(tagged); string(twice) != string(tagged) {
		t.Errorf("the package tag went in twice:\n%s", twice)
	}
}
