package main

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden projects under testdata/golden")

// goldenProjects are scripted command lists; each produces one golden project.
var goldenProjects = map[string][][]string{
	"bees": {
		{"init", "repo", "--domain", "example.com", "--module", "example.com/bees", "--skip-go-mod-tidy"},
		// A namespaced kind with a status subresource, a controller, short names and a category.
		{"create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--short-names", "bz", "--categories", "all", "--skip-go-mod-tidy"},
		// A cluster-scoped kind in the same group and version.
		{"create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Hive", "--non-namespaced", "--skip-go-mod-tidy"},
		// A second group: a kind without status subresource or controller, an irregular plural.
		{"create", "group", "version", "resource", "--group", "garden", "--version", "v1beta1", "--kind", "Person", "--with-status-subresource=false", "--controller=false", "--skip-go-mod-tidy"},
		// Kinds kept by the user's own backend: read-write with status, and read-only (computed).
		{"create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Sighting", "--storage", "custom", "--controller=false", "--skip-go-mod-tidy"},
		{"create", "group", "version", "resource", "--group", "metrics", "--version", "v1beta1", "--kind", "NodeUsage", "--storage", "custom", "--read-only", "--non-namespaced", "--skip-go-mod-tidy"},
		// A group and a version without kinds yet.
		{"create", "group", "version", "--group", "pond", "--version", "v1"},
	},
	"mit-empty": {
		{"init", "repo", "--domain", "example.org", "--module", "example.org/tools/empty", "--license", "mit", "--owner", "Jane Doe", "--skip-go-mod-tidy"},
	},
}

// TestGolden regenerates each golden project with the real binary and
// compares it with testdata/golden/<name>; -update rewrites them. It then
// re-runs every command and checks that the tree does not change.
func TestGolden(t *testing.T) {
	for name, script := range goldenProjects {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for _, args := range script {
				mustRun(t, dir, args...)
			}
			golden := filepath.Join("..", "..", "testdata", "golden", name)
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				if err := os.CopyFS(golden, os.DirFS(dir)); err != nil {
					t.Fatal(err)
				}
				// The record repeats the tree: checkRecord checks it instead.
				if err := os.RemoveAll(filepath.Join(golden, ".apiserver-boot")); err != nil {
					t.Fatal(err)
				}
			}
			compareTrees(t, golden, dir)
			checkRecord(t, dir)

			// Re-running: a group or version that exists is a no-op that says so
			// and succeeds; a kind that exists is refused in one line (exit 1).
			// Either way the tree stays byte-identical.
			before := treeHash(t, dir)
			reruns := 0
			for _, args := range script[1:] {
				out, err := run(dir, args...)
				reruns++
				if slices.Contains(args, "resource") {
					kind := args[slices.Index(args, "--kind")+1]
					msg := strings.TrimSpace(out)
					if err == nil || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "kind "+kind+" already exists in group") {
						t.Errorf("re-running %v: err %v, output %q; want exit 1 and one line saying kind %s already exists", args, err, msg, kind)
					}
				} else if err != nil || strings.TrimSpace(out) != "nothing to change" {
					t.Errorf("re-running %v: err %v, output %q; want success and \"nothing to change\"", args, err, out)
				}
			}
			if len(script) > 1 && reruns == 0 {
				t.Fatal("nothing was re-run")
			}
			if after := treeHash(t, dir); after != before {
				t.Fatal("re-running the create commands changed the tree")
			}
		})
	}
}

// checkRecord checks that the project's record of what apiserver-boot
// generated (upgrade's base) is, for a project nobody edited, the project's
// files themselves: every one of them but PROJECT, and nothing else.
func checkRecord(t *testing.T, dir string) {
	t.Helper()
	record := filepath.Join(dir, filepath.FromSlash(model.BaseDir))
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == ".apiserver-boot" {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == model.ProjectFile {
			return nil
		}
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(record, rel))
		if filepath.ToSlash(rel) == model.ManagerMain {
			// The replay behind the record adds kinds group by group (PROJECT
			// keeps groups sorted), the commands in the order they were run:
			// their lines in the manager may come in another order.
			want, got = sortedLines(want), sortedLines(got)
		}
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: the record in %s differs from the file apiserver-boot wrote (%v)", rel, model.BaseDir, err)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	filepath.WalkDir(record, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			recorded++
		}
		return err
	})
	if recorded != n {
		t.Errorf("the record holds %d files, the project %d", recorded, n)
	}
}

func sortedLines(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	slices.Sort(lines)
	return []byte(strings.Join(lines, "\n"))
}

func compareTrees(t *testing.T, want, got string) {
	t.Helper()
	files := func(root string) map[string]string {
		m := map[string]string{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".apiserver-boot" {
					return filepath.SkipDir // checked by checkRecord; it repeats the tree
				}
				return nil
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			m[filepath.ToSlash(rel)] = string(data)
			return err
		})
		if err != nil {
			t.Fatalf("reading %s: %v (run go test ./cmd/apiserver-boot -run TestGolden -update)", root, err)
		}
		return m
	}
	w, g := files(want), files(got)
	for p, content := range g {
		if _, ok := w[p]; !ok {
			t.Errorf("%s: generated but not in the golden project", p)
		} else if w[p] != content {
			t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", p, firstDiff(w[p], content))
		}
	}
	for p := range w {
		if _, ok := g[p]; !ok {
			t.Errorf("%s: in the golden project but not generated", p)
		}
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var a, b string
		if i < len(wl) {
			a = wl[i]
		}
		if i < len(gl) {
			b = gl[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n- " + a + "\n+ " + b
		}
	}
	return ""
}

// TestDryRun checks that --dry-run prints the plan and writes nothing, for
// init and for create.
func TestDryRun(t *testing.T) {
	dir := t.TempDir()
	out := mustRun(t, dir, "init", "repo", "--domain", "example.com", "--module", "example.com/bees", "--dry-run")
	if !strings.Contains(out, "would create go.mod") || !strings.Contains(out, "would create PROJECT") {
		t.Fatalf("init --dry-run output:\n%s", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("init --dry-run wrote %d entries", len(entries))
	}

	mustRun(t, dir, "init", "repo", "--domain", "example.com", "--module", "example.com/bees", "--skip-go-mod-tidy")
	before := treeHash(t, dir)
	out = mustRun(t, dir, "create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--dry-run")
	for _, want := range []string{"would create pkg/apis/insect/v1alpha1/bee_types.go", "would update PROJECT", "would update cmd/manager/main.go", "would update pkg/apiserver/groups.go"} {
		if !strings.Contains(out, want) {
			t.Errorf("create --dry-run output lacks %q:\n%s", want, out)
		}
	}
	if treeHash(t, dir) != before {
		t.Fatal("create --dry-run changed the tree")
	}
}
