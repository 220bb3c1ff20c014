package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestCommandsAreComplete checks every runnable command the way kubectl's
// help sanity checks do: it runs through RunE (errors returned, never an
// exit below main), says what it does, and shows an example.
func TestCommandsAreComplete(t *testing.T) {
	var out bytes.Buffer
	root := NewRootCommand(IOStreams{Out: &out, ErrOut: &out})
	var walk func(*cobra.Command)
	runnable := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.Name() == "help" || strings.HasPrefix(c.CommandPath(), "apiserver-boot completion") {
			return
		}
		runnable++
		if c.Run != nil || c.RunE == nil {
			t.Errorf("%s: use RunE, not Run", c.CommandPath())
		}
		if c.Short == "" {
			t.Errorf("%s: no Short description", c.CommandPath())
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s: no Example", c.CommandPath())
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if strings.TrimSpace(f.Usage) == "" {
				t.Errorf("%s: flag --%s has no help", c.CommandPath(), f.Name)
			}
		})
	}
	walk(root)
	if runnable < 14 {
		t.Fatalf("found %d runnable commands, expected every command of the tool", runnable)
	}
}

// TestConfigDefaults checks that flag defaults come from APISERVER_BOOT_*
// variables and from --config, and that a flag given on the command line wins.
func TestConfigDefaults(t *testing.T) {
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		root := NewRootCommand(IOStreams{Out: &out, ErrOut: &out})
		dir := t.TempDir()
		root.SetArgs(append([]string{"init", "repo", "--dry-run"}, args...))
		wd, _ := os.Getwd()
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}

	t.Setenv("APISERVER_BOOT_DOMAIN", "example.org")
	t.Setenv("APISERVER_BOOT_LICENSE", "mit")
	if out := run("--module", "example.org/x"); !strings.Contains(out, "would create go.mod") {
		t.Fatalf("domain from the environment was not used:\n%s", out)
	}

	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte("license: bogus\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	root := NewRootCommand(IOStreams{Out: &out, ErrOut: &out})
	root.SetArgs([]string{"init", "repo", "--dry-run", "--config", config, "--module", "example.org/x"})
	t.Setenv("APISERVER_BOOT_LICENSE", "")
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), `unknown license "bogus"`) {
		t.Fatalf("license from --config: %v", err)
	}
	// The command line wins over the config file.
	if out := run("--config", config, "--license", "none", "--module", "example.org/x"); !strings.Contains(out, "would create") {
		t.Fatalf("--license on the command line did not win:\n%s", out)
	}
}
