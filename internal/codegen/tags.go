package codegen

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/code-generator/cmd/validation-gen/validators"
	"k8s.io/gengo/v2/types"
)

// TagErrors are +k8s: tags and kubebuilder markers of the API types that would
// be ignored or misread; each is reported where it is written.
type TagErrors []TypeError

func (e TagErrors) Error() string {
	return TypeErrors(e).under("the API types have validation tags that would not do what they say:")
}

// otherGenerators are the +k8s: tags (and prefixes of tags) that other
// generators read; anything else after +k8s: must be a validation-gen tag.
var otherGenerators = []string{
	"k8s:deepcopy-gen", "k8s:conversion-gen", "k8s:conversion-fn", "k8s:defaulter-gen", "k8s:openapi-gen",
	"k8s:openapi-model-package", "k8s:validation-gen", "k8s:validation:", "k8s:prerelease-lifecycle-gen",
	"k8s:protobuf", "k8s:isSubresource", "k8s:supportsSubresource", "k8s:register-gen",
}

// kubebuilderEquivalents maps kubebuilder's validation markers to the +k8s:
// tag that says the same (a payload of "" means the tag takes none).
var kubebuilderEquivalents = map[string]string{
	"Minimum": "k8s:minimum", "Maximum": "k8s:maximum", "MinLength": "k8s:minLength", "MaxLength": "k8s:maxLength",
	"MinItems": "k8s:minItems", "MaxItems": "k8s:maxItems", "MinProperties": "k8s:minProperties",
	"MaxProperties": "k8s:maxProperties", "Format": "k8s:format", "Enum": "k8s:enum", "Required": "k8s:required",
	"Optional": "k8s:optional", "UniqueItems": "k8s:listType=set",
}

// checkTags reads the comments of the project's API packages (dirs, relative
// to the project: those validation-gen generates for, the internal ones, and
// the other versioned or shared ones) and reports, with file:line:
//   - a +k8s: tag no generator knows (a misspelling: validation-gen would
//     ignore it), with the known tag it is closest to;
//   - a validation tag where validation-gen does not read it;
//   - a +kubebuilder:validation: marker, which apiserver-boot's generators do
//     not read, with its +k8s: equivalent.
func checkTags(dir string, validated, internal, others []string) error {
	var errs TagErrors
	check := func(rel string, where packageKind) error {
		files, err := filepath.Glob(filepath.Join(dir, rel, "*.go"))
		if err != nil {
			return err
		}
		for _, file := range files {
			if strings.HasPrefix(filepath.Base(file), "zz_generated.") || strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
			if err != nil {
				continue // the load reports syntax errors
			}
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					line := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
					pos := fmt.Sprintf("%s:%d", filepath.ToSlash(filepath.Join(rel, filepath.Base(file))), fset.Position(c.Pos()).Line)
					if msg := tagProblem(line, where); msg != "" {
						errs = append(errs, TypeError{Pos: pos, Message: msg})
					}
				}
			}
		}
		return nil
	}
	for where, dirs := range map[packageKind][]string{validatedPackage: validated, internalPackage: internal, otherPackage: others} {
		for _, rel := range dirs {
			if err := check(rel, where); err != nil {
				return err
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Pos < errs[j].Pos })
	return errs
}

// packageKind is what validation-gen does with a package's tags.
type packageKind int

const (
	validatedPackage packageKind = iota // generates for it (+k8s:validation-gen in its sources)
	internalPackage                     // the unversioned types: never read
	otherPackage                        // a versioned or shared package without +k8s:validation-gen
)

// tagProblem says what is wrong with one comment line, or "".
func tagProblem(line string, where packageKind) string {
	if rest, ok := strings.CutPrefix(line, "+kubebuilder:validation:"); ok {
		name, value, _ := strings.Cut(rest, "=")
		if eq, ok := kubebuilderEquivalents[name]; ok {
			tag := "+" + eq
			switch {
			case name == "Enum":
				tag = "+k8s:enum on the field's string type, with its values as constants"
			case value != "" && !strings.Contains(eq, "="):
				tag += "=" + value
			}
			return fmt.Sprintf("+kubebuilder:validation:%s is not read here: write %s", rest, tag)
		}
		return fmt.Sprintf("+kubebuilder:validation:%s is not read here and has no +k8s: tag of the same meaning: check it in validation.go", rest)
	}
	if !strings.HasPrefix(line, "+k8s:") {
		return ""
	}
	for _, name := range tagNames(line[1:]) {
		if known(name) {
			switch {
			case where == internalPackage && validators.IsKnownTag(name):
				return fmt.Sprintf("+%s on an internal type is not enforced: put it on the versioned types (validation-gen reads those)", name)
			case where == otherPackage && validators.IsKnownTag(name):
				return fmt.Sprintf("+%s is not enforced: the package has no +k8s:validation-gen=TypesWithField=TypeMeta in its doc.go", name)
			}
			continue
		}
		if guess := closestTag(name); guess != "" {
			return fmt.Sprintf("unknown tag +%s: did you mean +%s?", name, guess)
		}
		return fmt.Sprintf("unknown tag +%s (validation-gen would ignore it)", name)
	}
	return ""
}

// tagNames returns the tag's name and those of tags in its payload
// (+k8s:eachVal=+k8s:minimum=0, +k8s:alpha(since: "1.37")=+k8s:required).
func tagNames(tag string) []string {
	var names []string
	for tag != "" {
		end := strings.IndexAny(tag, "=( \t,;")
		if end < 0 {
			end = len(tag)
		}
		names = append(names, tag[:end])
		rest := tag[end:]
		if strings.HasPrefix(rest, "(") {
			if i := strings.Index(rest, ")"); i >= 0 {
				rest = rest[i+1:]
			}
		}
		next, ok := strings.CutPrefix(rest, "=+")
		if !ok || !strings.HasPrefix(next, "k8s:") {
			break
		}
		tag = next
	}
	return names
}

func known(name string) bool {
	if validators.IsKnownTag(name) {
		return true
	}
	for _, p := range otherGenerators {
		if name == p || strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// closestTag returns the known validation tag nearest to name, if one is
// within a few edits (a typo, a wrong case).
func closestTag(name string) string {
	best, bestDist := "", 4
	for _, candidate := range knownValidationTags {
		if d := editDistance(strings.ToLower(name), strings.ToLower(candidate)); d < bestDist {
			best, bestDist = candidate, d
		}
	}
	return best
}

// knownValidationTags are validation-gen's tags users write most; the closest
// one is suggested for a misspelling.
var knownValidationTags = []string{
	"k8s:required", "k8s:optional", "k8s:forbidden", "k8s:minimum", "k8s:maximum", "k8s:minLength",
	"k8s:maxLength", "k8s:maxBytes", "k8s:minItems", "k8s:maxItems", "k8s:format", "k8s:enum",
	"k8s:immutable", "k8s:update", "k8s:listType", "k8s:listMapKey", "k8s:unique", "k8s:eachVal",
	"k8s:eachKey", "k8s:item", "k8s:subfield", "k8s:unionMember", "k8s:unionDiscriminator",
	"k8s:zeroOrOneOfMember", "k8s:opaqueType", "k8s:neq", "k8s:customValidation",
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// tagKinds says which kind of value each validation tag applies to, as
// validation-gen checks it; checkTagPlacement reports a mismatch where the
// tag is written, before validation-gen (or openapi-gen, which the OpenAPI
// bridge gives the same rule) fails on it without saying where.
var tagKinds = map[string]string{
	"k8s:minimum": "integer", "k8s:maximum": "integer",
	"k8s:minLength": "string", "k8s:maxLength": "string", "k8s:maxBytes": "string", "k8s:format": "string",
	"k8s:minItems": "list", "k8s:maxItems": "list", "k8s:listType": "list", "k8s:listMapKey": "list", "k8s:unique": "list",
	"k8s:minProperties": "map", "k8s:maxProperties": "map", "k8s:eachKey": "map",
}

// checkTagPlacement checks the tags of the struct fields and types of the
// validated packages against the kinds of value they apply to.
func checkTagPlacement(dir, module string, u types.Universe, pkgs []string) error {
	var errs TagErrors
	for _, path := range pkgs {
		pkg := u[path]
		if pkg == nil {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
		report := func(typeName, member, msg string) {
			errs = append(errs, TypeError{Pos: fieldPosition(filepath.Join(dir, rel), rel, typeName, member), Message: msg})
		}
		for _, name := range sortedTypeNames(pkg) {
			t := pkg.Types[name]
			if msg := placementProblem(t.CommentLines, t, name); msg != "" {
				report(name, "", msg)
			}
			if t.Kind != types.Struct {
				continue
			}
			for _, m := range t.Members {
				if hasLine(m.CommentLines, "+k8s:enum") {
					report(name, m.Name, fmt.Sprintf("+k8s:enum goes on the field's type (a string type with its values as constants), not on field %s.%s", name, m.Name))
					continue
				}
				if msg := placementProblem(m.CommentLines, m.Type, name+"."+m.Name); msg != "" {
					report(name, m.Name, msg)
				}
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// placementProblem returns the first tag of comments that cannot apply to a
// value of type t (named what), or "".
func placementProblem(comments []string, t *types.Type, what string) string {
	for _, l := range comments {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "+k8s:") {
			continue
		}
		name := tagNames(l[1:])[0]
		want, ok := tagKinds[name]
		if !ok || valueKind(t) == want {
			continue
		}
		return fmt.Sprintf("+%s applies to %s values; %s is %s", name, want, what, article(valueKind(t)))
	}
	return ""
}

// valueKind is what validation-gen sees of t: integer, string, list, map, struct or other.
func valueKind(t *types.Type) string {
	for t.Kind == types.Pointer || t.Kind == types.Alias {
		if t.Kind == types.Pointer {
			t = t.Elem
		} else {
			t = t.Underlying
		}
	}
	switch {
	case types.IsInteger(t):
		return "integer"
	case t == types.String:
		return "string"
	case t.Kind == types.Slice || t.Kind == types.Array:
		return "list"
	case t.Kind == types.Map:
		return "map"
	case t.Kind == types.Struct:
		return "struct"
	}
	return "other"
}

func article(kind string) string {
	switch kind {
	case "integer":
		return "an integer"
	case "other":
		return "of another kind"
	}
	return "a " + kind
}
