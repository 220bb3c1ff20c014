package codegen

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// stampPath records the hash of the inputs and outputs of the last run, and
// the project's shared packages that run found the API to use.
const stampPath = model.LocalDir + "/codegen.stamp"

// stampVersion changes when the generator set or its flags change, so that an
// upgraded apiserver-boot regenerates.
const stampVersion = "codegen/4 " + project.KubernetesVersion

// stamp is the record of the last run: its key, then one line per shared
// package directory (relative to the project) whose files it read.
type stamp struct {
	key   string
	local []string
}

func readStamp(dir string) stamp {
	data, err := os.ReadFile(filepath.Join(dir, stampPath))
	if err != nil {
		return stamp{}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	var s stamp
	for i := 0; sc.Scan(); i++ {
		if i == 0 {
			s.key = sc.Text()
		} else if l := strings.TrimSpace(sc.Text()); l != "" {
			s.local = append(s.local, l)
		}
	}
	return s
}

func writeStamp(dir string, in *inputs, local, generated []string) error {
	key, err := in.hash(dir, local, generated)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(stampPath)), 0o755); err != nil {
		return err
	}
	content := key + "\n"
	for _, l := range local {
		content += l + "\n"
	}
	return os.WriteFile(filepath.Join(dir, stampPath), []byte(content), 0o644)
}

// hash identifies one run: the generator set, PROJECT, the boilerplate, every
// hand-written Go file under pkg/apis and in the shared packages the API
// uses, and the generated files now on disk.
func (in *inputs) hash(dir string, local, generated []string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, stampVersion)
	add := func(rel string) error {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", rel, len(data))
		h.Write(data)
		return nil
	}
	for _, rel := range []string{model.ProjectFile, model.BoilerplateFile, "go.mod", "go.sum"} {
		if err := add(rel); err != nil {
			return "", err
		}
	}
	var sources []string
	for _, root := range sorted([]string{model.APIsDir}, local) {
		err := filepath.WalkDir(filepath.Join(dir, root), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".go") && !isGeneratedName(d.Name()) {
				rel, _ := filepath.Rel(dir, path)
				sources = append(sources, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	for _, rel := range sorted(sources, generated) {
		if err := add(rel); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
