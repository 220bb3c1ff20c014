package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput runs apiserver-boot with bad input and checks, for each case,
// the one-line message, the non-zero exit, and that the tree is unchanged.
func TestBadInput(t *testing.T) {
	// A project with one kind, made once and copied for every case.
	base := t.TempDir()
	mustRun(t, base, "init", "repo", "--domain", "example.com", "--module", "example.com/bees", "--skip-go-mod-tidy")
	mustRun(t, base, "create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--short-names", "bz", "--skip-go-mod-tidy")

	gvr := func(extra ...string) []string {
		return append([]string{"create", "group", "version", "resource"}, extra...)
	}
	tests := []struct {
		name    string
		empty   bool                           // run in an empty directory instead of the project
		prepare func(t *testing.T, dir string) // changes the tree before the command
		args    []string
		want    string
	}{
		{name: "create outside a project", empty: true, args: gvr("--group", "insect", "--version", "v1", "--kind", "Bee"), want: "no PROJECT file found"},
		{name: "init without domain", empty: true, args: []string{"init", "repo"}, want: "--domain is required"},
		{name: "init invalid domain", empty: true, args: []string{"init", "repo", "--domain", "Example_com"}, want: "invalid domain"},
		{name: "init domain without dot", empty: true, args: []string{"init", "repo", "--domain", "localhost"}, want: "must contain a dot"},
		{name: "init invalid module", empty: true, args: []string{"init", "repo", "--domain", "example.com", "--module", "example.com/my bees"}, want: "invalid module path"},
		{name: "init unknown license", empty: true, args: []string{"init", "repo", "--domain", "example.com", "--license", "gpl"}, want: "unknown license \"gpl\""},
		{name: "init in a project", args: []string{"init", "repo", "--domain", "example.com"}, want: "PROJECT already exists"},
		{name: "init next to a go.mod", empty: true, prepare: writeFile("go.mod", "module x\n"), args: []string{"init", "repo", "--domain", "example.com"}, want: "go.mod already exists"},
		{name: "group upper case", args: gvr("--group", "Insect", "--version", "v1", "--kind", "Ant"), want: "invalid group \"Insect\""},
		{name: "group underscore", args: []string{"create", "group", "--group", "in_sect"}, want: "invalid group \"in_sect\""},
		{name: "group starts with a digit", args: []string{"create", "group", "--group", "3d"}, want: "a Go package name cannot start with a digit"},
		{name: "group missing", args: gvr("--version", "v1", "--kind", "Ant"), want: "--group is required"},
		{name: "version without v", args: gvr("--group", "insect", "--version", "1", "--kind", "Ant"), want: "invalid version \"1\""},
		{name: "version gamma", args: []string{"create", "group", "version", "--group", "insect", "--version", "v1gamma1"}, want: "invalid version \"v1gamma1\""},
		{name: "version missing", args: gvr("--group", "insect", "--kind", "Ant"), want: "--version is required"},
		{name: "kind lower case", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "ant"), want: "must be UpperCamelCase"},
		{name: "kind with underscore", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Fire_Ant"), want: "must be UpperCamelCase"},
		{name: "kind List", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "List"), want: "reserved"},
		{name: "kind ending in List", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "AntList"), want: "ending in \"List\""},
		{name: "kind Status", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Status"), want: "reserved"},
		{name: "kind missing", args: gvr("--group", "insect", "--version", "v1alpha1"), want: "--kind is required"},
		{name: "kind exists", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Bee"), want: "kind Bee already exists in group insect.example.com"},
		{name: "kind outside the storage version", prepare: mustBoot("create", "group", "version", "--group", "insect", "--version", "v1beta1"), args: gvr("--group", "insect", "--version", "v1beta1", "--kind", "Ant"), want: "kind Ant must be served in v1alpha1, the storage version of group insect"},
		{name: "kind exists in another version", args: gvr("--group", "insect", "--version", "v1beta1", "--kind", "Bee"), want: "kind Bee already exists"},
		{name: "kind exists in another group", args: gvr("--group", "garden", "--version", "v1", "--kind", "Bee"), want: "must be unique in a project"},
		{name: "resource not lower case", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--resource", "Ants"), want: "invalid resource \"Ants\""},
		{name: "resource equal to singular", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--resource", "ant"), want: "must differ from the singular"},
		{name: "resource taken", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--resource", "bees"), want: "already used by kind Bee"},
		{name: "short name invalid", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--short-names", "a_b"), want: "invalid short name \"a_b\""},
		{name: "short name taken", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--short-names", "bz"), want: "short name \"bz\" is already used"},
		{name: "unknown flag", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--namespaced"), want: "unknown flag: --namespaced"},
		{name: "broken PROJECT", prepare: writeFile("PROJECT", "layout: apiserver-boot.io/v1\ndomain: example.com\nmodule: [\n"), args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant"), want: "PROJECT:"},
		{name: "edited generated file", prepare: appendFile("pkg/apis/insect/register.go", "// my edit\n"), args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant"), want: "refusing to overwrite pkg/apis/insect/register.go"},
		{name: "file in the way of a new kind", prepare: writeFile("pkg/registry/insect/ant/strategy.go", "package ant\n"), args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant"), want: "refusing to overwrite pkg/registry/insect/ant/strategy.go"},
		{name: "manager marker removed", prepare: replaceInFile("cmd/manager/main.go", "// +apiserver-boot:scaffold:scheme", ""), args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant"), want: "marker \"+apiserver-boot:scaffold:scheme\" not found"},
		{name: "unknown build target", args: []string{"build", "executables", "--targets", "etcd", "--generate=false"}, want: "unknown target \"etcd\""},
		{name: "version of a missing group", args: []string{"create", "version", "--group", "garden", "--version", "v1"}, want: "group garden does not exist"},
		{name: "version exists", args: []string{"create", "version", "--group", "insect", "--version", "v1alpha1"}, want: "version v1alpha1 of group insect.example.com already exists"},
		{name: "rename malformed", args: []string{"create", "version", "--group", "insect", "--version", "v1beta1", "--rename-field", "Bee.description"}, want: "invalid --rename-field"},
		{name: "rename unknown field", args: []string{"create", "version", "--group", "insect", "--version", "v1beta1", "--rename-field", "Bee.spec.color=colour"}, want: "has no field with JSON name \"color\""},
		{name: "subresource type unknown", args: []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "proxy", "--subresource", "p"}, want: "invalid --type \"proxy\""},
		{name: "subresource of a missing kind", args: []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--type", "scale"}, want: "kind Ant does not exist"},
		{name: "unknown kind storage", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--storage", "sql"), want: `unknown --storage "sql": use etcd or custom`},
		{name: "read-only without custom storage", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--read-only"), want: "--read-only needs --storage custom"},
		{name: "read-only with a controller", args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant", "--storage", "custom", "--read-only", "--controller"), want: "--read-only kinds have no status subresource and no controller"},
		{name: "admission without a name", args: []string{"create", "admission", "--kind", "Bee"}, want: "--name is required"},
		{name: "admission name not UpperCamel", args: []string{"create", "admission", "--name", "ban-dups", "--kind", "Bee"}, want: `invalid admission plugin name "ban-dups"`},
		{name: "admission named like a generic plugin", args: []string{"create", "admission", "--name", "NamespaceLifecycle", "--kind", "Bee"}, want: "k8s.io/apiserver has a plugin of that name"},
		{name: "admission of a missing kind", args: []string{"create", "admission", "--name", "BanAnts", "--kind", "Ant"}, want: "kind Ant does not exist"},
		{name: "status twice", args: []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "status"}, want: "already has a status subresource"},
		// Names whose files land on one the kind has or can have, computed from the layout.
		{name: "connector named like the integration test", args: []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "connector", "--subresource", "integration"}, want: "invalid --subresource \"integration\": its file pkg/registry/insect/bee/integration_test.go is one kind Bee has or can have"},
		{name: "getter named like custom storage's backend", args: []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "getter", "--subresource", "backend"}, want: "invalid --subresource \"backend\": its file pkg/registry/insect/bee/backend.go is one kind Bee has or can have"},
		{name: "getter named like the strategy", args: []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "getter", "--subresource", "strategy"}, want: "its file pkg/registry/insect/bee/strategy.go is one kind Bee has or can have"},
		{name: "connector without a name", args: []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "connector"}, want: "--subresource is required"},
		{name: "scale path without a field", args: []string{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "scale", "--spec-replicas-path", ".spec.count"}, want: "BeeSpec has no int32 or *int32 field Count"},
		{name: "build config without name", args: []string{"build", "config", "--namespace", "bees", "--image", "bees:dev"}, want: "--name is required"},
		{name: "build config bad key type", args: []string{"build", "config", "--name", "bees", "--namespace", "bees", "--image", "bees:dev", "--key-type", "dsa"}, want: "invalid --key-type \"dsa\""},
		{name: "build container with nothing to do", args: []string{"build", "container", "--image", "bees:dev", "--generate=false"}, want: "give --push, --output, or both"},
		{name: "build container bad platform", args: []string{"build", "container", "--image", "bees:dev", "--push", "--platform", "linux"}, want: "invalid platform \"linux\""},
		{name: "build docs bad format", args: []string{"build", "docs", "--format", "pdf"}, want: "invalid --format \"pdf\""},
		{name: "create in a project of the earlier layout", prepare: replaceInFile("PROJECT", "layout: apiserver-boot.io/v2", "layout: apiserver-boot.io/v1"), args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Wasp"), want: "this project was created by an earlier apiserver-boot (layout apiserver-boot.io/v1)"},
		{name: "deprecate without a release", args: []string{"deprecate", "version", "--group", "insect", "--version", "v1alpha1"}, want: "--deprecated-in is required"},
		{name: "deprecate for an unknown replacement", args: []string{"deprecate", "version", "--group", "insect", "--version", "v1alpha1", "--deprecated-in", "0.3", "--replacement", "v9"}, want: "--replacement v9 is not a version of group insect"},
		{name: "deprecate removed before deprecated", args: []string{"deprecate", "version", "--group", "insect", "--version", "v1alpha1", "--deprecated-in", "0.3", "--removed-in", "0.2"}, want: "--removed-in 0.2 must come after --deprecated-in 0.3"},
		{name: "migrate an unknown kind", args: []string{"migrate", "storage", "--kind", "Wasp"}, want: "kind Wasp does not exist in this project"},
		{name: "migrate an unknown group", args: []string{"migrate", "storage", "--group", "reptile"}, want: "group reptile does not exist in this project"},
		{name: "migrate with no page", args: []string{"migrate", "storage", "--page-size", "0"}, want: "invalid --page-size 0"},
		{name: "uninstall unknown overlay", args: []string{"uninstall", "--overlay", "helm"}, want: `unknown --overlay "helm"`},
		{name: "uninstall nothing deployed", args: []string{"uninstall", "--output-dir", "deploy"}, want: "no manifests at "},
		{name: "doctor unknown output", args: []string{"doctor", "-o", "yaml"}, want: `invalid --output "yaml": want text or json`},
		{name: "doctor version without group", args: []string{"doctor", "--version", "v1"}, want: "--version goes with --group"},
		{name: "doctor invalid version", args: []string{"doctor", "--group", "insect.example.com", "--version", "one"}, want: `invalid version "one"`},
		{name: "doctor name without namespace", args: []string{"doctor", "--name", "bees-apiserver"}, want: "--namespace and --name (or --service-account) go together"},
		{name: "doctor outside a project", empty: true, args: []string{"doctor"}, want: "or name the API with --group and --version"},
		{name: "run local register-into missing file", args: []string{"run", "local", "--build=false", "--register-into", "/nonexistent/kubeconfig"}, want: "--register-into: stat /nonexistent/kubeconfig: no such file or directory"},
		{name: "unwritable directory", prepare: readOnly, args: gvr("--group", "insect", "--version", "v1alpha1", "--kind", "Ant"), want: "cannot write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if !tt.empty {
				if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.prepare != nil {
				tt.prepare(t, dir)
			}
			before := treeHash(t, dir)
			out, err := run(dir, tt.args...)
			if err == nil {
				t.Fatalf("apiserver-boot %v succeeded, want an error containing %q\n%s", tt.args, tt.want, out)
			}
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
				t.Fatalf("want a non-zero exit, got %v", err)
			}
			if !strings.Contains(out, tt.want) {
				t.Fatalf("output does not contain %q:\n%s", tt.want, out)
			}
			if lines := strings.Count(strings.TrimSpace(out), "\n") + 1; lines != 1 && !strings.Contains(tt.want, "refusing") {
				t.Errorf("want one line of error, got %d:\n%s", lines, out)
			}
			if after := treeHash(t, dir); after != before {
				t.Fatal("the command failed but changed the tree")
			}
		})
	}
}

// mustBoot runs an apiserver-boot command that must succeed.
func mustBoot(args ...string) func(*testing.T, string) {
	return func(t *testing.T, dir string) { mustRun(t, dir, args...) }
}

func writeFile(rel, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func appendFile(rel, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(rel, string(data)+content)(t, dir)
	}
}

func replaceInFile(rel, old, new string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), old) {
			t.Fatalf("%s does not contain %q", rel, old)
		}
		writeFile(rel, strings.Replace(string(data), old, new, 1))(t, dir)
	}
}

// readOnly makes the project directory unwritable. root ignores permission
// bits, so as root the directory is made immutable with chattr instead.
func readOnly(t *testing.T, dir string) {
	if os.Getuid() == 0 {
		if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
			t.Fatalf("running as root, and chattr +i failed, so the directory cannot be made unwritable: %v\n%s", err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
	} else {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	}
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Fatal("could not make the directory unwritable")
	}
}
