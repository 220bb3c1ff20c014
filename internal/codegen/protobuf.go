package codegen

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"k8s.io/gengo/v2/generator"

	"github.com/apiserver-boot/apiserver-boot/internal/protobufgen"
)

// runProtobufStep runs go-to-protobuf in-process (see internal/protobufgen)
// on the shared load. What it writes joins out: generated.proto and
// generated.pb.go, and the packages' Go files with protobuf struct tags.
func runProtobufStep(base *generator.Context, argv []string, out *capture) error {
	files, err := protobufgen.Generate(protobufgen.Request{
		Args:    argv,
		Context: base,
		Open:    func(p string) (io.ReadCloser, error) { return openProto(base, p) },
		Sources: out.files,
	})
	if err != nil {
		return err
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	for p, content := range files {
		out.files[p] = content
	}
	return nil
}

// openProto finds a .proto file the IDL imports next to the Go package of
// its import path, in the load: where protoc finds it on a GOPATH.
func openProto(c *generator.Context, importPath string) (io.ReadCloser, error) {
	pkg := c.Universe[path.Dir(importPath)]
	if pkg == nil || pkg.Dir == "" {
		return nil, fmt.Errorf("%s: the package %s is not loaded", importPath, path.Dir(importPath))
	}
	return os.Open(filepath.Join(pkg.Dir, path.Base(importPath)))
}

// ProtoRootLinks are the symbolic links that make a ProtoRoot for the
// project in dir: its module path and the modules whose .proto files its IDL
// imports, each pointing at its directory (relative link name → target).
func ProtoRootLinks(dir, module string) (map[string]string, error) {
	mods := []string{"k8s.io/api", "k8s.io/apimachinery", "github.com/gogo/protobuf"}
	cmd := exec.Command("go", append([]string{"list", "-m", "-f", "{{.Path}} {{.Dir}}"}, mods...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	listed, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m %s: %v\n%s", strings.Join(mods, " "), err, stderr.String())
	}
	links := map[string]string{module: dir}
	for _, line := range strings.Split(strings.TrimSpace(string(listed)), "\n") {
		mod, modDir, ok := strings.Cut(line, " ")
		if !ok || modDir == "" {
			return nil, fmt.Errorf("go list -m: no directory for %q (run go mod download)", line)
		}
		links[mod] = modDir
		if mod == "github.com/gogo/protobuf" {
			// google/protobuf/descriptor.proto, which gogo.proto imports.
			links["google"] = filepath.Join(modDir, "protobuf", "google")
		}
	}
	return links, nil
}

// LinkProtoRoot makes root a ProtoRoot for the project in dir.
func LinkProtoRoot(root, dir, module string) error {
	links, err := ProtoRootLinks(dir, module)
	if err != nil {
		return err
	}
	for name, target := range links {
		link := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(target, link); err != nil {
			return err
		}
	}
	return nil
}
