package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/apiserver-boot/apiserver-boot/internal/release"
)

// The commands run in-process here, as a development build of this checkout
// (what `make build` stamps).
func init() {
	release.SourceDir, _ = filepath.Abs("../..")
}

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
// variables and from --config, and that a flag given on the command line
// wins: each time by reading the value the project was created with.
func TestConfigDefaults(t *testing.T) {
	// initProject runs init repo in a new directory and returns its PROJECT
	// and license header.
	initProject := func(args ...string) (project, header string, err error) {
		t.Helper()
		var out bytes.Buffer
		root := NewRootCommand(IOStreams{Out: &out, ErrOut: &out})
		dir := t.TempDir()
		root.SetArgs(append([]string{"init", "repo", "--skip-go-mod-tidy", "--module", "example.org/x"}, args...))
		wd, _ := os.Getwd()
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
		if err := root.Execute(); err != nil {
			return "", "", err
		}
		p, _ := os.ReadFile(filepath.Join(dir, "PROJECT"))
		h, _ := os.ReadFile(filepath.Join(dir, "hack/boilerplate.go.txt"))
		return string(p), string(h), nil
	}

	t.Setenv("APISERVER_BOOT_DOMAIN", "example.org")
	t.Setenv("APISERVER_BOOT_LICENSE", "mit")
	t.Setenv("APISERVER_BOOT_OWNER", "Env Owner")
	project, header, err := initProject()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(project, "domain: example.org\n") || !strings.Contains(project, "license: mit\n") || !strings.Contains(header, "Env Owner") || !strings.Contains(header, "MIT") {
		t.Fatalf("defaults from the environment were not used:\nPROJECT:\n%s\nheader:\n%s", project, header)
	}

	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte("license: apache2\nowner: Config Owner\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("APISERVER_BOOT_LICENSE", "")
	t.Setenv("APISERVER_BOOT_OWNER", "")
	project, header, err = initProject("--config", config)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(project, "license: apache2\n") || !strings.Contains(header, "Config Owner") || !strings.Contains(header, "Apache License") {
		t.Fatalf("defaults from --config were not used:\nPROJECT:\n%s\nheader:\n%s", project, header)
	}
	// The command line wins over the config file.
	project, header, err = initProject("--config", config, "--license", "none")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(project, "license: none\n") || header != "" {
		t.Fatalf("--license on the command line did not win:\nPROJECT:\n%s\nheader:\n%q", project, header)
	}
	// A bad value from the config file is refused like one on the command line.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("license: bogus\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := initProject("--config", bad); err == nil || !strings.Contains(err.Error(), `unknown license "bogus"`) {
		t.Fatalf("license from --config: %v", err)
	}
}
