package codegen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTagProblem(t *testing.T) {
	for _, tt := range []struct {
		line  string
		where packageKind
		want  string // "" for no problem
	}{
		{"+k8s:minimum=0", validatedPackage, ""},
		{"+k8s:eachVal=+k8s:maxLength=3", validatedPackage, ""},
		{`+k8s:alpha(since: "1.37")=+k8s:required`, validatedPackage, ""},
		{"+k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object", validatedPackage, ""},
		{"+k8s:validation:maximum=3", validatedPackage, ""},
		{"+k8s:openapi-model-package=com.example", internalPackage, ""},
		{"+optional", validatedPackage, ""},
		{"+k8s:minimun=0", validatedPackage, "unknown tag +k8s:minimun: did you mean +k8s:minimum?"},
		{"+k8s:MaxLength=3", validatedPackage, "did you mean +k8s:maxLength?"},
		{"+k8s:eachVal=+k8s:maxLenth=3", validatedPackage, "unknown tag +k8s:maxLenth: did you mean +k8s:maxLength?"},
		{"+k8s:frobnicate", validatedPackage, "unknown tag +k8s:frobnicate (validation-gen would ignore it)"},
		{"+k8s:maxLength=3", internalPackage, "on an internal type is not enforced"},
		{"+k8s:maxLength=3", otherPackage, "has no +k8s:validation-gen"},
		{"+kubebuilder:validation:Minimum=1", validatedPackage, "write +k8s:minimum=1"},
		{"+kubebuilder:validation:Enum=a;b", validatedPackage, "+k8s:enum on the field's string type"},
		{"+kubebuilder:validation:UniqueItems=true", validatedPackage, "write +k8s:listType=set"},
		{"+kubebuilder:validation:Pattern=`^a$`", validatedPackage, "no +k8s: tag of the same meaning"},
	} {
		got := tagProblem(tt.line, tt.where)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("tagProblem(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestTagMistakesAreReported checks that misspelled, misplaced and
// kubebuilder tags fail Generate with file:line, and that nothing is written.
func TestTagMistakesAreReported(t *testing.T) {
	dir, p := fixture(t)
	path := filepath.Join(dir, "pkg/apis/insect/v1alpha1/bee_types.go")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "\t// +k8s:minimum=0\n", "\t// +k8s:minimun=0\n\t// +kubebuilder:validation:MaxLength=5\n\t// +k8s:maxItems=3\n", 1)
	if edited == string(data) {
		t.Fatal("the fixture's BeeSpec.Replicas has no +k8s:minimum=0")
	}
	writeTestFile(t, path, edited)
	_, err = Generate(Options{Dir: dir, Project: p})
	if err == nil {
		t.Fatal("Generate accepted the mistakes")
	}
	for _, want := range []string{
		"pkg/apis/insect/v1alpha1/bee_types.go:",
		"unknown tag +k8s:minimun: did you mean +k8s:minimum?",
		"+kubebuilder:validation:MaxLength=5 is not read here: write +k8s:maxLength=5",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pkg/apis/insect/v1alpha1/zz_generated.deepcopy.go")); err == nil {
		t.Error("Generate wrote files despite the errors")
	}

	// Spelled right, in the wrong place: reported where it is, by type.
	writeTestFile(t, path, strings.Replace(string(data), "\t// +k8s:minimum=0\n", "\t// +k8s:maxItems=3\n", 1))
	_, err = Generate(Options{Dir: dir, Project: p})
	if err == nil || !strings.Contains(err.Error(), "pkg/apis/insect/v1alpha1/bee_types.go:") ||
		!strings.Contains(err.Error(), "+k8s:maxItems applies to list values; BeeSpec.Replicas is an integer") {
		t.Fatalf("a tag on the wrong kind of field: got %v", err)
	}
}

func TestOpenAPILines(t *testing.T) {
	got := openapiLines([]string{"Doc.", "+optional", "+k8s:minimum=1", "+k8s:format=k8s-short-name", "+k8s:maxItems=3", "+k8s:validation:maxItems=4"})
	want := []string{" +k8s:validation:minimum=1", ` +k8s:validation:pattern="^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"`, " +k8s:validation:maxLength=63"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("openapiLines = %q, want %q (the user's own openapi marker wins)", got, want)
	}
	if got := openapiLines([]string{"+k8s:required"}); len(got) != 1 || got[0] != " +required" {
		t.Errorf("+k8s:required gives %q, want +required", got)
	}
}
