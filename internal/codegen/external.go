package codegen

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/apiserver-boot/apiserver-boot/internal/pkgdriver"
	"github.com/apiserver-boot/apiserver-boot/internal/toolshim"
)

// validationGenPkg is upstream's validation-gen command. It runs built from
// the k8s.io/code-generator version the project's module graph selects (the
// one the pinned apiserver-boot requires, so `upgrade` moves it); `go run`
// builds it once per version into the go command's cache.
const validationGenPkg = "k8s.io/code-generator/cmd/validation-gen"

// runValidationGen runs upstream's validation-gen on the packages inputs, in
// a stage of the project's sources with the lines apiserver-boot derives for
// it (markers: +k8s:optional beside +optional, +k8s:opaqueType on fields of
// packages it does not read) added to the copy only, and returns the files
// it wrote, by absolute path. It reads no shared state, so it runs beside
// the in-process generators.
func runValidationGen(tmp, dir, module string, markers []derivedMarker, inputs, argv []string) (map[string][]byte, error) {
	overlay := map[string][]byte{}
	var pkgDirs []string
	for _, pkg := range inputs {
		rel, err := relDir(module, pkg)
		if err != nil {
			return nil, err
		}
		pkgDirs = append(pkgDirs, rel)
		// Every file it writes is collected, so none may be left from before.
		overlay[rel+"/zz_generated.validations.go"] = nil
	}
	s, err := newStage(tmp, dir, overlay)
	if err != nil {
		return nil, err
	}
	for _, m := range markers {
		if err := addToSource(s.dir, module, m); err != nil {
			return nil, err
		}
	}
	lines, err := s.lineMaps(pkgDirs)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("go", append([]string{"run", validationGenPkg}, argv...)...)
	cmd.Dir = s.dir
	// Its package load goes through this binary's driver, as Generate's own does.
	cmd.Env = s.env(pkgdriver.Environ())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(lines.apply(s.unstage(stderr.String())))
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	return s.changes(pkgDirs, func(rel string) bool { return strings.HasSuffix(rel, "/zz_generated.validations.go") })
}

// runGoToProtobuf runs upstream's go-to-protobuf (code-generator's package,
// in a child process of this binary) in a stage of the project as this run
// leaves it (the other generators' output laid over the sources, their stale
// files gone), with this binary as its protoc and goimports and the Go
// toolchain's gofmt. It returns generated.proto and generated.pb.go of each
// package and the Go files whose protobuf struct tags changed.
func runGoToProtobuf(tmp, dir, module string, argv []string, out map[string][]byte, existing []string, pkgs []string) (map[string][]byte, error) {
	overlay := map[string][]byte{}
	for _, rel := range existing {
		overlay[rel] = nil
	}
	for abs, content := range out {
		rel, err := filepath.Rel(dir, abs)
		if err != nil {
			return nil, err
		}
		overlay[filepath.ToSlash(rel)] = content
	}
	s, err := newStage(tmp, dir, overlay)
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp(tmp, "proto-root-")
	if err != nil {
		return nil, err
	}
	if err := LinkProtoRoot(root, s.dir, module); err != nil {
		return nil, err
	}
	bin, err := toolshim.Dir(root + "-tools")
	if err != nil {
		return nil, err
	}
	args := make([]string, len(argv))
	for i, a := range argv {
		args[i] = strings.ReplaceAll(a, ProtoRoot, root)
	}
	cmd := exec.Command(filepath.Join(bin, toolshim.GoToProtobuf), args...)
	cmd.Dir = s.dir
	env := s.env(pkgdriver.Environ())
	cmd.Env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(strings.ReplaceAll(s.unstage(output.String()), root+"/"+module, dir))
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	var pkgDirs []string
	for _, pkg := range pkgs {
		rel, err := relDir(module, pkg)
		if err != nil {
			return nil, err
		}
		pkgDirs = append(pkgDirs, rel)
	}
	return s.changes(pkgDirs, func(rel string) bool {
		name := filepath.Base(rel)
		return name == protoFile || strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
	})
}

// lineMap maps, per project file, a line of the stage's copy (which has
// derived lines inserted) to the project's line.
type lineMap map[string][]int

// lineMaps compares the Go files of dirs in the stage with their input.
func (s *stage) lineMaps(dirs []string) (lineMap, error) {
	m := lineMap{}
	for _, d := range dirs {
		entries, err := os.ReadDir(filepath.Join(s.dir, filepath.FromSlash(d)))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			rel := d + "/" + e.Name()
			in, ok := s.input[rel]
			if !ok || !strings.HasSuffix(rel, ".go") {
				continue
			}
			now, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(rel)))
			if err != nil {
				return nil, err
			}
			if bytes.Equal(in, now) {
				continue
			}
			// Only lines were inserted: walk both, matching equal lines.
			orig, staged := strings.Split(string(in), "\n"), strings.Split(string(now), "\n")
			to := make([]int, len(staged)+1)
			i := 0
			for j := range staged {
				if i < len(orig) && staged[j] == orig[i] {
					i++
				}
				to[j+1] = max(i, 1)
			}
			m[filepath.Join(s.project, filepath.FromSlash(rel))] = to
		}
	}
	return m, nil
}

var fileLine = regexp.MustCompile(`([^\s:"']+\.go):(\d+)`)

// apply rewrites file:line positions in msg from the stage's lines to the project's.
func (m lineMap) apply(msg string) string {
	return fileLine.ReplaceAllStringFunc(msg, func(pos string) string {
		sub := fileLine.FindStringSubmatch(pos)
		to, ok := m[sub[1]]
		n, err := strconv.Atoi(sub[2])
		if !ok || err != nil || n >= len(to) {
			return pos
		}
		return fmt.Sprintf("%s:%d", sub[1], to[n])
	})
}
