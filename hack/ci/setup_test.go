// Package ci tests the repository's CI set-up (.ci/setup) as a new machine
// runs it: nothing built, no caches, an empty or absent home.
package ci

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// freshEnv is the environment of a machine where nothing was ever built:
// HOME, the caches and TMPDIR point at directories that do not exist, the
// module cache at an empty one.
func freshEnv(t *testing.T, extra ...string) (env []string, dirs map[string]string) {
	root := t.TempDir()
	dirs = map[string]string{
		"HOME":           filepath.Join(root, "home"),
		"GOCACHE":        filepath.Join(root, "cache", "go-build"),
		"GOMODCACHE":     filepath.Join(root, "modcache"),
		"TMPDIR":         filepath.Join(root, "tmp"),
		"XDG_CACHE_HOME": filepath.Join(root, "xdg-cache"),
	}
	if err := os.Mkdir(dirs["GOMODCACHE"], 0o755); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "HOME", "GOCACHE", "GOMODCACHE", "TMPDIR", "XDG_CACHE_HOME", "GOPATH", "GOFLAGS", "APISERVER_BOOT_E2E_CACHE", "CI_NEED_GB":
			continue
		}
		env = append(env, kv)
	}
	for name, dir := range dirs {
		env = append(env, name+"="+dir)
	}
	env = append(env, "GOPATH="+filepath.Join(root, "gopath"), "GOFLAGS=-mod=mod")
	return append(env, extra...), dirs
}

func runSetup(t *testing.T, env []string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", "../../.ci/setup")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The class of failure the issue found: a step that assumes a directory a
// first build makes (df and find on $HOME/.cache/go-build).
func noShellErrors(t *testing.T, out string) {
	t.Helper()
	for _, bad := range []string{"No such file or directory", "integer expression expected", "unbound variable", "command not found"} {
		if strings.Contains(out, bad) {
			t.Errorf("set-up printed %q on a fresh machine:\n%s", bad, out)
		}
	}
}

func TestSetupOnAFreshMachine(t *testing.T) {
	env, dirs := freshEnv(t, "CI_NEED_GB=1")
	out, err := runSetup(t, env)
	if err != nil {
		t.Fatalf(".ci/setup failed on a fresh machine: %v\n%s", err, out)
	}
	noShellErrors(t, out)
	for _, name := range []string{"GOCACHE", "TMPDIR"} {
		if fi, err := os.Stat(dirs[name]); err != nil || !fi.IsDir() {
			t.Errorf("%s (%s) was not made: %v", name, dirs[name], err)
		}
	}
	if _, err := os.Stat(filepath.Join(dirs["XDG_CACHE_HOME"], "apiserver-boot", "e2e")); err != nil {
		t.Errorf("the e2e tools' cache directory was not made under XDG_CACHE_HOME: %v", err)
	}
}

// With more room asked for than the disk has, every clearing step runs on the
// fresh directories, then set-up fails with one line that says what it needs.
func TestSetupSaysWhatItNeedsWhenTheDiskIsShort(t *testing.T) {
	env, _ := freshEnv(t, "CI_NEED_GB=1000000000")
	out, err := runSetup(t, env)
	if err == nil {
		t.Fatalf(".ci/setup passed with a billion GB asked for:\n%s", out)
	}
	noShellErrors(t, out)
	if !strings.Contains(out, "under 1000000000 GB free for the suite") {
		t.Errorf("set-up did not say what it needs:\n%s", out)
	}
}

// No home and no cache directory at all: Go cannot place its cache.
func TestSetupWithoutAHome(t *testing.T) {
	env, _ := freshEnv(t, "CI_NEED_GB=1")
	var kept []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "GOCACHE=") && !strings.HasPrefix(kv, "XDG_CACHE_HOME=") {
			kept = append(kept, kv)
		}
	}
	out, err := runSetup(t, kept)
	if err == nil {
		t.Fatalf(".ci/setup passed with no HOME, XDG_CACHE_HOME or GOCACHE:\n%s", out)
	}
	noShellErrors(t, out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "Go has no build cache (GOCACHE=off): set HOME, XDG_CACHE_HOME or GOCACHE") {
		t.Errorf("the last line does not say what is missing: %q", last)
	}
}
