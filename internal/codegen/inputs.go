package codegen

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

// inputs are the packages and flags derived from PROJECT.
type inputs struct {
	module      string
	dir         string
	header      string   // path of the boilerplate file, or ""
	groups      []string // internal packages
	versions    []string // versioned packages
	clients     []string // versioned packages with kinds (+genclient)
	clientGVs   []string // group/version of clients, relative to pkg/apis
	pluralExcep string   // Kind:Plural,… so clients use the PROJECT's plurals
	// openapiExtra are packages outside the project whose types the served
	// API uses: autoscaling/v1 Scale for scale subresources, and whatever
	// the types reach (see reach); they are read-only for openapi-gen.
	openapiExtra []string
	// local are the project's own packages, besides groups and versions,
	// that the types reach: they get deep-copy functions and OpenAPI too.
	local []string
	// validated are the packages validation-gen generates for: those whose
	// sources carry +k8s:validation-gen= (what kube_codegen.sh greps for).
	validated []string
	// lifecycle are the versions prerelease-lifecycle-gen generates for:
	// those with +k8s:prerelease-lifecycle-gen=true (deprecated versions).
	lifecycle []string
	// applyExternals map the k8s.io/api types the fields use to client-go's
	// apply configurations (type:package, applyconfiguration-gen's form).
	applyExternals []string
	// protobufExternal are the packages outside the project whose types
	// the protobuf messages reach.
	protobufExternal []string
}

func newInputs(dir string, m *model.Project) *inputs {
	in := &inputs{module: m.Module, dir: dir}
	if _, err := os.Stat(filepath.Join(dir, model.BoilerplateFile)); err == nil {
		in.header = filepath.Join(dir, model.BoilerplateFile)
	}
	var plurals []string
	for _, g := range m.Groups {
		in.groups = append(in.groups, g.ImportPath())
		for _, v := range g.Spec.Versions { // PROJECT order, as the flags always had it
			mv := g.Version(v.Name)
			in.versions = append(in.versions, mv.ImportPath())
			if len(mv.Kinds) > 0 {
				in.clients = append(in.clients, mv.ImportPath())
				in.clientGVs = append(in.clientGVs, g.Package+"/"+mv.Name)
			}
		}
		for _, k := range g.Kinds {
			plurals = append(plurals, k.Name+":"+k.PluralType)
		}
	}
	if m.HasScale() {
		in.openapiExtra = append(in.openapiExtra, autoscalingV1)
	}
	// A --standalone server answers kubectl auth can-i and whoami itself
	// (pkg/apiserver/selfreviews.go), with the review types of these packages.
	in.openapiExtra = sorted(in.openapiExtra, selfReviewPkgs)
	in.validated = in.withValidationTag(in.groups, in.versions)
	in.lifecycle = in.withTag(lifecycleGenTag, in.versions)
	sort.Strings(plurals)
	in.pluralExcep = strings.Join(plurals, ",")
	return in
}

// setReached adds what the API's types reach to the generators' inputs.
func (in *inputs) setReached(r *reached) {
	for _, pkg := range r.external {
		if !slices.Contains(openapiExtraPkgs, pkg) {
			in.openapiExtra = sorted(in.openapiExtra, []string{pkg})
		}
	}
	in.local = r.local
	in.protobufExternal = nil
	for _, pkg := range r.external {
		if strings.HasPrefix(pkg, "k8s.io/") {
			in.protobufExternal = append(in.protobufExternal, pkg)
		}
	}
	in.validated = sorted(in.validated, in.withValidationTag(r.local))
	in.applyExternals = r.externalApplyConfigurations()
}

// withValidationTag returns the packages of the project among pkgs one of
// whose Go files has a +k8s:validation-gen= comment line.
func (in *inputs) withValidationTag(pkgs ...[]string) []string {
	return in.withTag(validationGenTag, pkgs...)
}

// withTag returns the packages of the project among pkgs one of whose Go
// files has a line tag matches.
func (in *inputs) withTag(tag *regexp.Regexp, pkgs ...[]string) []string {
	var out []string
	for _, p := range sorted(pkgs...) {
		files, _ := filepath.Glob(filepath.Join(in.dir, filepath.FromSlash(strings.TrimPrefix(p, in.module+"/")), "*.go"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err == nil && tag.Match(data) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// validationGenTag is kube_codegen.sh's pattern: ^\s*//\s*+k8s:validation-gen=
var validationGenTag = regexp.MustCompile(`(?m)^\s*//\s*\+k8s:validation-gen=`)

// lifecycleGenTag enables prerelease-lifecycle-gen in a package (doc.go).
var lifecycleGenTag = regexp.MustCompile(`(?m)^\s*//\s*\+k8s:prerelease-lifecycle-gen=true`)

// checkTags checks the tags of the project's API packages (see checkTags).
func (in *inputs) checkTags() error {
	var validated, internal, others []string
	rel := func(p string) string { return strings.TrimPrefix(p, in.module+"/") }
	for _, p := range in.validated {
		validated = append(validated, rel(p))
	}
	for _, p := range in.groups {
		internal = append(internal, rel(p))
	}
	for _, p := range sorted(in.versions, in.local) {
		if !slices.Contains(in.validated, p) {
			others = append(others, rel(p))
		}
	}
	return checkTags(in.dir, validated, internal, others)
}

// localDirs are the shared packages' directories, relative to the project.
func (in *inputs) localDirs() []string {
	var out []string
	for _, l := range in.local {
		out = append(out, strings.TrimPrefix(l, in.module+"/"))
	}
	return out
}

// metav1 holds ObjectMeta, Condition and the other common API types.
const metav1 = "k8s.io/apimachinery/pkg/apis/meta/v1"

// autoscalingV1 holds the Scale type of scale subresources.
const autoscalingV1 = "k8s.io/api/autoscaling/v1"

// selfReviewPkgs hold SelfSubjectReview and SelfSubjectAccessReview.
var selfReviewPkgs = []string{"k8s.io/api/authentication/v1", "k8s.io/api/authorization/v1"}

// readonlyPkgs are packages in the module cache that openapi-gen must not
// write model-name files into: kube_codegen.sh's, and autoscaling/v1.
var readonlyPkgs = append([]string{autoscalingV1}, kubeCodegenReadonlyPkgs...)

// kubeCodegenReadonlyPkgs are kube_codegen.sh's KUBE_CODEGEN_READONLY_PKGS,
// which it passes to openapi-gen and validation-gen.
var kubeCodegenReadonlyPkgs = []string{
	metav1,
	"k8s.io/apimachinery/pkg/api/resource",
	"k8s.io/apimachinery/pkg/runtime",
	"k8s.io/apimachinery/pkg/types",
	"k8s.io/apimachinery/pkg/util/intstr",
	"k8s.io/apimachinery/pkg/version",
	"time",
}

// openapiExtraPkgs are the apimachinery packages kube_codegen.sh passes to
// openapi-gen, for the types most API types reference.
var openapiExtraPkgs = []string{
	"k8s.io/apimachinery/pkg/apis/meta/v1",
	"k8s.io/apimachinery/pkg/runtime",
	"k8s.io/apimachinery/pkg/version",
	"k8s.io/apimachinery/pkg/api/resource",
}

// invocation is one generator run as a command line: the binary's name and
// its arguments, exactly what kube_codegen.sh would execute.
type invocation struct {
	name string
	argv []string
}

// invocations returns the generator runs in kube_codegen.sh's order, each with
// the flags kube_codegen.sh gives it.
func (in *inputs) invocations(reportFile string) []invocation {
	dir := func(rel string) string { return filepath.Join(in.dir, filepath.FromSlash(rel)) }
	pkg := func(rel string) string { return in.module + "/" + rel }
	helpers := func(file string, pkgs ...[]string) []string {
		return append([]string{"--output-file", file, "--go-header-file", in.header}, sorted(pkgs...)...)
	}
	invs := []invocation{
		{"deepcopy-gen", helpers("zz_generated.deepcopy.go", in.groups, in.versions, in.local)},
	}
	if len(in.validated) > 0 {
		validation := []string{"--output-file", "zz_generated.validations.go"}
		// kube_codegen.sh's read-only packages but metav1: with it, upstream
		// validation-gen fails on every type that holds a metav1.Condition
		// (Condition's +k8s:customValidation is looked up in metav1, while the
		// function lives in metav1/validation). Without it, fields of metav1
		// types carry +k8s:opaqueType (the scaffold's do); the registry
		// validates metadata itself.
		for _, p := range kubeCodegenReadonlyPkgs {
			if p != metav1 {
				validation = append(validation, "--readonly-pkg", p)
			}
		}
		validation = append(validation, "--go-header-file", in.header)
		invs = append(invs, invocation{"validation-gen", append(validation, in.validated...)})
	}
	if len(in.lifecycle) > 0 {
		invs = append(invs, invocation{"prerelease-lifecycle-gen", helpers("zz_generated.prerelease-lifecycle.go", in.lifecycle)})
	}
	invs = append(invs,
		invocation{"defaulter-gen", helpers("zz_generated.defaults.go", in.versions)},
		invocation{"conversion-gen", helpers("zz_generated.conversion.go", in.versions)},
	)
	openapi := []string{
		"--output-file", "zz_generated.openapi.go",
		"--go-header-file", in.header,
		"--output-dir", dir(model.OpenAPIDir),
		"--output-pkg", pkg(model.OpenAPIDir),
		"--report-filename", reportFile,
		"--output-model-name-file=zz_generated.model_name.go",
	}
	for _, p := range sorted(readonlyPkgs, in.openapiExtra) {
		openapi = append(openapi, "--readonly-pkg", p)
	}
	invs = append(invs, invocation{"openapi-gen", append(append(openapi, openapiExtraPkgs...), sorted(in.openapiExtra, in.local, in.versions)...)})
	if len(in.clients) == 0 {
		return invs
	}
	clientArgv := []string{
		"--go-header-file", in.header,
		"--output-dir", dir(model.ClientsetDir),
		"--output-pkg", pkg(model.ClientsetDir),
		"--clientset-name", model.ClientsetName,
		"--apply-configuration-package", pkg(model.ApplyConfigurationDir),
		"--input-base", pkg(model.APIsDir),
		"--plural-exceptions", in.pluralExcep,
		"--prefers-protobuf=true",
	}
	for _, gv := range sorted(in.clientGVs) {
		clientArgv = append(clientArgv, "--input", gv)
	}
	invs = append(invs,
		invocation{"applyconfiguration-gen", append([]string{
			"--go-header-file", in.header,
			"--output-dir", dir(model.ApplyConfigurationDir),
			"--output-pkg", pkg(model.ApplyConfigurationDir),
			"--external-applyconfigurations", strings.Join(in.applyExternals, ","),
			"--openapi-schema", "",
		}, sorted(in.clients)...)},
		invocation{"client-gen", clientArgv},
		invocation{"lister-gen", append([]string{
			"--go-header-file", in.header,
			"--output-dir", dir(model.ListersDir),
			"--output-pkg", pkg(model.ListersDir),
			"--plural-exceptions", in.pluralExcep,
		}, sorted(in.clients)...)},
		invocation{"informer-gen", append([]string{
			"--go-header-file", in.header,
			"--output-dir", dir(model.InformersDir),
			"--output-pkg", pkg(model.InformersDir),
			"--versioned-clientset-package", pkg(model.ClientsetDir + "/" + model.ClientsetName),
			"--listers-package", pkg(model.ListersDir),
			"--plural-exceptions", in.pluralExcep,
		}, sorted(in.clients)...)},
	)
	// go-to-protobuf runs last, as it adds protobuf struct tags to every Go
	// file of its packages, the other generators' output included.
	return append(invs, invocation{"go-to-protobuf", in.protobufArgv()})
}

// ProtoRoot stands for go-to-protobuf's --output-dir (also its --proto-import)
// in the command lines: a GOPATH-shaped tree where every Go package's
// directory is at its import path (see LinkProtoRoot). The in-process run
// does not need one.
const ProtoRoot = "$PROTO_ROOT"

// protobufArgv is go-to-protobuf's command line: the project's versioned
// packages with kinds and its shared packages are generated; apimachinery's
// and what the types reach outside the project are read-only (their
// generated.proto files ship in their modules). Generated code is excluded
// from the generators' own loads by its build tag, as the zz_generated files
// are, so that a stale generated.pb.go never stops a run.
func (in *inputs) protobufArgv() []string {
	var readonly []string
	for _, p := range sorted(protobufReadonlyPkgs, in.protobufExternal) {
		readonly = append(readonly, "-"+p)
	}
	return []string{
		"--go-header-file", in.header,
		"--conditional", "!ignore_autogenerated",
		"--output-dir", ProtoRoot,
		"--proto-import", ProtoRoot,
		"--apimachinery-packages", strings.Join(readonly, ","),
		"--packages", strings.Join(in.protobufPkgs(), ","),
	}
}

// protobufPkgs are the packages go-to-protobuf generates for.
func (in *inputs) protobufPkgs() []string { return sorted(in.clients, in.local) }

// protobufReadonlyPkgs are the apimachinery packages whose types API types
// use: their protobuf messages are imported, not generated.
var protobufReadonlyPkgs = []string{
	"k8s.io/apimachinery/pkg/api/resource",
	"k8s.io/apimachinery/pkg/apis/meta/v1",
	"k8s.io/apimachinery/pkg/runtime",
	"k8s.io/apimachinery/pkg/runtime/schema",
	"k8s.io/apimachinery/pkg/util/intstr",
}

// argv returns the command line of the named generator.
func (in *inputs) argv(name, reportFile string) []string {
	for _, inv := range in.invocations(reportFile) {
		if inv.name == name {
			return inv.argv
		}
	}
	return nil
}

// steps turns the invocations into in-process generator runs.
func (in *inputs) steps(reportFile string) ([]step, error) {
	var steps []step
	for _, inv := range in.invocations(reportFile) {
		var s []step
		var err error
		switch inv.name {
		case "openapi-gen":
			s, err = openapiSteps(inv.argv)
		case "validation-gen", "go-to-protobuf":
			// Upstream's commands, run in a stage (see external.go).
			continue
		default:
			var one step
			one, err = stepFuncs[inv.name](inv.argv)
			s = []step{one}
		}
		if err != nil {
			return nil, err
		}
		steps = append(steps, s...)
	}
	return steps, nil
}

// all returns every package any generator reads, for the one shared load.
func (in *inputs) all() []string {
	return sorted(openapiExtraPkgs, in.openapiExtra, in.groups, in.versions)
}
