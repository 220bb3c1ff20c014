package e2e

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// proxyReleaseBase is the tag TestGoInstallFromModuleProxy gives this tree
// in a clone, with the commit appended (v0.99.0-e2e.g<commit>), and
// publishes on a module proxy made of files: one version per commit, so a
// module cache never holds another tree under the same version.
const proxyReleaseBase = "v0.99.0-e2e.g"

// readmeInstall is the README's install line: `go install <pkg>@<version>`.
var readmeInstall = regexp.MustCompile("(?m)^go install (github.com/apiserver-boot/apiserver-boot/cmd/apiserver-boot)@(\\S+)")

// TestGoInstallFromModuleProxy does what the README says a user does: this
// repository, tagged, is published on a module proxy served from files
// (GOPROXY=file://…, the checksum database off for this module only); from a
// clean GOPATH (nothing installed, no module downloaded) the README's
// `go install` line installs it,
// `apiserver-boot version` prints the tag, and a project it scaffolds pins it
// in go.mod as a tool with no replace directive, resolves that pin through
// the same proxy (`go tool apiserver-boot`), generates and builds.
func TestGoInstallFromModuleProxy(t *testing.T) {
	sideBySide(t)
	git := requireTool(t, "git", "a release made from this repository's history")
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := readmeInstall.FindSubmatch(readme)
	if m == nil {
		t.Fatalf("README.md has no line `go install github.com/apiserver-boot/apiserver-boot/cmd/apiserver-boot@…`")
	}
	pkg, readmeVersion := string(m[1]), string(m[2])

	// The release: a clone of this repository's HEAD, tagged.
	work := t.TempDir()
	clone := filepath.Join(work, "clone")
	head, err := exec.Command(git, "-C", "..", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	proxyRelease := proxyReleaseBase + strings.TrimSpace(string(head))
	for _, args := range [][]string{
		{"clone", "--quiet", "--shared", "..", clone},
		{"-C", clone, "-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "tag", "-a", proxyRelease, "-m", "release " + proxyRelease},
	} {
		if out, err := exec.Command(git, args...).CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	proxy := filepath.Join(work, "proxy")
	publish(t, proxy, clone, proxyRelease)

	// A clean Go environment: nothing installed, no module downloaded.
	// Other modules come from the usual proxy; only this one skips the
	// checksum database (it is not public). The GOPATH is emptied at a fixed
	// path, so the build cache kept beside it serves the next run, as a
	// user's is kept: under a new path every dependency would compile again
	// (about 4 minutes here). Go's cache is keyed by content, so it cannot
	// stand in for a module the proxy does not serve.
	gopath := filepath.Join(e2eCache(t), "goinstall", "gopath")
	emptyGoPath := func() {
		if err := os.RemoveAll(gopath); err != nil {
			t.Fatal(err)
		}
	}
	emptyGoPath()
	t.Cleanup(emptyGoPath)
	cleanEnv := cleanGoEnv(t, gopath, filepath.Join(e2eCache(t), "goinstall", "gocache"), "file://"+proxy)
	env := cleanEnv
	gobin := filepath.Join(gopath, "bin")

	version := readmeVersion
	if version != "latest" {
		version = proxyRelease // the README names a real release; this tree is published as proxyRelease
	}
	run := func(dir, name string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		t.Logf("%s %s (%s)", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Second))
		return stdout.Bytes()
	}
	run(work, "go", "install", pkg+"@"+version)
	// The project: the release installed above, and this machine's module
	// and build caches, so the project's build is the one every e2e project
	// shares (a new module cache path would recompile everything). The pin
	// is not in that module cache: it resolves through the proxy, and is
	// removed from the cache afterwards.
	env = nil
	for _, kv := range cleanEnv {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GOCACHE", "GOPATH":
		default:
			env = append(env, kv)
		}
	}
	sharedModCache := goEnv(t, "GOMODCACHE")
	env = append(env, "GOMODCACHE="+sharedModCache)
	t.Cleanup(func() { forgetModule(t, sharedModCache, proxyRelease) })
	bin := filepath.Join(gobin, "apiserver-boot")
	var v struct {
		ApiserverBoot string `json:"apiserverBoot"`
		Published     bool   `json:"published"`
	}
	if err := json.Unmarshal(run(work, bin, "version", "-o", "json"), &v); err != nil || v.ApiserverBoot != proxyRelease || !v.Published {
		t.Fatalf("apiserver-boot version -o json: %+v, %v; want %s, published", v, err, proxyRelease)
	}
	if out := string(run(work, bin, "version")); !strings.HasPrefix(out, "apiserver-boot "+proxyRelease+"\n") {
		t.Fatalf("apiserver-boot version printed %q, want apiserver-boot %s first", out, proxyRelease)
	}

	// A project made by the installed release pins it, through the proxy.
	project := filepath.Join(work, "bees")
	if err := os.Mkdir(project, 0o755); err != nil {
		t.Fatal(err)
	}
	run(project, bin, "init", "repo", "--domain", "example.com", "--module", "example.com/bees")
	gomod := readFile(t, project, "go.mod")
	for _, want := range []string{"tool " + pkg + "\n", "github.com/apiserver-boot/apiserver-boot " + proxyRelease} {
		if !strings.Contains(gomod, want) {
			t.Fatalf("go.mod does not pin %q:\n%s", want, gomod)
		}
	}
	if strings.Contains(gomod, "replace") {
		t.Fatalf("go.mod of a project made by a release has a replace directive:\n%s", gomod)
	}
	if p := readFile(t, project, "PROJECT"); !strings.Contains(p, "apiserverBootVersion: "+proxyRelease) {
		t.Fatalf("PROJECT does not record %s:\n%s", proxyRelease, p)
	}
	run(project, bin, "create", "group", "version", "resource", "--group", "insect", "--version", "v1alpha1", "--kind", "Bee")
	// The pinned tool, built from the proxy's module, is the release.
	if out := string(run(project, "go", "tool", "apiserver-boot", "version")); !strings.HasPrefix(out, "apiserver-boot "+proxyRelease+"\n") {
		t.Fatalf("go tool apiserver-boot version printed %q, want %s", out, proxyRelease)
	}
	run(project, "make", "generate")
	run(project, "go", "build", "./...")
	if out := string(run(project, "go", "tool", "apiserver-boot", "build", "generated", "--verify")); !strings.Contains(out, "up to date") {
		t.Fatalf("build generated --verify after make generate: %s", out)
	}
}

// publish writes version of the module in repo (a git clone, at the tag
// named version) to a file-based module proxy rooted at dir.
func publish(t *testing.T, dir, repo, version string) {
	t.Helper()
	const path = "github.com/apiserver-boot/apiserver-boot"
	escaped, err := module.EscapePath(path)
	if err != nil {
		t.Fatal(err)
	}
	vdir := filepath.Join(dir, escaped, "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	zf, err := os.Create(filepath.Join(vdir, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zf.Close()
	if err := modzip.CreateFromVCS(zf, module.Version{Path: path, Version: version}, repo, version, ""); err != nil {
		t.Fatalf("the module zip of %s: %v", version, err)
	}
	gomod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": "2026-12-01T00:00:00Z"})
	for name, content := range map[string][]byte{"list": []byte(version + "\n"), version + ".mod": gomod, version + ".info": info} {
		if err := os.WriteFile(filepath.Join(vdir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// cleanGoEnv is this process's environment with gopath as GOPATH (its
// module cache too), gocache as the build cache, and first the file proxy of
// the release.
func cleanGoEnv(t *testing.T, gopath, gocache, firstProxy string) []string {
	t.Helper()
	// After the release's proxy: this machine's module cache, read as a
	// proxy (the modules it already downloaded, without the network), then
	// the usual proxy for anything it lacks.
	usual := "file://" + filepath.Join(goEnv(t, "GOMODCACHE"), "cache", "download") + "," + goEnv(t, "GOPROXY")
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GOPATH", "GOMODCACHE", "GOCACHE", "GOBIN", "GOPROXY", "GONOSUMDB", "GONOSUMCHECK", "GOPRIVATE", "GONOPROXY", "GOFLAGS", "GOENV":
		default:
			env = append(env, kv)
		}
	}
	return append(env,
		"GOPATH="+gopath,
		"GOCACHE="+gocache,
		"GOENV=off",
		"GOPROXY="+firstProxy+","+usual,
		"GONOSUMDB=github.com/apiserver-boot/apiserver-boot",
		"GOFLAGS=-modcacherw",
	)
}

// goEnv is one `go env` setting of this machine.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// forgetModule removes this module's version from a module cache: its
// extracted tree and its download files.
func forgetModule(t *testing.T, modCache, version string) {
	const path = "github.com/apiserver-boot/apiserver-boot"
	dirs, _ := filepath.Glob(filepath.Join(modCache, path+"@"+version))
	files, _ := filepath.Glob(filepath.Join(modCache, "cache", "download", path, "@v", version+".*"))
	for _, p := range append(dirs, files...) {
		filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(q, 0o755) // the module cache is read-only
			}
			return nil
		})
		if err := os.RemoveAll(p); err != nil {
			t.Errorf("removing the published version from the module cache: %v", err)
		}
	}
}
