package cli

import (
	"bytes"
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
