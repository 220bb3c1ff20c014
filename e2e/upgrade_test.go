package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/release"
	"github.com/apiserver-boot/apiserver-boot/internal/upgrade"
)

// previousRelease is the release TestUpgrade upgrades from, built from this
// repository's own history: the tag, or, in a clone without tags, the commit
// it names.
const (
	previousRelease       = "v0.1.0"
	previousReleaseCommit = "2353968221410f0ff8d2121ef4e293e206c49b07"
)

// releaseBinary builds apiserver-boot as it was at previousRelease, from
// git history, stamped with its version. The build is cached by commit.
func releaseBinary(t *testing.T) string {
	t.Helper()
	git := requireTool(t, "git", "an older release built from this repository's history")
	commit := previousReleaseCommit
	if out, err := exec.Command(git, "-C", "..", "rev-parse", "--verify", "--quiet", previousRelease+"^{commit}").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command(git, "-C", "..", "cat-file", "-e", commit+"^{commit}").CombinedOutput(); err != nil {
		t.Fatalf("release %s (commit %s) is not in this clone's history (a shallow clone?): %v\n%s", previousRelease, commit, err, out)
	}
	bin := filepath.Join(e2eCache(t), fmt.Sprintf("apiserver-boot-%s-%.12s", previousRelease, commit))
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	src := t.TempDir()
	archive := exec.Command(git, "-C", "..", "archive", "--format=tar", commit)
	untar := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	untar.Stdin = pipe
	if err := untar.Start(); err != nil {
		t.Fatal(err)
	}
	var archiveErr bytes.Buffer
	archive.Stderr = &archiveErr
	if err := archive.Run(); err != nil {
		t.Fatalf("git archive %s: %v\n%s", commit, err, archiveErr.String())
	}
	if err := untar.Wait(); err != nil {
		t.Fatalf("extracting %s: %v", commit, err)
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-ldflags", "-X github.com/apiserver-boot/apiserver-boot/internal/release.Version="+previousRelease, "-o", bin+".tmp", "./cmd/apiserver-boot")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building apiserver-boot %s: %v\n%s", previousRelease, err, out)
	}
	if err := os.Rename(bin+".tmp", bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// upgradeCommands scaffold the project TestUpgrade upgrades: two groups, a
// kind with status and scale, a second version with a renamed field.
var upgradeCommands = [][]string{
	{"create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee"},
	{"create", "subresource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--type", "scale"},
	{"create", "group", "version", "resource", "--group", "garden", "--version", "v1", "--kind", "Flower", "--controller=false"},
	{"create", "version", "--group", "insect", "--version", "v1beta1", "--rename-field", "Bee.spec.description=summary"},
}

// userEdit is an edit a user makes to a generated file: old is replaced by new.
type userEdit struct{ path, old, new string }

// userEdits are what a user does to the project: a field, a validation rule,
// a column, a controller change.
var userEdits = []userEdit{
	{"pkg/apis/insect/bee_types.go", "type BeeSpec struct {\n", "type BeeSpec struct {\n\t// Wings is the number of wings.\n\tWings int32\n"},
	{"pkg/apis/insect/v1alpha1/bee_types.go", "type BeeSpec struct {\n", "type BeeSpec struct {\n\t// Wings is the number of wings.\n\t// +optional\n\tWings int32 `json:\"wings,omitempty\"`\n"},
	{"pkg/apis/insect/v1beta1/bee_types.go", "type BeeSpec struct {\n", "type BeeSpec struct {\n\t// Wings is the number of wings.\n\t// +optional\n\tWings int32 `json:\"wings,omitempty\"`\n"},
	{"pkg/apis/insect/validation/bee.go", "field.NewPath(\"spec\"))...)\n\treturn allErrs\n", "field.NewPath(\"spec\"))...)\n\tif obj.Spec.Wings > 4 {\n\t\tallErrs = append(allErrs, field.Invalid(field.NewPath(\"spec\", \"wings\"), obj.Spec.Wings, \"a bee has at most 4 wings\"))\n\t}\n\treturn allErrs\n"},
	{"pkg/registry/insect/bee/strategy.go", "o.Spec.Description}", "o.Spec.Description, o.Spec.Wings}"},
	{"pkg/registry/insect/bee/strategy.go", "Description: \"spec.description.\"},\n", "Description: \"spec.description.\"},\n\t{Name: \"Wings\", Type: \"integer\", Priority: 1, Description: \"spec.wings.\"},\n"},
	{"pkg/controller/insect/bee_controller.go", "fmt.Sprintf(\"generation %d reconciled\", bee.Generation)", "fmt.Sprintf(\"generation %d reconciled with %d wings\", bee.Generation, bee.Spec.Wings)"},
}

const userFile, userFileContent = "pkg/wings/wings.go", "// Package wings is the user's own.\npackage wings\n\n// Max is how many wings a bee has at most.\nconst Max = 4\n"

// TestUpgrade builds the previous release from git history, scaffolds a
// project with it, edits it as a user would, and upgrades it with this tree's
// apiserver-boot: edits kept, the templates' changes in, a conflict marked
// and reported, then (resolved) the project builds, passes its own tests and
// serves. An unedited project upgrades to exactly a fresh scaffold.
func TestUpgrade(t *testing.T) {
	sideBySide(t)
	requireTool(t, "kubectl", "the upgraded project serves with real kubectl")
	old, cur := releaseBinary(t), buildCLI(t)
	scaffold := func(bin string) string {
		dir := initProject(t, bin, "bees")
		for _, args := range upgradeCommands {
			boot(t, bin, dir, args...)
		}
		return dir
	}
	edited, unedited, fresh := scaffold(old), scaffold(old), scaffold(cur)
	if p := readFile(t, edited, "PROJECT"); !strings.Contains(p, "apiserverBootVersion: "+previousRelease) {
		t.Fatalf("the project made by %s does not record it:\n%s", previousRelease, p)
	}

	// What changed in the templates between the release and this tree.
	oldGen, newGen := generatedFiles(t, unedited), generatedFiles(t, fresh)
	freshFiles := allFiles(t, fresh)
	var changed []string
	for p, content := range newGen {
		if oldGen[p] != content {
			changed = append(changed, p)
		}
	}
	slices.Sort(changed)
	if len(changed) == 0 {
		t.Fatalf("no generated file differs between %s and this tree: an upgrade has nothing to prove", previousRelease)
	}
	t.Logf("%d generated files differ between %s and this tree: %s", len(changed), previousRelease, strings.Join(changed, ", "))

	// The user's edits, a file of their own, and one deliberate conflict: a
	// line just above the first one the new templates change, edited.
	editedPaths := map[string]bool{}
	for _, e := range userEdits {
		content := readFile(t, edited, e.path)
		if !strings.Contains(content, e.old) {
			t.Fatalf("%s (made by %s) has no %q to edit", e.path, previousRelease, e.old)
		}
		writeFile(t, filepath.Join(edited, e.path), strings.Replace(content, e.old, e.new, 1))
		editedPaths[e.path] = true
	}
	// As the user's editor would.
	gofmt := exec.Command("gofmt", "-w", "pkg")
	gofmt.Dir = edited
	if out, err := gofmt.CombinedOutput(); err != nil {
		t.Fatalf("gofmt: %v\n%s", err, out)
	}
	for _, e := range userEdits {
		if !strings.Contains(squash(readFile(t, edited, e.path)), squash(e.new)) {
			t.Fatalf("after gofmt, %s does not have the edit %q", e.path, e.new)
		}
	}
	writeFile(t, filepath.Join(edited, userFile), userFileContent)

	// The release's data: its server, from the edited project, stores a Bee
	// in etcd as JSON (the upgraded server must read it; see below).
	boot(t, old, edited, "build", "executables")
	etcdURL := startEtcd(t)
	releaseServer := startServer(t, edited, "--etcd-servers", etcdURL)
	writeFile(t, filepath.Join(edited, "bee-old.yaml"), "apiVersion: insect.example.com/v1alpha1\nkind: Bee\nmetadata:\n  name: from-the-release\n  namespace: default\nspec:\n  replicas: 1\n  description: stored by "+previousRelease+"\n  wings: 2\n")
	mustKubectl(t, releaseServer.kubeconfig, "create", "-f", filepath.Join(edited, "bee-old.yaml"))
	if v := storedBytes(t, etcdURL, "bees", "default", "from-the-release"); !bytes.HasPrefix(v, []byte("{")) {
		t.Fatalf("the %s server stored %q, not JSON", previousRelease, v[:min(len(v), 16)])
	}
	releaseServer.stop()
	if err := os.Remove(filepath.Join(edited, "bee-old.yaml")); err != nil {
		t.Fatal(err)
	}

	conflictPath, conflictLine := plantConflict(t, edited, changed, oldGen, newGen, editedPaths)
	t.Logf("deliberate conflict: %s, the line %q", conflictPath, conflictLine)
	// And a clean merge: in another file the templates change, a line of the
	// user's far from the templates' changes.
	cleanPath, cleanLine := plantCleanEdit(t, edited, changed, oldGen, newGen, map[string]bool{conflictPath: true})
	t.Logf("clean merge: %s, the user's line %q", cleanPath, cleanLine)
	editedPaths[cleanPath] = true

	// The plan for programs (--dry-run -o json): the same outcomes, nothing written.
	beforePlan := treeHash(t, edited)
	planned := exec.Command(cur, "upgrade", "--dry-run", "-o", "json")
	planned.Dir = edited
	var plan struct {
		From, To                     string
		Replaced, Merged, Conflicted []string
		Error                        *struct{ ExitCode int }
		Changelog                    []struct{ Version, Text string }
	}
	if out, err := planned.Output(); err == nil || json.Unmarshal(out, &plan) != nil {
		t.Fatalf("upgrade --dry-run -o json with a conflict: %v, want exit 1 and JSON:\n%s", err, out)
	}
	if plan.From != previousRelease || plan.Error == nil || plan.Error.ExitCode != 1 ||
		!slices.Equal(plan.Conflicted, []string{conflictPath}) || !slices.Contains(plan.Merged, cleanPath) || len(plan.Replaced) == 0 {
		t.Errorf("upgrade --dry-run -o json: %+v; want from %s, %s conflicted, %s merged, some replaced, exit 1", plan, previousRelease, conflictPath, cleanPath)
	}
	// What changed since the project's release: CHANGELOG.md's sections after
	// v0.1.0, this tree's (Unreleased) first, not v0.1.0's own.
	if len(plan.Changelog) == 0 || plan.Changelog[0].Version != "Unreleased" || plan.Changelog[0].Text == "" ||
		slices.ContainsFunc(plan.Changelog, func(c struct{ Version, Text string }) bool { return c.Version == previousRelease }) {
		t.Errorf("upgrade -o json changelog: %+v; want the sections after %s, Unreleased first", plan.Changelog, previousRelease)
	}
	if treeHash(t, edited) != beforePlan {
		t.Fatalf("upgrade --dry-run -o json changed the project")
	}

	// First run: merged, the conflict marked and reported, non-zero exit.
	out, err := bootErr(cur, edited, "upgrade")
	if err == nil || !strings.Contains(out, "conflict") || !strings.Contains(out, conflictPath) {
		t.Fatalf("upgrade with a conflict: err %v, want a non-zero exit naming %s:\n%s", err, conflictPath, out)
	}
	t.Logf("upgrade with a conflict:\n%s", out)
	if !strings.Contains(out, "What changed in apiserver-boot since "+previousRelease+" (CHANGELOG.md):\n\n## Unreleased\n") {
		t.Errorf("upgrade does not print the changelog since %s:\n%s", previousRelease, out)
	}
	// The file both sides changed without overlapping is merged: the user's
	// line kept, every line the templates added in, every line they removed out.
	if !containsLine(out, string(upgrade.Merged), cleanPath) {
		t.Errorf("upgrade does not report %s as merged:\n%s", cleanPath, out)
	}
	merged := readFile(t, edited, cleanPath)
	if !strings.Contains(merged, cleanLine) {
		t.Errorf("the clean merge of %s lost the user's line %q", cleanPath, cleanLine)
	}
	for _, l := range addedLines(oldGen[cleanPath], newGen[cleanPath]) {
		if !strings.Contains(merged, l) {
			t.Errorf("the clean merge of %s lacks the new template's line %q", cleanPath, l)
		}
	}
	for _, l := range addedLines(newGen[cleanPath], oldGen[cleanPath]) {
		if strings.Contains(merged, l+"\n") {
			t.Errorf("the clean merge of %s keeps the line %q the new template removed", cleanPath, l)
		}
	}
	marked := readFile(t, edited, conflictPath)
	if !strings.Contains(marked, "<<<<<<< ") || !strings.Contains(marked, ">>>>>>> apiserver-boot") || !strings.Contains(marked, conflictLine) {
		t.Fatalf("%s has no conflict markers around the user's line:\n%s", conflictPath, marked)
	}
	// Every user edit is kept, the user's own file untouched.
	for _, e := range userEdits {
		if !strings.Contains(squash(readFile(t, edited, e.path)), squash(e.new)) {
			t.Errorf("the user's edit of %s is lost:\n%s", e.path, readFile(t, edited, e.path))
		}
	}
	if readFile(t, edited, userFile) != userFileContent {
		t.Error("the user's own file changed")
	}
	// The templates' changes are in: unedited files are exactly the new
	// templates' output; edited ones have every line the templates added.
	for _, p := range changed {
		got := readFile(t, edited, p)
		switch {
		case p == conflictPath || p == "go.mod":
		case !editedPaths[p]:
			if got != freshFiles[p] {
				t.Errorf("%s was not edited, but is not what this release scaffolds:\n%s", p, firstDifference(freshFiles[p], got))
			}
		default:
			for _, l := range addedLines(oldGen[p], newGen[p]) {
				if !strings.Contains(got, l) {
					t.Errorf("%s lacks the new template's line %q", p, l)
				}
			}
		}
	}
	// Still unresolved: upgrade keeps failing, and changes nothing.
	before := treeHash(t, edited)
	if out, err := bootErr(cur, edited, "upgrade"); err == nil || !strings.Contains(out, conflictPath) {
		t.Fatalf("upgrade with markers left: err %v, want a failure naming %s:\n%s", err, conflictPath, out)
	}
	if treeHash(t, edited) != before {
		t.Fatal("a failed upgrade changed the tree")
	}

	// Resolved (the template's side taken), upgrade finishes: go.mod, tidy,
	// code generation, build.
	writeFile(t, filepath.Join(edited, conflictPath), resolveTheirs(marked))
	out = boot(t, cur, edited, "upgrade")
	if !strings.Contains(out, "upgraded to apiserver-boot") {
		t.Fatalf("upgrade did not finish:\n%s", out)
	}
	if p := readFile(t, edited, "PROJECT"); strings.Contains(p, "apiserverBootVersion: "+previousRelease+"\n") {
		t.Errorf("PROJECT still records %s:\n%s", previousRelease, p)
	}
	// A second run is a no-op.
	before = treeHash(t, edited)
	out = boot(t, cur, edited, "upgrade")
	if !strings.Contains(out, "every generated file is up to date") || treeHash(t, edited) != before {
		t.Errorf("a second upgrade changed something:\n%s", out)
	}

	// The project made before the pin now pins the release that upgraded it
	// (this development build: its checkout), and the pinned tool runs.
	if pin, ok, err := release.ReadPin([]byte(readFile(t, edited, "go.mod"))); err != nil || !ok || pin.Replace == "" {
		t.Errorf("after upgrade, go.mod does not pin this apiserver-boot as a tool: %+v, %v, %v\n%s", pin, ok, err, readFile(t, edited, "go.mod"))
	}
	upgraded, err := project.Load(edited)
	if err != nil {
		t.Fatal(err)
	}
	if msg := release.PinProblem(upgraded.ApiserverBootVersion, []byte(readFile(t, edited, "go.mod"))); msg != "" {
		t.Errorf("after upgrade, go.mod and PROJECT disagree: %s", msg)
	}
	pinned := exec.Command("go", "tool", "apiserver-boot", "version")
	pinned.Dir = edited
	if out, err := pinned.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "apiserver-boot (devel)") {
		t.Errorf("go tool apiserver-boot version in the upgraded project: %v\n%s", err, out)
	}

	t.Run("the upgraded project passes its own tests", func(t *testing.T) { projectTests(t, edited) })
	t.Run("the upgraded project serves, with the user's field, rule and column", func(t *testing.T) {
		boot(t, cur, edited, "build", "executables")
		kubeconfig := startStandalone(t, edited, etcdURL)
		// What the release stored as JSON is read, and written back as
		// protobuf once updated; new objects are protobuf from the start.
		if out := mustKubectl(t, kubeconfig, "get", "bees.v1alpha1.insect.example.com", "from-the-release", "-o", "jsonpath={.spec.description}/{.spec.wings}"); out != "stored by "+previousRelease+"/2" {
			t.Errorf("the object %s stored as JSON reads %q", previousRelease, out)
		}
		mustKubectl(t, kubeconfig, "label", "bee", "from-the-release", "upgraded=yes")
		if v := storedBytes(t, etcdURL, "bees", "default", "from-the-release"); !bytes.HasPrefix(v, protobufMagic) {
			t.Errorf("after an update the upgraded server stored %q, not protobuf", v[:min(len(v), 16)])
		}
		writeFile(t, filepath.Join(edited, "bee-wings.yaml"), "apiVersion: insect.example.com/v1alpha1\nkind: Bee\nmetadata:\n  name: four\n  namespace: default\nspec:\n  replicas: 1\n  description: busy\n  wings: 4\n")
		mustKubectl(t, kubeconfig, "apply", "--server-side", "-f", filepath.Join(edited, "bee-wings.yaml"))
		if v := storedBytes(t, etcdURL, "bees", "default", "four"); !bytes.HasPrefix(v, protobufMagic) {
			t.Errorf("the upgraded server stored a new object as %q, not protobuf", v[:min(len(v), 16)])
		}
		if out := mustKubectl(t, kubeconfig, "get", "bees", "-o", "wide"); !containsLine(out, "four", "1") || !strings.Contains(out, "WINGS") || !containsLine(out, "busy", "4") {
			t.Errorf("kubectl get bees -o wide lacks the user's Wings column:\n%s", out)
		}
		if out := mustKubectl(t, kubeconfig, "get", "bees.v1beta1.insect.example.com", "four", "-o", "jsonpath={.spec.summary}/{.spec.wings}"); out != "busy/4" {
			t.Errorf("v1beta1 (renamed field) and the user's field: got %q, want busy/4", out)
		}
		writeFile(t, filepath.Join(edited, "bee-too-many.yaml"), strings.ReplaceAll(readFile(t, edited, "bee-wings.yaml"), "4", "6"))
		if out, err := kubectl(t.Context(), kubeconfig, "create", "-f", filepath.Join(edited, "bee-too-many.yaml")); err == nil || !strings.Contains(out, "a bee has at most 4 wings") {
			t.Errorf("the user's validation rule: err %v, output %s", err, out)
		}
	})

	t.Run("an unedited project upgrades to exactly a fresh scaffold", func(t *testing.T) {
		boot(t, cur, unedited, "upgrade")
		// A fresh scaffold, generated and tidied as upgrade leaves a project.
		boot(t, cur, fresh, "build", "generated")
		tidy := exec.Command("go", "mod", "tidy")
		tidy.Dir = fresh
		if out, err := tidy.CombinedOutput(); err != nil {
			t.Fatalf("go mod tidy: %v\n%s", err, out)
		}
		got, want := allFiles(t, unedited), allFiles(t, fresh)
		// .local holds this machine's caches (gitignored): code generation's
		// stamp there depends on the order the fresh tree was generated and tidied.
		for _, m := range []map[string]string{got, want} {
			for p := range m {
				if strings.HasPrefix(p, ".local/") {
					delete(m, p)
				}
			}
		}
		for p, content := range want {
			if g, ok := got[p]; !ok {
				t.Errorf("%s: in a fresh scaffold, not in the upgraded project", p)
			} else if g != content {
				t.Errorf("%s differs from a fresh scaffold:\n%s", p, firstDifference(content, g))
			}
		}
		for p := range got {
			if _, ok := want[p]; !ok {
				t.Errorf("%s: in the upgraded project, not in a fresh scaffold", p)
			}
		}
	})
}

// plantConflict edits, in a file the new templates change and the user has
// not otherwise edited, the line just above the templates' first change, so
// that the user and the templates change the same region.
func plantConflict(t *testing.T, dir string, changed []string, oldGen, newGen map[string]string, edited map[string]bool) (path, line string) {
	t.Helper()
	for _, ext := range []string{".md", ".go"} {
		for _, p := range changed {
			if edited[p] || !strings.HasSuffix(p, ext) || oldGen[p] == "" {
				continue
			}
			ol, nl := strings.Split(oldGen[p], "\n"), strings.Split(newGen[p], "\n")
			i := 0
			for i < len(ol) && i < len(nl) && ol[i] == nl[i] {
				i++
			}
			if i == 0 || i >= len(ol) {
				continue
			}
			mine := ol[i-1] + " (edited by the user)"
			if ext == ".go" {
				mine = ol[i-1] + " // edited by the user"
			}
			ol[i-1] = mine
			if readFile(t, dir, p) != oldGen[p] {
				continue
			}
			writeFile(t, filepath.Join(dir, p), strings.Join(ol, "\n"))
			return p, mine
		}
	}
	t.Fatalf("none of the changed files (%s) has a line to conflict on", strings.Join(changed, ", "))
	return "", ""
}

// plantCleanEdit adds a line of the user's to a file the new templates
// change, at its top or its end, whichever is further from the templates'
// changes (at least three lines), so that upgrade must merge both sides'
// changes of one file. It returns the file and the line.
func plantCleanEdit(t *testing.T, dir string, changed []string, oldGen, newGen map[string]string, skip map[string]bool) (path, line string) {
	t.Helper()
	for _, p := range changed {
		if skip[p] || oldGen[p] == "" || newGen[p] == "" || strings.Contains(p, "zz_generated") || readFile(t, dir, p) != oldGen[p] {
			continue
		}
		ol, nl := strings.Split(oldGen[p], "\n"), strings.Split(newGen[p], "\n")
		prefix := 0
		for prefix < len(ol) && prefix < len(nl) && ol[prefix] == nl[prefix] {
			prefix++
		}
		suffix := 0
		for suffix < len(ol)-prefix && suffix < len(nl)-prefix && ol[len(ol)-1-suffix] == nl[len(nl)-1-suffix] {
			suffix++
		}
		mine := "My own note, kept by upgrade."
		if strings.HasSuffix(p, ".go") {
			mine = "// My own note, kept by upgrade."
		}
		switch {
		case prefix >= 3:
			writeFile(t, filepath.Join(dir, p), mine+"\n"+oldGen[p])
		case suffix >= 3:
			writeFile(t, filepath.Join(dir, p), oldGen[p]+mine+"\n")
		default:
			continue
		}
		return p, mine
	}
	t.Fatalf("none of the changed files (%s) but %v has three unchanged lines at its top or end", strings.Join(changed, ", "), skip)
	return "", ""
}

// squash collapses runs of white space, which gofmt realigns.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// resolveTheirs resolves every conflict to the templates' side.
func resolveTheirs(s string) string {
	var out []string
	state := 0 // 0 outside, 1 ours, 2 base, 3 theirs
	for _, l := range strings.SplitAfter(s, "\n") {
		switch {
		case strings.HasPrefix(l, "<<<<<<< "):
			state = 1
		case strings.HasPrefix(l, "||||||| ") && state == 1:
			state = 2
		case l == "=======\n" && state == 2:
			state = 3
		case strings.HasPrefix(l, ">>>>>>> ") && state == 3:
			state = 0
		case state == 0 || state == 3:
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// generatedFiles is what apiserver-boot recorded as generated for a project.
func generatedFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	return allFiles(t, filepath.Join(dir, ".apiserver-boot", "base"))
}

// allFiles reads every file under dir (bin/ excepted) by slash path.
func allFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == "bin" {
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// addedLines are the non-blank lines of b that a does not have.
func addedLines(a, b string) []string {
	have := map[string]bool{}
	for _, l := range strings.Split(a, "\n") {
		have[l] = true
	}
	var out []string
	for _, l := range strings.Split(b, "\n") {
		if strings.TrimSpace(l) != "" && !have[l] {
			out = append(out, l)
		}
	}
	return out
}

func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		if i >= len(w) || i >= len(g) || w[i] != g[i] {
			at := func(l []string) string {
				if i < len(l) {
					return l[i]
				}
				return "(end of file)"
			}
			return fmt.Sprintf("line %d: want %q, got %q", i+1, at(w), at(g))
		}
	}
	return ""
}

func readFile(t *testing.T, dir, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// bootErr runs apiserver-boot in dir and returns its output and error.
func bootErr(bin, dir string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
