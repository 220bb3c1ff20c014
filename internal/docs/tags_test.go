package docs

import (
	"os"
	"strings"
	"testing"

	"k8s.io/code-generator/cmd/validation-gen/validators"
	"k8s.io/gengo/v2/generator"
	"k8s.io/gengo/v2/namer"
	"k8s.io/gengo/v2/types"
)

const tagsPage = "../../docs/tags.md"

// TestTagReference: docs/tags.md is what validation-gen's registry holds at
// the pinned code-generator (-update rewrites it), every note is about a
// tag that exists, and the tags users write most are on it with a note.
func TestTagReference(t *testing.T) {
	// validation-gen's --docs initialises its registry the same way: the
	// validators need a generator context, not a loaded package.
	registry := validators.InitGlobalValidator(&generator.Context{
		Namers: namer.NameSystems{}, Universe: types.Universe{}, FileTypes: map[string]generator.FileType{},
	}, nil)
	docs := registry.Docs()
	page := TagReference(docs)
	if *update {
		if err := os.WriteFile(tagsPage, page, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := os.ReadFile(tagsPage); err != nil || string(got) != string(page) {
		t.Errorf("docs/tags.md is not validation-gen's registry (go test ./internal/docs -run TestTagReference -update): %v", err)
	}
	known := map[string]bool{}
	for _, d := range docs {
		known[d.Tag] = true
	}
	for tag := range tagNotes {
		if !known[tag] {
			t.Errorf("a note for %s, which validation-gen no longer has", tag)
		}
	}
	for _, want := range []string{"| `+k8s:minimum=<integer>` |", "| `+k8s:format=k8s-extended-resource-name", "`pattern` (and `maxLength`)", "| `+k8s:required` | struct fields | Stable | the field must be set | listed in the object's `required` |"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
