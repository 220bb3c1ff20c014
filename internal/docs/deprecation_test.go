package docs

import (
	"strings"
	"testing"

	"k8s.io/gengo/v2/types"
)

// TestDeprecation: deprecate version's tags become the reference's note,
// in the words of the server's warning; no tags, no note.
func TestDeprecation(t *testing.T) {
	tagged := &types.Type{CommentLines: []string{
		"Bee is a bee.",
		"+k8s:prerelease-lifecycle-gen:introduced=0.1",
		"+k8s:prerelease-lifecycle-gen:deprecated=0.3",
		"+k8s:prerelease-lifecycle-gen:removed=0.6",
		"+k8s:prerelease-lifecycle-gen:replacement=insect.example.com,v1,Bee",
	}}
	if got, want := deprecation(tagged), "Deprecated in v0.3, unavailable in v0.6; use insect.example.com/v1 Bee."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := deprecation(&types.Type{CommentLines: []string{"Bee is a bee.", "+k8s:prerelease-lifecycle-gen:introduced=0.1"}}); got != "" {
		t.Errorf("a type that is only introduced: %q", got)
	}
	files, err := Render("bees", []*GroupVersion{{Group: "insect.example.com", Version: "v1alpha1", File: "x.md", Kinds: []*Kind{{Name: "Bee", Deprecated: deprecation(tagged)}}}}, "markdown")
	if err != nil {
		t.Fatal(err)
	}
	if md := string(files["x.md"]); !strings.Contains(md, "## Bee\n\n> **Deprecated in v0.3") {
		t.Errorf("the Markdown reference lacks the note:\n%s", md)
	}
}
