package docs

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/code-generator/cmd/validation-gen/validators"

	"github.com/apiserver-boot/apiserver-boot/internal/codegen"
)

// tagNotes say, in this project's words, what the tags users write most
// check. TagReference lists every tag validation-gen registers; a tag
// without a note points at validation-gen's own description.
var tagNotes = map[string]string{
	"k8s:required":           "the field must be set",
	"k8s:optional":           "the field may be left unset (its other tags apply when it is set)",
	"k8s:forbidden":          "the field must not be set",
	"k8s:minimum":            "a number is at least the payload",
	"k8s:maximum":            "a number is at most the payload",
	"k8s:minLength":          "a string is at least that long",
	"k8s:maxLength":          "a string is at most that long",
	"k8s:maxBytes":           "a string is at most that many bytes long",
	"k8s:minItems":           "a list has at least that many items",
	"k8s:maxItems":           "a list has at most that many items",
	"k8s:minProperties":      "a map has at least that many entries",
	"k8s:maxProperties":      "a map has at most that many entries",
	"k8s:format":             "a string has the named Kubernetes form (a DNS label, a label value, an IP, a UUID…)",
	"k8s:enum":               "on a string type: a value is one of the type's constants",
	"k8s:neq":                "a value differs from the payload",
	"k8s:immutable":          "once set, the field keeps its value on update",
	"k8s:update":             "which changes an update may make to the field",
	"k8s:listType":           "how a list is merged and checked: atomic, set (no duplicates) or map (keyed by listMapKey)",
	"k8s:listMapKey":         "with listType=map: the field of the items that keys them",
	"k8s:unique":             "the items of a list are unique (payload set, or map with listMapKey)",
	"k8s:eachVal":            "applies the tag it carries to every item of a list or value of a map",
	"k8s:eachKey":            "applies the tag it carries to every key of a map",
	"k8s:subfield":           "applies the tag it carries to a field of the tagged struct",
	"k8s:item":               "applies the tag it carries to the list item whose key fields have the given values",
	"k8s:unionMember":        "the field is one member of a union: exactly one member is set",
	"k8s:unionDiscriminator": "the field names which member of the union is set",
	"k8s:zeroOrOneOfMember":  "the field is one member of a union of which at most one is set",
	"k8s:dependentRequired":  "when the field is set, the named sibling field must be set too",
	"k8s:dependentForbidden": "when the field is set, the named sibling field must not be",
	"k8s:opaqueType":         "validation does not descend into the field's type (types from other modules, such as metav1's)",
	"k8s:ifEnabled":          "the tag it carries applies only while the named option is enabled",
	"k8s:ifDisabled":         "the tag it carries applies only while the named option is disabled",
}

// TagReference renders docs/tags.md from validation-gen's registered tags
// (facts: name, arguments, payloads, where a tag may stand, its stability),
// the notes above, and what each becomes in OpenAPI here.
func TagReference(docs []validators.TagDoc) []byte {
	docs = slices.Clone(docs)
	slices.SortFunc(docs, func(a, b validators.TagDoc) int { return strings.Compare(a.Tag, b.Tag) })
	var b strings.Builder
	b.WriteString(`# The ` + "`+k8s:`" + ` validation tags

Every tag validation-gen knows at the code-generator version apiserver-boot pins, as a comment line above
a field or type of a versioned API package (` + "`pkg/apis/<group>/<version>`" + `). ` + "`build generated`" + ` turns them
into ` + "`zz_generated.validations.go`" + `; the server enforces them on create and update (with ratcheting:
a value that was already stored and did not change is not refused again), and a misspelt tag, or one
where validation-gen would not read it, is a file:line error before anything is written. Rules across
fields or objects are Go, in ` + "`pkg/apis/<group>/validation`" + `. The last column is what the served OpenAPI
(` + "`kubectl explain`" + `, ` + "`build docs`" + `) shows; tags without one are enforced but not described there.

This page is generated from validation-gen's registry by
` + "`go test ./internal/docs -run TestTagReference -update`" + `, and a test fails when it differs, so it moves
with the pinned version. Where a tag has no note, ` + "`go run k8s.io/code-generator/cmd/validation-gen --docs`" + `
prints upstream's description.

| tag | where | stability | checks | in OpenAPI |
|---|---|---|---|---|
`)
	for _, d := range docs {
		note := tagNotes[d.Tag]
		if note == "" {
			note = "see validation-gen's description"
		}
		var scopes []string
		for _, s := range d.Scopes {
			scopes = append(scopes, string(s))
		}
		slices.Sort(scopes)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", usage(d), strings.Join(scopes, ", "), d.StabilityLevel, note, codegen.OpenAPIForm(d.Tag))
	}
	return []byte(b.String())
}

// usage is a tag's form: +name(args)=payload.
func usage(d validators.TagDoc) string {
	u := "+" + d.Tag
	var args []string
	for _, a := range d.Args {
		value := a.Description // a placeholder such as <field-json-name>, or prose
		if !strings.HasPrefix(value, "<") {
			value = "…"
		}
		if a.Name != "" {
			value = a.Name + ": " + value
		}
		args = append(args, value)
	}
	if len(args) > 0 {
		u += "(" + strings.Join(args, ", ") + ")"
	}
	var payloads []string
	for _, p := range d.Payloads {
		payloads = append(payloads, p.Description)
	}
	if len(payloads) > 0 {
		u += "=" + strings.Join(payloads, " | ")
	}
	return strings.ReplaceAll(u, "|", "\\|")
}
