package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apiserver-boot/apiserver-boot/internal/layout"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// TestLayoutPageCoversEveryFile: every file of the golden projects has its
// row in docs/concepts/project-layout.md, so a template added without its
// documentation fails here.
func TestLayoutPageCoversEveryFile(t *testing.T) {
	var patterns []*regexp.Regexp
	for _, r := range layoutRows(t) {
		patterns = append(patterns, r.patterns...)
	}
	if len(patterns) < 20 {
		t.Fatalf("found %d paths in the page's table", len(patterns))
	}
	for _, project := range []string{"bees", "mit-empty"} {
		root := filepath.Join("..", "..", "testdata", "golden", project)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			for _, re := range patterns {
				if re.MatchString(rel) {
					return nil
				}
			}
			t.Errorf("%s (golden project %s) has no row in docs/concepts/project-layout.md", rel, project)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestLayoutPageSaysWhichFilesAreRegenerated: the page's last column agrees
// with internal/layout: a file rewritten from PROJECT on every create is
// "generated" (an edit there is refused, or thrown away with --force), and
// a file written once is "yours".
func TestLayoutPageSaysWhichFilesAreRegenerated(t *testing.T) {
	rows := layoutRows(t)
	// The most literal row that matches (subresources.go before <name>.go).
	ownerOf := func(path string) string {
		owner, placeholders := "", -1
		for _, r := range rows {
			for _, re := range r.patterns {
				n := strings.Count(re.String(), "[^/]")
				if re.MatchString(path) && (placeholders < 0 || n < placeholders) {
					owner, placeholders = r.owner, n
				}
			}
		}
		return owner
	}
	p, err := project.Load(filepath.Join("..", "..", "testdata", "golden", "bees"))
	if err != nil {
		t.Fatal(err)
	}
	m := model.New(p)
	want := map[string]string{model.ProjectFile: "generated"}
	for _, f := range layout.Regenerated(m) {
		want[f.Path] = "generated"
	}
	written := layout.Repo(m, "")
	for _, g := range m.Groups {
		written = append(written, layout.Group(g)...)
		for _, v := range g.Versions {
			written = append(written, layout.Version(v)...)
		}
		for _, k := range g.Kinds {
			files, _ := layout.Kind(k)
			written = append(written, files...)
		}
	}
	for _, f := range written {
		if f.IfExists == scaffold.Skip {
			want[f.Path] = "yours"
		}
	}
	if len(want) < 30 {
		t.Fatalf("only %d files from internal/layout", len(want))
	}
	for path, owner := range want {
		if got := ownerOf(path); got != owner {
			t.Errorf("%s: the page says %q, internal/layout makes it %s", path, got, owner)
		}
	}
}

// layoutRow is a row of the page's table: the paths it covers, as patterns
// (<name> one path element, * part of one, … any), and its owner column.
type layoutRow struct {
	patterns []*regexp.Regexp
	owner    string
}

func layoutRows(t *testing.T) []layoutRow {
	t.Helper()
	page, err := os.ReadFile("../../docs/concepts/project-layout.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []layoutRow
	for _, line := range strings.Split(string(page), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		r := layoutRow{owner: strings.TrimSpace(cells[len(cells)-1])}
		for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cells[0], -1) {
			p := regexp.QuoteMeta(m[1])
			p = regexp.MustCompile(`<[a-z]+>`).ReplaceAllString(p, `[^/]+`)
			p = strings.ReplaceAll(p, `\*`, `[^/]*`)
			p = strings.ReplaceAll(p, `…`, `.+`)
			r.patterns = append(r.patterns, regexp.MustCompile("^"+p+"$"))
		}
		rows = append(rows, r)
	}
	return rows
}
