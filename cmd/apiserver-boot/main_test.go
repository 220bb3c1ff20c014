package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
)

// binary is apiserver-boot built from this tree by TestMain: the golden and
// bad-input tests run the real command line, as a user does.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apiserver-boot-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "apiserver-boot")
	// A development build whose checkout, seen from testdata/golden/<project>,
	// is ../../..: the golden projects' go.mod pins this tree by that path.
	ldflags := "-X github.com/apiserver-boot/apiserver-boot/internal/release.Version=(devel) -X github.com/apiserver-boot/apiserver-boot/internal/release.SourceDir=../../.."
	if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building apiserver-boot: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs apiserver-boot in dir and returns its combined output.
func run(dir string, args ...string) (string, error) {
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	// A fixed year keeps license headers, and so the golden files, stable.
	cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1767225600")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := run(dir, args...)
	if err != nil {
		t.Fatalf("apiserver-boot %v: %v\n%s", args, err, out)
	}
	return out
}

// treeHash hashes every file's path, mode and content under dir.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		paths = append(paths, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	for _, rel := range paths {
		info, err := os.Lstat(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %v\n", rel, info.Mode())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			h.Write(data)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
