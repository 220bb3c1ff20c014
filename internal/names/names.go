// Package names validates and derives the names a project is made of: domain,
// group, version, kind, plural, short names and the Go identifiers built from
// them. Everything here is a pure function so that the rules can be
// table-tested and every command rejects bad input before touching a file.
package names

import (
	"fmt"
	"go/token"
	"regexp"
	"slices"
	"strings"

	"github.com/gobuffalo/flect"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/version"
)

var (
	versionRE        = regexp.MustCompile(`^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$`)
	kindRE           = regexp.MustCompile(`^[A-Z][a-zA-Z0-9]*$`)
	modulePathElemRE = regexp.MustCompile(`^[A-Za-z0-9][-._~A-Za-z0-9]*$`)
)

// reservedKinds are names that Kubernetes' machinery already uses for its own
// types in every API group (meta/v1, the scale subresource, watch events);
// a user kind with one of these names would collide in the scheme.
var reservedKinds = map[string]bool{
	"List": true, "Status": true, "Scale": true, "WatchEvent": true, "Table": true,
	"APIGroup": true, "APIGroupList": true, "APIResourceList": true, "APIVersions": true,
	"PartialObjectMetadata": true, "PartialObjectMetadataList": true,
	"DeleteOptions": true, "ListOptions": true, "GetOptions": true, "CreateOptions": true,
	"UpdateOptions": true, "PatchOptions": true, "ExportOptions": true, "TableOptions": true,
}

// apiPackageIdents are exported names every generated API package declares
// (register.go); a kind of the same name would not compile.
var apiPackageIdents = map[string]bool{
	"GroupName": true, "SchemeGroupVersion": true, "Kind": true, "Resource": true,
	"SchemeBuilder": true, "AddToScheme": true, "RegisterDefaults": true, "RegisterConversions": true,
}

// ValidateDomain checks the project domain, e.g. "example.com".
func ValidateDomain(domain string) error {
	if domain == "" {
		return fmt.Errorf("--domain is required (e.g. --domain example.com)")
	}
	if errs := validation.IsDNS1123Subdomain(domain); len(errs) > 0 {
		return fmt.Errorf("invalid domain %q: %s", domain, strings.Join(errs, "; "))
	}
	if !strings.Contains(domain, ".") {
		return fmt.Errorf("invalid domain %q: must contain a dot (e.g. example.com) so that API groups are fully qualified", domain)
	}
	return nil
}

// ValidateModule checks a Go module path such as "example.com/bees".
func ValidateModule(module string) error {
	if module == "" {
		return fmt.Errorf("module path is empty")
	}
	for _, elem := range strings.Split(module, "/") {
		if !modulePathElemRE.MatchString(elem) || strings.HasSuffix(elem, ".") {
			return fmt.Errorf("invalid module path %q: element %q is not a valid path element", module, elem)
		}
	}
	return nil
}

// ValidateGroup checks the short group name given with --group. Together with
// the domain it forms the API group <group>.<domain>, and it names the Go
// package pkg/apis/<group>, so it must be a DNS-1123 label.
func ValidateGroup(group, domain string) error {
	if group == "" {
		return fmt.Errorf("--group is required (e.g. --group insect)")
	}
	if errs := validation.IsDNS1123Label(group); len(errs) > 0 {
		return fmt.Errorf("invalid group %q: %s", group, strings.Join(errs, "; "))
	}
	full := FullGroup(group, domain)
	if errs := validation.IsDNS1123Subdomain(full); len(errs) > 0 {
		return fmt.Errorf("invalid group %q: %s is not a valid API group: %s", group, full, strings.Join(errs, "; "))
	}
	if group[0] >= '0' && group[0] <= '9' {
		return fmt.Errorf("invalid group %q: it names the Go package pkg/apis/<group>, and a Go package name cannot start with a digit; use a name that starts with a letter (e.g. %q)", group, "x"+group)
	}
	return nil
}

// ValidateVersion checks an API version such as v1, v1alpha1 or v2beta3.
func ValidateVersion(version string) error {
	if version == "" {
		return fmt.Errorf("--version is required (e.g. --version v1alpha1)")
	}
	if !versionRE.MatchString(version) {
		return fmt.Errorf("invalid version %q: must look like v1, v1alpha1 or v2beta3 (v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?)", version)
	}
	return nil
}

// ValidateKind checks a kind such as Bee or HoneyComb.
func ValidateKind(kind string) error {
	if kind == "" {
		return fmt.Errorf("--kind is required (e.g. --kind Bee)")
	}
	if !kindRE.MatchString(kind) {
		return fmt.Errorf("invalid kind %q: must be UpperCamelCase, start with an upper-case letter and contain only letters and digits", kind)
	}
	if len(kind) > 63 {
		return fmt.Errorf("invalid kind %q: must be at most 63 characters", kind)
	}
	if reservedKinds[kind] {
		return fmt.Errorf("invalid kind %q: the name is reserved by Kubernetes' API machinery", kind)
	}
	if lower := LowerCamel(kind); token.Lookup(lower).IsKeyword() {
		return fmt.Errorf("invalid kind %q: its lower-case form %q is a Go keyword, which the Kubernetes client generator (client-gen) uses as a variable name; choose another name (e.g. %s)", kind, lower, "Network"+kind)
	}
	if apiPackageIdents[kind] {
		return fmt.Errorf("invalid kind %q: every API package declares %s (register.go); choose another name", kind, kind)
	}
	if strings.HasSuffix(kind, "List") {
		return fmt.Errorf("invalid kind %q: names ending in \"List\" are reserved for the list type of a kind", kind)
	}
	return nil
}

// ValidateResource checks a plural resource name given with --resource.
func ValidateResource(resource string) error {
	if errs := validation.IsDNS1035Label(resource); len(errs) > 0 {
		return fmt.Errorf("invalid resource %q: %s", resource, strings.Join(errs, "; "))
	}
	return nil
}

// ValidateShortName checks one entry of --short-names.
func ValidateShortName(s string) error {
	if errs := validation.IsDNS1035Label(s); len(errs) > 0 {
		return fmt.Errorf("invalid short name %q: %s", s, strings.Join(errs, "; "))
	}
	return nil
}

// ValidateCategory checks one entry of --categories.
func ValidateCategory(s string) error {
	if errs := validation.IsDNS1035Label(s); len(errs) > 0 {
		return fmt.Errorf("invalid category %q: %s", s, strings.Join(errs, "; "))
	}
	return nil
}

// FullGroup returns the API group for a short group name: insect → insect.example.com.
func FullGroup(group, domain string) string {
	return group + "." + domain
}

// GroupPackage returns the Go package name for a group: hyphens are not
// allowed in Go identifiers, so "bee-keeping" becomes "beekeeping". The
// generated code imports the group's package without an alias, so a name
// that a generated file already uses (a Go keyword or predeclared name, a
// package it imports such as runtime or fields, a version such as v1) gets
// the suffix "api": group runtime → package runtimeapi (pkg/apis/runtimeapi).
// The API group itself stays runtime.<domain>.
func GroupPackage(group string) string {
	pkg := strings.ReplaceAll(group, "-", "")
	if Reserved(pkg) || versionRE.MatchString(pkg) {
		return pkg + "api"
	}
	return pkg
}

// Reserved reports whether name cannot be used as an unaliased import or a
// local variable in generated code: a Go keyword, a predeclared identifier,
// or a name the generated files declare or import.
func Reserved(name string) bool {
	return token.Lookup(name).IsKeyword() || predeclared[name] || generatedIdents[name]
}

// predeclared are Go's predeclared identifiers (types, constants, zero value, functions).
var predeclared = setOf(`any bool byte comparable complex64 complex128 error float32 float64 int int8 int16
	int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr true false iota nil append cap clear close
	complex copy delete imag len make max min new panic print println real recover`)

// generatedIdents are the import names and package-level or local
// identifiers of the generated files that a group package or a kind's
// variable could shadow. TestReservedCoversTemplates (internal/layout) keeps
// it complete when the templates change. From the line starting with custom:
// custom is the project's pkg/storage/custom (the test skips the project's
// own imports), the other words are locals of the custom-storage templates;
// the next two, those of the admission plugins' files and the self reviews; the
// last two, those of the controller, integration and custom-storage tests
// and of pkg/apiserver.
var generatedIdents = setOf(`admission apiequality apierrors apimachineryvalidation apiserver authuser autoscalingv1
	basecompatibility baseversion cli client clientgoscheme cobra codecs compatibility context conversion ctrl
	ctx diff discovery duration encodingjson err errs etcd3testing fake field fieldpath fields flag fmt fuzzer
	generatedopenapi generic genericapirequest genericapiserver genericoptions genericregistry groups
	healthz http httptest info install io json labels log logf merge meta metafuzzer metainternalversion metav1
	metricsserver names net netutils obj old openapi operation options optsGetter os ptr r rand randfill reflect req rest
	roundtrip apiroundtrip runtime runtimeserializer scheme schema serializer status storage strategy strconv strings t
	testing time types utilerrors utilfeature utilruntime validation wait watch zap
	custom backend store list page stale first created updated update invalid opts got ev w afterStatus withStatus
	slices initializer informers listers clientset user plugin factory informer others other serveradmission
	apiservertest expect cancel authenticationv1 authorizationv1 authorizer
	config errors resttest tester newTester valid seed watched remaining deleteAll second from
	metadata gvr codec mediaType storageCodec apiutil servedTypes kind info ok`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Plural returns the lower-case plural resource name of a kind, the way
// Kubernetes names resources: Bee → bees, Policy → policies, Person → people.
func Plural(kind string) string {
	return strings.ToLower(flect.Pluralize(kind))
}

// Singular returns the lower-case singular resource name of a kind.
func Singular(kind string) string {
	return strings.ToLower(kind)
}

// KindPackage returns the Go package name of a kind's registry package:
// the lower-case kind, with the suffix "registry" when that is a name the
// generated code already uses (kind Storage → package storageregistry).
func KindPackage(kind string) string {
	pkg := strings.ToLower(kind)
	if Reserved(pkg) {
		return pkg + "registry"
	}
	return pkg
}

// GroupGoName is the name generated clients give a group (the clientset's
// <Group><Version>() methods, its import aliases) when the group's own name
// would not do: bee-keeping → BeeKeeping, meta (package metaapi) → MetaAPI.
// pkg is the group's Go package. It is empty when the group name is fine as it is.
func GroupGoName(group, pkg string) string {
	if pkg == group {
		return ""
	}
	name := UpperCamel(group)
	if pkg == strings.ReplaceAll(group, "-", "")+"api" {
		name += "API"
	}
	return name
}

// FileStem returns the lower-case kind that names the kind's files
// (<stem>_types.go, sample/<stem>.yaml).
func FileStem(kind string) string {
	return strings.ToLower(kind)
}

// Var returns the name of a local variable holding a kind's object in
// generated code: lowerCamel, with the suffix "Obj" when that would be a
// keyword or shadow a name the code uses (kind Type → typeObj).
func Var(kind string) string {
	v := LowerCamel(kind)
	if Reserved(v) {
		return v + "Obj"
	}
	return v
}

// LowerCamel returns kind with a lower-case first letter, for Go variables.
func LowerCamel(kind string) string {
	if kind == "" {
		return ""
	}
	// Keep leading acronyms readable: "DNSRecord" → "dnsRecord".
	i := 1
	for i < len(kind) && isUpper(kind[i]) && (i+1 == len(kind) || isUpper(kind[i+1])) {
		i++
	}
	return strings.ToLower(kind[:i]) + kind[i:]
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

// ProjectName derives a short project name from a module path: example.com/bees → bees.
func ProjectName(module string) string {
	name := module[strings.LastIndex(module, "/")+1:]
	// A trailing major version (example.com/bees/v2) does not name the project.
	if len(name) >= 2 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		rest := strings.TrimSuffix(module, "/"+name)
		name = rest[strings.LastIndex(rest, "/")+1:]
	}
	return name
}

// PluralTypeName returns the plural of a kind as a Go type name, the form
// client-gen's --plural-exceptions takes: Bee with plural bees → Bees,
// Person with plural people → People, Bee with plural beez → Beez.
func PluralTypeName(kind, plural string) string {
	if p := flect.Pluralize(kind); strings.ToLower(p) == plural {
		return p
	}
	return strings.ToUpper(plural[:1]) + plural[1:]
}

// SortVersions sorts API versions most preferred first, by Kubernetes'
// version ordering: v2 > v1 > v1beta2 > v1beta1 > v1alpha1.
func SortVersions(vs []string) []string {
	out := slices.Clone(vs)
	slices.SortFunc(out, func(a, b string) int { return -version.CompareKubeAwareVersionStrings(a, b) })
	return out
}

// ValidateSubresource checks the name of a subresource (the last segment of
// its path, as in pods/log).
func ValidateSubresource(s string) error {
	if errs := validation.IsDNS1035Label(s); len(errs) > 0 {
		return fmt.Errorf("invalid subresource %q: %s", s, strings.Join(errs, "; "))
	}
	return nil
}

// UpperCamel turns a lower-case or hyphenated name into a Go identifier:
// replicas → Replicas, my-logs → MyLogs.
func UpperCamel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// genericAdmissionPlugins are k8s.io/apiserver's plugins, which a plugin of
// the project may not be named like.
var genericAdmissionPlugins = setOf(`NamespaceLifecycle MutatingAdmissionWebhook ValidatingAdmissionWebhook
	ValidatingAdmissionPolicy MutatingAdmissionPolicy`)

// ValidateAdmissionPlugin checks the name of an admission plugin: an
// UpperCamelCase name, like kube-apiserver's (NamespaceLifecycle).
func ValidateAdmissionPlugin(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("--name is required (e.g. --name BanDuplicates)")
	case !kindRE.MatchString(name) || len(name) > 63:
		return fmt.Errorf("invalid admission plugin name %q: must be UpperCamelCase, letters and digits, at most 63 characters (e.g. BanDuplicates)", name)
	case genericAdmissionPlugins[name]:
		return fmt.Errorf("invalid admission plugin name %q: k8s.io/apiserver has a plugin of that name", name)
	case strings.EqualFold(name, "Initializer"):
		return fmt.Errorf("invalid admission plugin name %q: pkg/admission/initializer holds what plugins are given", name)
	}
	return nil
}

// AdmissionPackage is the Go package of an admission plugin: its lower-case
// name, with "plugin" appended if that is a name the generated code uses.
func AdmissionPackage(name string) string {
	pkg := strings.ToLower(name)
	if Reserved(pkg) {
		pkg += "plugin"
	}
	return pkg
}
