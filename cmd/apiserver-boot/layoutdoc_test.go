package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLayoutPageCoversEveryFile: every file of the golden projects has its
// row in docs/concepts/project-layout.md, so a template added without its
// documentation fails here.
func TestLayoutPageCoversEveryFile(t *testing.T) {
	page, err := os.ReadFile("../../docs/concepts/project-layout.md")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []*regexp.Regexp
	for _, line := range strings.Split(string(page), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.SplitN(line, " | ", 2)[0]
		for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(first, -1) {
			p := regexp.QuoteMeta(m[1])
			p = regexp.MustCompile(`<[a-z]+>`).ReplaceAllString(p, `[^/]+`)
			p = strings.ReplaceAll(p, `\*`, `[^/]*`)
			p = strings.ReplaceAll(p, `…`, `.+`)
			patterns = append(patterns, regexp.MustCompile("^"+p+"$"))
		}
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
