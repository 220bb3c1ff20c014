package templates

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestActionsPinnedByCommit: the generated CI runs third-party code on every
// push; a tag can be moved to other code, a commit cannot.
func TestActionsPinnedByCommit(t *testing.T) {
	uses := regexp.MustCompile(`uses:\s*(\S+)`)
	pinned := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	found := 0
	err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(path, ".y") {
			return err
		}
		body, err := fs.ReadFile(FS, path)
		if err != nil {
			return err
		}
		for _, m := range uses.FindAllStringSubmatch(string(body), -1) {
			found++
			if !pinned.MatchString(m[1]) {
				t.Errorf("%s: %s is not pinned to a commit", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("no workflow step found: the check reads nothing")
	}
}
