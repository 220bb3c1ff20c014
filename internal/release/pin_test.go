package release

import (
	"strings"
	"testing"
)

func TestPublished(t *testing.T) {
	for v, want := range map[string]bool{
		"v0.1.0":                               true,
		"v1.2.3-rc.1":                          true,
		"v0.1.1-0.20261130120000-abcdef123456": true, // a pushed commit's pseudo-version
		"(devel)":                              false,
		"(devel) 2353968221410f0ff8d2121ef4e293e206c49b07": false,
		"":                         false,
		"v0.1.0-14-gabcdef1":       false, // git describe past a tag
		"v0.1.0-14-gabcdef1-dirty": false,
		"v0.1.0-dirty":             false,
		"v0.1.1-0.20261130120000-abcdef123456+dirty": false,
		DevelPin: false,
		"v2.0.0": false, // the module path has no /v2
	} {
		if got := Published(v); got != want {
			t.Errorf("Published(%q) = %v, want %v", v, got, want)
		}
	}
}

func gomod(pin string) []byte {
	return []byte("module example.com/bees\n\ngo 1.26.0\n\n" + pin + "\nrequire k8s.io/api v0.37.1\n")
}

func TestPinProblem(t *testing.T) {
	const tool = "tool " + Tool + "\n"
	for _, c := range []struct {
		name, project, gomod, want string
	}{
		{"a release, pinned", "v0.2.0", tool + "require " + Module + " v0.2.0\n", ""},
		{"a development build, pinned to its checkout", "(devel)", tool + "require " + Module + " " + DevelPin + "\nreplace " + Module + " => ../boot\n", ""},
		{"the pin moved by go get -tool", "v0.2.0", tool + "require " + Module + " v0.3.0\n", "go.mod pins apiserver-boot v0.3.0 but PROJECT was written by v0.2.0"},
		{"a release pinned to a checkout", "v0.2.0", tool + "require " + Module + " " + DevelPin + "\nreplace " + Module + " => ../boot\n", "go.mod pins apiserver-boot from ../boot but PROJECT was written by v0.2.0"},
		{"a development build pinned to a release", "(devel)", tool + "require " + Module + " v0.2.0\n", "go.mod pins apiserver-boot v0.2.0 but PROJECT was written by the development build (devel)"},
		{"no pin (v0.1.0)", "v0.1.0", "", "go.mod does not pin apiserver-boot as a tool (PROJECT was written by v0.1.0)"},
		{"a requirement but no tool directive", "v0.2.0", "require " + Module + " v0.2.0\n", "go.mod does not pin apiserver-boot as a tool"},
	} {
		got := PinProblem(c.project, gomod(c.gomod))
		if c.want == "" && got != "" || c.want != "" && !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: %q, want %q…", c.name, got, c.want)
		}
		if strings.Contains(got, "\n") {
			t.Errorf("%s: more than one line: %q", c.name, got)
		}
	}
}

func TestPinFor(t *testing.T) {
	if got := PinFor("v0.2.0"); got != (Pin{Version: "v0.2.0"}) {
		t.Errorf("a release: %+v", got)
	}
	old := SourceDir
	defer func() { SourceDir = old }()
	SourceDir = "/src/apiserver-boot"
	if got := PinFor("(devel)"); got != (Pin{Version: DevelPin, Replace: "/src/apiserver-boot"}) {
		t.Errorf("a development build: %+v", got)
	}
}
