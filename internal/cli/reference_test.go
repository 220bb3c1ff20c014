package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

var updateReference = flag.Bool("update", false, "rewrite docs/reference from the commands")

// referenceDir holds one Markdown page per command, made by cobra's doc
// package from the same cobra.Command that prints --help.
const referenceDir = "../../docs/reference"

// TestReferenceMatchesHelp: the reference pages are what the commands say
// about themselves (-update rewrites them), so a renamed flag or a changed
// description cannot leave a page behind; and every page holds its
// command's flags exactly as --help prints them.
func TestReferenceMatchesHelp(t *testing.T) {
	var out bytes.Buffer
	root := NewRootCommand(IOStreams{Out: &out, ErrOut: &out})
	root.DisableAutoGenTag = true
	dir := t.TempDir()
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		t.Fatal(err)
	}
	generated, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if *updateReference {
		if err := os.RemoveAll(referenceDir); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(referenceDir, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	checked, err := os.ReadDir(referenceDir)
	if err != nil {
		t.Fatalf("%v (go test ./internal/cli -run TestReferenceMatchesHelp -update)", err)
	}
	if len(checked) != len(generated) {
		t.Errorf("docs/reference has %d pages, the commands make %d (run with -update)", len(checked), len(generated))
	}
	for _, e := range generated {
		want, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		got, err := os.ReadFile(filepath.Join(referenceDir, e.Name()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/reference/%s differs from what the command says (run with -update): %v", e.Name(), err)
		}
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.IsAvailableCommand() && c != root {
			return
		}
		page, err := os.ReadFile(filepath.Join(dir, strings.ReplaceAll(c.CommandPath(), " ", "_")+".md"))
		if err != nil {
			t.Errorf("%s has no page: %v", c.CommandPath(), err)
			return
		}
		out.Reset()
		c.SetOut(&out)
		if err := c.Help(); err != nil {
			t.Fatal(err)
		}
		if usages := c.NonInheritedFlags().FlagUsages(); !bytes.Contains(page, []byte(usages)) || !strings.Contains(out.String(), usages) {
			t.Errorf("the page of %s does not hold the flags --help prints:\n%s", c.CommandPath(), usages)
		}
	}
	walk(root)
}
