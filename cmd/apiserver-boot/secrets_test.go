package main

import (
	"encoding/base64"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrintedOutputHasNoSecrets: every form that prints the deployment's
// objects (build config -o - and -o json, run in-cluster --dry-run) shows
// no byte of a private key or of the storage DSN unless --show-secrets asks,
// and every file holding a secret is 0600.
func TestPrintedOutputHasNoSecrets(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"init", "repo", "--domain", "example.com", "--module", "example.com/bees", "--skip-go-mod-tidy"},
		{"create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee", "--skip-go-mod-tidy"},
	} {
		if out, err := run(dir, args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	const password = "hunter2-not-for-logs"
	deploy := []string{"--name", "bees", "--namespace", "bees", "--image", "registry.example.com/bees:v1"}
	etcd := append([]string{"--etcd-members", "3"}, deploy...)
	postgres := append([]string{"--storage", "postgres", "--storage-dsn", "postgres://kine:" + password + "@db:5432/bees?sslmode=verify-full", "--output-dir", "config-pg"}, deploy...)
	forms := map[string][]string{
		"build config -o -":               append([]string{"build", "config", "-o", "-"}, etcd...),
		"build config -o json":            append([]string{"build", "config", "-o", "json"}, etcd...),
		"build config -o - (postgres)":    append([]string{"build", "config", "-o", "-"}, postgres...),
		"build config -o json (postgres)": append([]string{"build", "config", "-o", "json"}, postgres...),
		"run in-cluster --dry-run":        append([]string{"run", "in-cluster", "--dry-run", "--build-image=false", "--kubeconfig", filepath.Join(dir, "none")}, etcd...),
	}
	printed := map[string]string{}
	for name, args := range forms {
		out, err := run(dir, args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		printed[name] = out
	}

	// The secrets: every private key the layouts hold, and the DSN.
	var secrets []string
	for _, layout := range []string{"config", "config-pg"} {
		err := filepath.WalkDir(filepath.Join(dir, layout), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			secret := strings.HasSuffix(path, ".key") || filepath.Base(path) == "storage.env"
			if secret {
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				secrets = append(secrets, base64.StdEncoding.EncodeToString(data))
				if info.Mode().Perm() != 0o600 {
					t.Errorf("%s holds a secret and is %v, want 0600", path, info.Mode().Perm())
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(secrets) < 5 {
		t.Fatalf("found only %d secret files", len(secrets))
	}
	// Kustomize folds long base64 values over lines: compare without whitespace.
	flat := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for name, out := range printed {
		out := flat(out)
		for _, s := range secrets {
			// A key's base64 (as a Secret holds it), or any 40 characters of it.
			if strings.Contains(out, s[:40]) || strings.Contains(out, s[len(s)/2:len(s)/2+40]) {
				t.Errorf("%s prints a secret's bytes", name)
			}
		}
		if strings.Contains(out, password) || strings.Contains(out, base64.StdEncoding.EncodeToString([]byte("dsn=postgres://kine:" + password))[:20]) {
			t.Errorf("%s prints the DSN's password", name)
		}
		if !strings.Contains(out, "redacted:") {
			t.Errorf("%s says nothing of the redacted values:\n%s", name, out)
		}
	}

	// Asked for, they are printed (the output can then be applied as it is).
	out, err := run(dir, append([]string{"build", "config", "-o", "-", "--show-secrets"}, etcd...)...)
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, s := range secrets {
		if strings.Contains(flat(out), s) {
			shown++
		}
	}
	if shown == 0 || strings.Contains(out, "redacted: ") {
		t.Errorf("--show-secrets printed %d of the keys and still redacted some:\n%s", shown, out)
	}
	if _, err := exec.LookPath("kubectl"); err == nil {
		// The redacted output fails loudly if applied, rather than storing a placeholder.
		cmd := exec.Command("kubectl", "create", "--dry-run=client", "-o", "name", "-f", "-")
		cmd.Stdin = strings.NewReader(printed["build config -o -"])
		if msg, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("kubectl accepted the redacted Secrets:\n%s", msg)
		}
	}
}
