package e2e

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestBuildContainer is the proof of the container issue: with
// go-containerregistry's in-memory registry on loopback and a base image this
// test builds from scratch, `build container --push` makes a two-platform
// index whose images hold both binaries, for the right architecture, with the
// entrypoint and non-root user set; a second build gives the same digest.
func TestBuildContainer(t *testing.T) {
	sideBySide(t)
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")
	platforms := []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}
	base := pushBase(t, host+"/base:v1", platforms)

	bin, dir := newProject(t, createKind("Bee"))

	image := host + "/bees:dev"
	build := func() string {
		out := boot(t, bin, dir, "build", "container", "--image", image, "--base", base, "--platform", "linux/amd64,linux/arm64", "--push")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return lines[len(lines)-1]
	}
	first := build()

	ref, err := name.ParseReference(image)
	if err != nil {
		t.Fatal(err)
	}
	index, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(manifest.Manifests) != 2 {
		t.Fatalf("index has %d manifests, want 2", len(manifest.Manifests))
	}
	wantMachine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for i, desc := range manifest.Manifests {
		if desc.Platform == nil || desc.Platform.OS != "linux" || desc.Platform.Architecture != platforms[i].Architecture {
			t.Fatalf("manifest %d platform %+v, want %s", i, desc.Platform, platforms[i])
		}
		img, err := index.Image(desc.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(cfg.Config.Entrypoint, " ") != "/apiserver" || cfg.Config.User != "65532:65532" || cfg.Architecture != desc.Platform.Architecture {
			t.Fatalf("config for %s: entrypoint %v user %q arch %q", desc.Platform.Architecture, cfg.Config.Entrypoint, cfg.Config.User, cfg.Architecture)
		}
		files := imageFiles(t, img)
		if _, ok := files["etc/passwd"]; !ok {
			t.Fatalf("the base image's layer is missing: %v", keys(files))
		}
		for _, binary := range []string{"apiserver", "controller-manager"} {
			data, ok := files[binary]
			if !ok {
				t.Fatalf("%s missing from the %s image: %v", binary, desc.Platform.Architecture, keys(files))
			}
			f, err := elf.NewFile(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", binary, err)
			}
			if f.Machine != wantMachine[desc.Platform.Architecture] {
				t.Fatalf("%s in the %s image is for %v", binary, desc.Platform.Architecture, f.Machine)
			}
		}
	}

	if second := build(); second != first {
		t.Fatalf("a second build gave another digest:\n%s\n%s", first, second)
	}

	t.Run("oci-layout output", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "image")
		boot(t, bin, dir, "build", "container", "--image", "bees:dev", "--base", base, "--output", "oci-layout:"+path, "--generate=false")
		lp, err := layout.ImageIndexFromPath(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := lp.IndexManifest()
		if err != nil || len(m.Manifests) != 1 {
			t.Fatalf("layout index: %v %+v", err, m)
		}
	})

	t.Run("the project's Dockerfile names both binaries", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"./cmd/apiserver", "./cmd/manager", "controller-manager", "USER 65532:65532"} {
			if !strings.Contains(string(data), want) {
				t.Errorf("Dockerfile lacks %q", want)
			}
		}
	})
}

// pushBase pushes a multi-platform base image with one layer (/etc/passwd
// with the nonroot user), made from scratch, and returns its reference.
func pushBase(t *testing.T, ref string, platforms []v1.Platform) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	passwd := "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	_ = tw.WriteHeader(&tar.Header{Name: "etc/passwd", Mode: 0o644, Size: int64(len(passwd)), Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte(passwd))
	_ = tw.Close()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil }, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	index := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
		if err != nil {
			t.Fatal(err)
		}
		cfg, _ := img.ConfigFile()
		cfg = cfg.DeepCopy()
		cfg.OS, cfg.Architecture = p.OS, p.Architecture
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			t.Fatal(err)
		}
		p := p
		index = mutate.AppendManifests(index, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, index); err != nil {
		t.Fatal(err)
	}
	return ref
}

// imageFiles returns the regular files of an image's flattened filesystem.
func imageFiles(t *testing.T, img v1.Image) map[string][]byte {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			out[strings.TrimPrefix(h.Name, "/")] = data
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
