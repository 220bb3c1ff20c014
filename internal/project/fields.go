package project

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/mod/semver"

	"github.com/apiserver-boot/apiserver-boot/internal/names"
)

// What PROJECT records becomes file paths (pkg/apis/<package>), Go
// identifiers and string literals in generated code. A PROJECT is input like
// a flag (a cloned repository's may have been edited by anyone), so every
// such field is held to the rule of what it becomes, and an error names the
// field.
var (
	goPackageRE = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	jsonNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// As create subresource's --spec-replicas-path and --status-replicas-path.
	replicasPathRE = map[string]*regexp.Regexp{
		"specReplicasPath":   regexp.MustCompile(`^\.spec\.[A-Za-z_][A-Za-z0-9_]*$`),
		"statusReplicasPath": regexp.MustCompile(`^\.status\.[A-Za-z_][A-Za-z0-9_]*$`),
	}
)

func fieldErr(field, value string, why string) error {
	return fmt.Errorf("%s %q: %s", field, value, why)
}

func validGoPackage(field, pkg string) error {
	if !goPackageRE.MatchString(pkg) {
		return fieldErr(field, pkg, "not a Go package name (a lower-case letter, then lower-case letters and digits)")
	}
	return nil
}

// validateFields checks the fields Validate's structural rules do not.
func (p *Project) validateFields() error {
	if err := versionField("kubernetesVersion", p.KubernetesVersion); err != nil {
		return err
	}
	if err := versionField("controllerRuntimeVersion", p.ControllerRuntimeVersion); err != nil {
		return err
	}
	// A tag, a pseudo-version, "(devel) <revision>" or `git describe` output.
	if strings.ContainsFunc(p.ApiserverBootVersion, func(r rune) bool { return unicode.IsControl(r) || r == '"' || r == '\\' || r == '`' }) {
		return fieldErr("apiserverBootVersion", p.ApiserverBootVersion, "holds a control character, a quote or a backslash")
	}
	// The owner goes into every file's license comment.
	if strings.ContainsFunc(p.Owner, unicode.IsControl) || strings.Contains(p.Owner, "*/") {
		return fieldErr("owner", p.Owner, "holds a line break, a control character or */ (it is written into comments)")
	}
	for i, a := range p.AdmissionPlugins {
		if err := validGoPackage(fmt.Sprintf("admissionPlugins[%d].package", i), a.Package); err != nil {
			return err
		}
	}
	for i, g := range p.Groups {
		at := fmt.Sprintf("groups[%d]", i)
		if g.Package != "" {
			if err := validGoPackage(at+".package", g.Package); err != nil {
				return err
			}
		}
		for j, v := range g.Versions {
			if err := p.validateVersionFields(fmt.Sprintf("%s.versions[%d]", at, j), v); err != nil {
				return err
			}
		}
		for j, k := range g.Kinds {
			if err := validateKindFields(fmt.Sprintf("%s.kinds[%d]", at, j), k); err != nil {
				return err
			}
		}
	}
	return nil
}

// versionField checks a module version PROJECT records ("" in older projects).
func versionField(field, v string) error {
	if v != "" && !semver.IsValid(v) {
		return fieldErr(field, v, "not a version such as v0.37.1")
	}
	return nil
}

func (p *Project) validateVersionFields(at string, v Version) error {
	if v.From != "" {
		if err := names.ValidateVersion(v.From); err != nil {
			return fmt.Errorf("%s.from: %w", at, err)
		}
	}
	for i, r := range v.Renames {
		rat := fmt.Sprintf("%s.renames[%d]", at, i)
		if err := names.ValidateKind(r.Kind); err != nil {
			return fmt.Errorf("%s.kind: %w", rat, err)
		}
		if r.Struct != "Spec" && r.Struct != "Status" {
			return fieldErr(rat+".struct", r.Struct, "want Spec or Status")
		}
		for name, val := range map[string]string{"from": r.From, "to": r.To} {
			if !jsonNameRE.MatchString(val) {
				return fieldErr(rat+"."+name, val, "not a field's JSON name")
			}
		}
	}
	return nil
}

func validateKindFields(at string, k Kind) error {
	if k.Package != "" {
		if err := validGoPackage(at+".package", k.Package); err != nil {
			return err
		}
	}
	if err := names.ValidateResource(k.Plural); err != nil {
		return fmt.Errorf("%s.plural: %w", at, err)
	}
	for _, s := range k.ShortNames {
		if err := names.ValidateShortName(s); err != nil {
			return fmt.Errorf("%s.shortNames: %w", at, err)
		}
	}
	for _, c := range k.Categories {
		if err := names.ValidateCategory(c); err != nil {
			return fmt.Errorf("%s.categories: %w", at, err)
		}
	}
	for i, sr := range k.Subresources {
		for name, path := range map[string]string{"specReplicasPath": sr.SpecReplicasPath, "statusReplicasPath": sr.StatusReplicasPath} {
			if path != "" && !replicasPathRE[name].MatchString(path) {
				return fieldErr(fmt.Sprintf("%s.subresources[%d].%s", at, i, name), path, "want ."+strings.TrimSuffix(name, "ReplicasPath")+".<field>")
			}
		}
	}
	return nil
}
