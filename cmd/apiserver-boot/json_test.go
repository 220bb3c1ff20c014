package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// jsonCase is one command run with -o json, its exit code and the golden
// file its stdout is compared with (testdata/json/<name>.json).
type jsonCase struct {
	name string
	args []string
	exit int
}

// TestJSONOutput pins the field names of every command's -o json, on
// success and on one bad input each: stdout is one JSON object, the same
// shape either way ("error" set on failure, exit code unchanged), compared
// with testdata/json (-update rewrites it). Paths of the temp dir read $DIR.
func TestJSONOutput(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	cases := []jsonCase{
		{"version", []string{"version", "-o", "json"}, 0},
		{"version-bad", []string{"version", "extra", "-o", "json"}, 1},
		{"init-repo-dry-run", []string{"init", "repo", "--domain", "example.com", "--module", "example.com/bees", "--skip-go-mod-tidy", "--dry-run", "-o", "json"}, 0},
		{"init-repo-bad", []string{"init", "repo", "--domain", "Example_Com", "-o", "json"}, 1},
		{"init-repo", []string{"init", "repo", "--domain", "example.com", "--module", "example.com/bees", "--skip-go-mod-tidy", "-o", "json"}, 0},
		{"create-group", []string{"create", "group", "--group", "garden", "-o", "json"}, 0},
		{"create-group-bad", []string{"create", "group", "--group", "Garden_", "-o", "json"}, 1},
		{"create-group-version", []string{"create", "group", "version", "--group", "garden", "--version", "v1", "-o", "json"}, 0},
		{"create-group-version-bad", []string{"create", "group", "version", "--group", "garden", "--version", "1beta", "-o", "json"}, 1},
		{"create-resource-dry-run", []string{"create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--skip-go-mod-tidy", "--dry-run", "-o", "json"}, 0},
		{"create-resource", []string{"create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--skip-go-mod-tidy", "-o", "json"}, 0},
		{"create-resource-bad", []string{"create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "bee", "--skip-go-mod-tidy", "-o", "json"}, 1},
		{"create-subresource", []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "scale", "-o", "json"}, 0},
		{"create-subresource-bad", []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "teleport", "-o", "json"}, 1},
		{"create-admission", []string{"create", "admission", "--name", "BanDuplicates", "--kind", "Bee", "-o", "json"}, 0},
		{"create-admission-bad", []string{"create", "admission", "--name", "BanWasps", "--kind", "Wasp", "-o", "json"}, 1},
		{"create-version", []string{"create", "version", "--group", "insect", "--version", "v1beta1", "-o", "json"}, 0},
		{"deprecate-version", []string{"deprecate", "version", "--group", "insect", "--version", "v1alpha1", "--deprecated-in", "0.3", "--replacement", "v1beta1", "-o", "json"}, 0},
		{"deprecate-version-bad", []string{"deprecate", "version", "--group", "insect", "--version", "v1alpha1", "--deprecated-in", "three", "-o", "json"}, 1},
		{"create-version-bad", []string{"create", "version", "--group", "reptile", "--version", "v1", "-o", "json"}, 1},
		{"build-config", []string{"build", "config", "--name", "bees-apiserver", "--namespace", "bees", "--image", "registry.example.com/bees:v1", "-o", "json"}, 0},
		{"build-config-bad", []string{"build", "config", "--name", "bees-apiserver", "--namespace", "bees", "--image", "registry.example.com/bees:v1", "--replicas", "0", "-o", "json"}, 1},
		{"migrate-storage-bad", []string{"migrate", "storage", "--kind", "Wasp", "-o", "json"}, 1},
		{"uninstall-bad", []string{"uninstall", "--kubeconfig", filepath.Join(outside, "no-kubeconfig"), "-o", "json"}, 1},
		{"build-generated-bad", []string{"build", "generated", "--print-commands", "-o", "json"}, 1},
		{"upgrade-dry-run", []string{"upgrade", "--dry-run", "-o", "json"}, 0},
		{"upgrade-bad", []string{"upgrade", "-o", "json"}, 1}, // run outside a project
		{"doctor-bad", []string{"doctor", "--kubeconfig", filepath.Join(outside, "no-kubeconfig"), "--group", "insect.example.com", "--version", "v1alpha1", "-o", "json"}, 2},
	}
	for _, c := range cases {
		runIn := dir
		if c.name == "upgrade-bad" || c.name == "doctor-bad" {
			runIn = outside
		}
		cmd := exec.Command(binary, c.args...)
		cmd.Dir = runIn
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1767225600")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("%s: %v", c.name, err)
			}
			code = ee.ExitCode()
		}
		if code != c.exit {
			t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", c.name, code, c.exit, stdout.String(), stderr.String())
			continue
		}
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
		if err := dec.Decode(&obj); err != nil || dec.More() {
			t.Errorf("%s: stdout is not one JSON object (%v):\n%s", c.name, err, stdout.String())
			continue
		}
		if e, ok := obj["error"].(map[string]any); (code != 0) != ok || ok && int(e["exitCode"].(float64)) != code {
			t.Errorf("%s: exit %d but error member %v", c.name, code, obj["error"])
		}
		normalized := normalizeJSON(t, obj, map[string]string{dir: "$DIR", outside: "$DIR"})
		golden := filepath.Join("testdata", "json", c.name+".json")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, normalized, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s: %v (run with -update)", c.name, err)
		}
		if !bytes.Equal(want, normalized) {
			t.Errorf("%s: -o json differs from %s (run with -update if intended):\n%s", c.name, golden, normalized)
		}
	}
}

var goVersion = regexp.MustCompile(`"go\d+\.\d+(\.\d+)?"`)

// normalizeJSON makes a command's object comparable across machines: the
// temp dirs, the Go version, and build config's objects reduced to who they
// are (certificates differ on every run).
func normalizeJSON(t *testing.T, obj map[string]any, paths map[string]string) []byte {
	t.Helper()
	if objects, ok := obj["objects"].([]any); ok {
		for i, o := range objects {
			m := o.(map[string]any)
			meta, _ := m["metadata"].(map[string]any)
			if m["apiVersion"] == nil || m["kind"] == nil || meta["name"] == nil {
				t.Errorf("build config object %d has no apiVersion, kind or name: %v", i, m)
			}
			objects[i] = map[string]any{"apiVersion": m["apiVersion"], "kind": m["kind"], "metadata": map[string]any{"name": meta["name"], "namespace": meta["namespace"]}}
		}
	}
	data, err := json.MarshalIndent(obj, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for p, r := range paths {
		s = strings.ReplaceAll(s, p, r)
	}
	return []byte(goVersion.ReplaceAllString(s, `"GO_VERSION"`) + "\n")
}

// TestPinDisagreement: a project whose go.mod pins another apiserver-boot
// than PROJECT names gets one warning line from the commands that read it.
func TestPinDisagreement(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "init", "repo", "--domain", "example.com", "--module", "example.com/bees", "--skip-go-mod-tidy")
	gomod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, dir, "create", "group", "--group", "garden"); strings.Contains(out, "Warning") {
		t.Fatalf("a project as init wrote it got a warning:\n%s", out)
	}
	// Someone ran `go get -tool …@v0.3.0` (and dropped the checkout's replace).
	edited := regexp.MustCompile(`(?m)^\tgithub.com/apiserver-boot/apiserver-boot v\S+$`).ReplaceAllString(string(data), "\tgithub.com/apiserver-boot/apiserver-boot v0.3.0")
	edited = regexp.MustCompile(`(?m)^replace github.com/apiserver-boot/apiserver-boot => .*$`).ReplaceAllString(edited, "")
	if edited == string(data) {
		t.Fatalf("go.mod has no pin to edit:\n%s", data)
	}
	if err := os.WriteFile(gomod, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, dir, "create", "group", "--group", "orchard")
	var warnings []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Warning:") {
			warnings = append(warnings, line)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "go.mod pins apiserver-boot v0.3.0 but PROJECT was written by the development build (devel)") {
		t.Errorf("want one warning line naming both versions, got %q:\n%s", warnings, out)
	}
}
