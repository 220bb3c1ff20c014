package names

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		wantErr string // substring; "" means valid
	}{
		{"domain ok", ValidateDomain("example.com"), ""},
		{"domain empty", ValidateDomain(""), "--domain is required"},
		{"domain upper", ValidateDomain("Example.com"), "invalid domain"},
		{"domain no dot", ValidateDomain("localhost"), "must contain a dot"},
		{"group ok", ValidateGroup("insect", "example.com"), ""},
		{"group hyphen ok", ValidateGroup("bee-keeping", "example.com"), ""},
		{"group upper", ValidateGroup("Insect", "example.com"), "invalid group"},
		{"group dot", ValidateGroup("a.b", "example.com"), "invalid group"},
		{"group starting with a digit", ValidateGroup("3d", "example.com"), "cannot start with a digit"},
		{"group empty", ValidateGroup("", "example.com"), "--group is required"},
		{"version v1", ValidateVersion("v1"), ""},
		{"version v1alpha1", ValidateVersion("v1alpha1"), ""},
		{"version v2beta3", ValidateVersion("v2beta3"), ""},
		{"version no v", ValidateVersion("1"), "invalid version"},
		{"version v0", ValidateVersion("v0"), "invalid version"},
		{"version alpha no number", ValidateVersion("v1alpha"), "invalid version"},
		{"version gamma", ValidateVersion("v1gamma1"), "invalid version"},
		{"kind ok", ValidateKind("HoneyComb"), ""},
		{"kind lower", ValidateKind("bee"), "UpperCamelCase"},
		{"kind underscore", ValidateKind("Honey_Comb"), "UpperCamelCase"},
		{"kind List", ValidateKind("List"), "reserved"},
		{"kind Status", ValidateKind("Status"), "reserved"},
		{"kind ends in List", ValidateKind("BeeList"), "ending in \"List\""},
		{"kind too long", ValidateKind("A" + strings.Repeat("b", 63)), "at most 63"},
		{"resource ok", ValidateResource("bees"), ""},
		{"resource upper", ValidateResource("Bees"), "invalid resource"},
		{"short name ok", ValidateShortName("bz"), ""},
		{"short name bad", ValidateShortName("b_z"), "invalid short name"},
		{"module ok", ValidateModule("example.com/bees"), ""},
		{"module space", ValidateModule("example.com/my bees"), "invalid module path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantErr == "" {
				if tt.err != nil {
					t.Fatalf("unexpected error: %v", tt.err)
				}
				return
			}
			if tt.err == nil || !strings.Contains(tt.err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", tt.err, tt.wantErr)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	for kind, want := range map[string]string{
		"Bee": "bees", "Policy": "policies", "Person": "people", "Box": "boxes",
		"HoneyComb": "honeycombs", "Status2": "status2s", "Wolf": "wolves", "Mouse": "mice",
	} {
		if got := Plural(kind); got != want {
			t.Errorf("Plural(%s) = %s, want %s", kind, got, want)
		}
	}
}

func TestPluralTypeName(t *testing.T) {
	for _, tt := range []struct{ kind, plural, want string }{
		{"Bee", "bees", "Bees"}, {"Person", "people", "People"}, {"Bee", "beez", "Beez"}, {"HoneyComb", "honeycombs", "HoneyCombs"},
	} {
		if got := PluralTypeName(tt.kind, tt.plural); got != tt.want {
			t.Errorf("PluralTypeName(%s, %s) = %s, want %s", tt.kind, tt.plural, got, tt.want)
		}
	}
}

func TestDerived(t *testing.T) {
	if got := LowerCamel("DNSRecord"); got != "dnsRecord" {
		t.Errorf("LowerCamel(DNSRecord) = %s", got)
	}
	if got := LowerCamel("Bee"); got != "bee" {
		t.Errorf("LowerCamel(Bee) = %s", got)
	}
	if got := GroupPackage("bee-keeping"); got != "beekeeping" {
		t.Errorf("GroupPackage = %s", got)
	}
	if got := ProjectName("example.com/bees/v2"); got != "bees" {
		t.Errorf("ProjectName = %s", got)
	}
	if got := FullGroup("insect", "example.com"); got != "insect.example.com" {
		t.Errorf("FullGroup = %s", got)
	}
}

func TestSafeGoNames(t *testing.T) {
	for _, c := range []struct {
		fn       func(string) string
		in, want string
	}{
		{GroupPackage, "insect", "insect"},
		{GroupPackage, "bee-keeping", "beekeeping"},
		{GroupPackage, "func", "funcapi"},
		{GroupPackage, "runtime", "runtimeapi"},
		{GroupPackage, "string", "stringapi"},
		{GroupPackage, "v1", "v1api"},
		{GroupPackage, "apps", "apps"},
		{KindPackage, "Bee", "bee"},
		{KindPackage, "Switch", "switchregistry"},
		{KindPackage, "String", "stringregistry"},
		{KindPackage, "Runtime", "runtimeregistry"},
		{KindPackage, "Storage", "storageregistry"},
		{func(g string) string { return GroupGoName(g, GroupPackage(g)) }, "insect", ""},
		{func(g string) string { return GroupGoName(g, GroupPackage(g)) }, "bee-keeping", "BeeKeeping"},
		{func(g string) string { return GroupGoName(g, GroupPackage(g)) }, "meta", "MetaAPI"},
		{func(g string) string { return GroupGoName(g, GroupPackage(g)) }, "v1", "V1API"},
		{Var, "Bee", "bee"},
		{Var, "Type", "typeObj"},
		{Var, "Runtime", "runtimeObj"},
		{Var, "Error", "errorObj"},
		{Var, "DNSRecord", "dnsRecord"},
		{FileStem, "Switch", "switch"},
	} {
		if got := c.fn(c.in); got != c.want {
			t.Errorf("%s → %q, want %q", c.in, got, c.want)
		}
	}
}
