// Package container builds OCI images of a project without a Docker daemon,
// with go-containerregistry: the apiserver and controller-manager binaries,
// cross-compiled per platform, in one layer on top of a base image. Builds are
// reproducible: the same sources and base give the same digest.
package container

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/apiserver-boot/apiserver-boot/internal/gobuild"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/project"
)

// DefaultBase is distroless static (nonroot), pinned by digest: CA
// certificates, tzdata and a nonroot user, nothing else.
const DefaultBase = project.BaseImage

// User is the non-root user the binaries run as (distroless' nonroot).
const User = "65532:65532"

// Output formats besides pushing.
const (
	OCILayout = "oci-layout"
	Tarball   = "tarball"
)

// Options of Build.
type Options struct {
	// Dir is the project root.
	Dir string
	// Image is the reference to push to or to name the image by.
	Image string
	// Base is the base image reference; "scratch" for none.
	Base      string
	Platforms []v1.Platform
	// Push pushes to Image's registry (credentials from the docker config).
	Push bool
	// OutputFormat (OCILayout or Tarball) and OutputPath write the image locally.
	OutputFormat string
	OutputPath   string
	// Out receives progress.
	Out io.Writer
}

// epoch is the timestamp of everything in the image, for reproducibility.
var epoch = time.Unix(0, 0).UTC()

// ParsePlatforms parses "linux/amd64,linux/arm64".
func ParsePlatforms(s string) ([]v1.Platform, error) {
	var out []v1.Platform
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		plat, err := v1.ParsePlatform(p)
		if err != nil {
			return nil, fmt.Errorf("invalid platform %q: %w", p, err)
		}
		if plat.OS == "" || plat.Architecture == "" {
			return nil, fmt.Errorf("invalid platform %q: want os/arch, e.g. linux/amd64", p)
		}
		out = append(out, *plat)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no platform given")
	}
	return out, nil
}

// Build builds the image (an index when there are several platforms), writes
// or pushes it, and returns its digest.
func Build(ctx context.Context, o Options) (v1.Hash, error) {
	ref, err := name.ParseReference(o.Image)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("invalid --image %q: %w", o.Image, err)
	}
	work, err := os.MkdirTemp("", "apiserver-boot-image")
	if err != nil {
		return v1.Hash{}, err
	}
	defer os.RemoveAll(work)

	var images []v1.Image
	for _, p := range o.Platforms {
		img, err := o.platformImage(ctx, p, filepath.Join(work, p.OS+"_"+p.Architecture+p.Variant))
		if err != nil {
			return v1.Hash{}, err
		}
		images = append(images, img)
	}

	var artifact interface{ Digest() (v1.Hash, error) }
	var index v1.ImageIndex
	if len(images) == 1 {
		artifact = images[0]
	} else {
		index = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
		for i, img := range images {
			p := o.Platforms[i]
			index = mutate.AppendManifests(index, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
		}
		artifact = index
	}
	digest, err := artifact.Digest()
	if err != nil {
		return v1.Hash{}, err
	}

	switch o.OutputFormat {
	case OCILayout:
		lp, err := layout.Write(o.OutputPath, empty.Index)
		if err != nil {
			return v1.Hash{}, err
		}
		annotations := layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": ref.Name()})
		if index != nil {
			err = lp.AppendIndex(index, annotations)
		} else {
			err = lp.AppendImage(images[0], annotations)
		}
		if err != nil {
			return v1.Hash{}, err
		}
		fmt.Fprintf(o.Out, "wrote OCI layout %s\n", o.OutputPath)
	case Tarball:
		if index != nil {
			return v1.Hash{}, fmt.Errorf("a tarball holds one image: build one --platform, or use --output oci-layout")
		}
		if err := tarball.WriteToFile(o.OutputPath, ref, images[0]); err != nil {
			return v1.Hash{}, err
		}
		fmt.Fprintf(o.Out, "wrote tarball %s\n", o.OutputPath)
	}
	if o.Push {
		if err := push(ctx, o.Out, ref, images, index); err != nil {
			return v1.Hash{}, err
		}
		fmt.Fprintf(o.Out, "pushed %s@%s\n", ref.Context().Name(), digest)
	}
	return digest, nil
}

// platformImage cross-compiles the binaries for p and puts them on the base.
func (o *Options) platformImage(ctx context.Context, p v1.Platform, dir string) (v1.Image, error) {
	if err := gobuild.Build(ctx, gobuild.Options{
		Dir: o.Dir, Output: dir, GOOS: p.OS, GOARCH: p.Architecture, Release: true, Out: o.Out,
		Targets: model.Binaries,
	}); err != nil {
		return nil, err
	}
	base, err := o.baseImage(ctx, p)
	if err != nil {
		return nil, err
	}
	layerPath := filepath.Join(dir, "layer.tar")
	if err := writeLayerTar(layerPath, dir, model.Binaries...); err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromFile(layerPath, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	if d, err := layer.Digest(); err == nil {
		size, _ := layer.Size()
		fmt.Fprintf(o.Out, "layer %s (%.1f MB) for %s\n", d, float64(size)/1e6, p.String())
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History:   v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "apiserver-boot build container", Comment: model.APIServer.Name + ", " + model.Manager.Name},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: epoch}
	cf.Config.Entrypoint = []string{"/" + model.APIServer.Name}
	cf.Config.Cmd = nil
	cf.Config.User = User
	cf.Config.WorkingDir = "/"
	if cf.Config.Labels == nil {
		cf.Config.Labels = map[string]string{}
	}
	cf.Config.Labels["org.opencontainers.image.description"] = model.APIServer.Name + " (entrypoint) and " + model.Manager.Name + ", built by apiserver-boot"
	return mutate.ConfigFile(img, cf)
}

func (o *Options) baseImage(ctx context.Context, p v1.Platform) (v1.Image, error) {
	if o.Base == "scratch" {
		return mutate.MediaType(mutate.ConfigMediaType(empty.Image, types.OCIConfigJSON), types.OCIManifestSchema1), nil
	}
	ref, err := name.ParseReference(o.Base)
	if err != nil {
		return nil, fmt.Errorf("invalid --base %q: %w", o.Base, err)
	}
	img, err := remote.Image(ref, remote.WithContext(ctx), remote.WithPlatform(p), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return nil, fmt.Errorf("pulling the base image %s for %s: %w", o.Base, p.String(), err)
	}
	return img, nil
}

// writeLayerTar writes a tar of the named files in dir, at the image's root,
// executable, owned by root, with a fixed timestamp.
func writeLayerTar(path, dir string, bins ...model.Binary) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, b := range bins {
		name := b.Name
		src, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		info, err := src.Stat()
		if err == nil {
			err = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: info.Size(), ModTime: epoch, Typeflag: tar.TypeReg, Format: tar.FormatPAX})
		}
		if err == nil {
			_, err = io.Copy(tw, src)
		}
		src.Close()
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// push writes the image or index to its registry, reporting progress.
func push(ctx context.Context, out io.Writer, ref name.Reference, images []v1.Image, index v1.ImageIndex) error {
	updates := make(chan v1.Update, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := time.Time{}
		for u := range updates {
			if u.Error != nil || time.Since(last) < 500*time.Millisecond && u.Complete != u.Total {
				continue
			}
			last = time.Now()
			fmt.Fprintf(out, "pushing %s: %.1f/%.1f MB\n", ref.Context().Name(), float64(u.Complete)/1e6, float64(u.Total)/1e6)
		}
	}()
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithProgress(updates)}
	var err error
	if index != nil {
		err = remote.WriteIndex(ref, index, opts...)
	} else {
		err = remote.Write(ref, images[0], opts...)
	}
	if err != nil {
		// The progress channel is only closed on success.
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	<-done
	return nil
}
