// Package codegen runs the Kubernetes code generators in-process, linked as
// libraries: deepcopy, validation (declarative, see internal/validationgen),
// defaulter, conversion, openapi (with model names), applyconfiguration,
// client, lister and informer. The input packages are
// loaded and type-checked once and shared by every generator, which is what
// makes it fast; each generator is configured by parsing exactly the flags
// k8s.io/code-generator's kube_codegen.sh passes it, so the output is the
// upstream output. Files are compared with what is on disk: unchanged files
// are not rewritten, stale ones are removed, and Verify writes nothing.
package codegen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/go/packages"
	"k8s.io/gengo/v2"
	"k8s.io/gengo/v2/generator"
	"k8s.io/gengo/v2/namer"
	"k8s.io/gengo/v2/parser"
	"k8s.io/gengo/v2/types"

	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/pkgdriver"
	"github.com/apiserver-boot/apiserver-boot/internal/scaffold"
)

// Options says what to generate and how.
type Options struct {
	// Dir is the project root (where go.mod and PROJECT are).
	Dir     string
	Project *model.Project
	// Verify generates in memory and reports stale files without writing.
	Verify bool
	// Log receives progress lines; may be nil.
	Log io.Writer
}

// Result says what Generate did (or, with Verify, would do).
type Result struct {
	Written   []string // created or updated, relative to Dir
	Removed   []string // stale generated files deleted
	Unchanged int
	// UpToDate is set when the inputs had not changed since the last run, so
	// nothing was generated at all.
	UpToDate bool
}

// StaleError lists generated files that are missing, out of date or left over.
type StaleError struct{ Paths []string }

func (e *StaleError) Error() string {
	return fmt.Sprintf("generated code is out of date; run `apiserver-boot build generated` to update:\n  %s", strings.Join(e.Paths, "\n  "))
}

// runMu serialises runs: generators name their output after os.Args[0].
var runMu sync.Mutex

// Generate runs every generator for the project.
func Generate(opts Options) (*Result, error) {
	runMu.Lock()
	defer runMu.Unlock()
	var logMu sync.Mutex // validation-gen logs from its goroutine
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			logMu.Lock()
			defer logMu.Unlock()
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	in := newInputs(opts.Dir, opts.Project)

	last := readStamp(opts.Dir)
	existing, err := existingGenerated(opts.Dir, last.local)
	if err != nil {
		return nil, err
	}
	if key, err := in.hash(opts.Dir, last.local, existing); err != nil {
		return nil, err
	} else if key == last.key {
		return &Result{UpToDate: true, Unchanged: len(existing)}, nil
	}

	// Loading and type-checking ~280 packages allocates fast and keeps most
	// of it: with the default GOGC the collector takes a sixth of the run.
	// Four times the headroom costs ~110 MB more at the peak (~510 MB).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	start := time.Now()
	base, r, err := in.loadAll(opts.Dir)
	if err != nil {
		return nil, err
	}
	if err := r.checkOpenAPI(opts.Dir, in.module, base.Universe); err != nil {
		return nil, err
	}
	if err := checkDrift(opts.Dir, base.Universe, opts.Project); err != nil {
		return nil, err
	}
	if err := in.checkTags(); err != nil {
		return nil, err
	}
	if err := checkTagPlacement(opts.Dir, in.module, base.Universe, in.validated); err != nil {
		return nil, err
	}
	if err := checkProtobuf(opts.Dir, in.module, base.Universe, in.protobufPkgs()); err != nil {
		return nil, err
	}
	if err := checkClaimedNames(opts.Dir, in.module, base.Universe, sorted(in.groups, in.versions, in.local)); err != nil {
		return nil, err
	}
	logf("loaded %d packages in %s", len(base.Universe), since(start))

	tmp, err := os.MkdirTemp("", "apiserver-boot-codegen")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	reportFile := filepath.Join(tmp, "api-violations.list")
	steps, err := in.steps(reportFile)
	if err != nil {
		return nil, err
	}

	// validation-gen and go-to-protobuf are upstream's commands, run in
	// copies of the project (see stage). validation-gen reads only the
	// sources, so it runs beside the in-process generators; go-to-protobuf
	// comes last, as it adds protobuf struct tags to every Go file of its
	// packages, the other generators' output included.
	type external struct {
		files map[string][]byte
		err   error
	}
	validation := make(chan external, 1)
	if argv := in.argv("validation-gen", reportFile); argv != nil {
		// What it needs from the load is read now: the generators below
		// add to the universe as they run.
		inputs, included := validationIncluded(argv)
		markers := validationMarkers(base.Universe, inputs, included)
		go func() {
			t := time.Now()
			files, err := runValidationGen(tmp, opts.Dir, in.module, markers, inputs, argv)
			if err == nil {
				logf("%-22s %s", "validation-gen", since(t))
			}
			validation <- external{files, err}
		}()
	} else {
		validation <- external{}
	}
	out := &capture{files: map[string][]byte{}}
	savedArg0 := os.Args[0]
	defer func() { os.Args[0] = savedArg0 }()
	for _, s := range steps {
		t := time.Now()
		// gengo writes "Code generated by <basename of os.Args[0]>".
		os.Args[0] = s.name
		c := stepContext(base, s, out)
		var err error
		if s.name == "openapi-gen" {
			// The +k8s: tags reach OpenAPI as openapi-gen's own markers.
			restore := addMarkers(c.Universe, openapiMarkers(c.Universe, in.validated))
			err = fatalAsError(func() error { return c.ExecuteTargets(s.targets(c)) })
			restore()
		} else {
			// A generator that exits (klog.Fatal) or panics ends this run, not the process.
			err = fatalAsError(func() error { return c.ExecuteTargets(s.targets(c)) })
		}
		if err != nil {
			<-validation
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		logf("%-22s %s", s.name, since(t))
	}
	v := <-validation
	if v.err != nil {
		return nil, fmt.Errorf("validation-gen: %w", v.err)
	}
	for p, content := range v.files {
		out.files[p] = content
	}
	if argv := in.argv("go-to-protobuf", reportFile); argv != nil {
		t := time.Now()
		onDisk, err := existingGenerated(opts.Dir, sorted(last.local, in.localDirs()))
		if err != nil {
			return nil, err
		}
		files, err := runGoToProtobuf(tmp, opts.Dir, in.module, argv, out.files, onDisk, in.protobufPkgs())
		if err != nil {
			return nil, fmt.Errorf("go-to-protobuf: %w", err)
		}
		for p, content := range files {
			out.files[p] = content
		}
		logf("%-22s %s", "go-to-protobuf", since(t))
	}

	// Relative paths of the new output.
	generated := map[string][]byte{}
	for abs, content := range out.files {
		rel, err := filepath.Rel(opts.Dir, abs)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("a generator wrote outside the project: %s", abs)
		}
		generated[filepath.ToSlash(rel)] = content
	}
	localDirs := in.localDirs()
	if existing, err = existingGenerated(opts.Dir, sorted(last.local, localDirs)); err != nil {
		return nil, err
	}
	res, changes, err := diff(opts.Dir, generated, existing)
	if err != nil {
		return nil, err
	}
	if opts.Verify {
		if stale := append(append([]string(nil), res.Written...), res.Removed...); len(stale) > 0 {
			sort.Strings(stale)
			return res, &StaleError{Paths: stale}
		}
		return res, nil
	}
	if err := scaffold.Apply(opts.Dir, changes); err != nil {
		return nil, err
	}
	for _, rel := range res.Removed {
		if err := os.Remove(filepath.Join(opts.Dir, rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		removeEmptyParents(opts.Dir, filepath.Dir(filepath.Join(opts.Dir, rel)))
	}
	// Record what this run consumed and produced, so that an identical next run is a no-op.
	return res, writeStamp(opts.Dir, in, localDirs, sortedKeys(generated))
}

// Commands returns the command lines Generate runs in-process, as the
// upstream generator binaries take them (reportFile receives openapi-gen's
// API rule report): what to run to reproduce or compare the output.
func Commands(opts Options, reportFile string) ([][]string, error) {
	in := newInputs(opts.Dir, opts.Project)
	if _, _, err := in.loadAll(opts.Dir); err != nil {
		return nil, err
	}
	var out [][]string
	for _, inv := range in.invocations(reportFile) {
		out = append(out, append([]string{inv.name}, inv.argv...))
	}
	return out, nil
}

// loadAll loads the API packages once, checks their fields, and adds what
// their types reach to the inputs and to the load (those packages were
// type-checked already, so this only reads their comments), so that every
// referenced type gets a definition.
func (in *inputs) loadAll(dir string) (*generator.Context, *reached, error) {
	p, err := load(dir, in.all()...)
	if err != nil {
		return nil, nil, err
	}
	base, err := generator.NewContext(p, namer.NameSystems{}, "")
	if err != nil {
		return nil, nil, err
	}
	own := sorted(in.groups, in.versions)
	if err := checkFields(dir, in.module, base.Universe, own); err != nil {
		return nil, nil, err
	}
	r := reach(base.Universe, in.module, in.versions, own)
	in.setReached(r)
	if _, err := base.LoadPackages(in.extra()...); err != nil {
		return nil, nil, fmt.Errorf("loading the packages the API references: %w", err)
	}
	return base, r, nil
}

// extra are the packages loadAll adds to the load after computing what the
// API reaches.
func (in *inputs) extra() []string { return sorted(in.openapiExtra, in.local) }

// stepContext is the shared load as one generator sees it: its namers, its
// order and inputs, and out as where its files go.
func stepContext(base *generator.Context, s step, out *capture) *generator.Context {
	c := *base
	c.Namers = namer.NameSystems{}
	for k, v := range s.nameSystems {
		c.Namers[k] = v
	}
	c.Order = (&namer.Orderer{Namer: s.nameSystems[s.defaultNS]}).OrderUniverse(c.Universe)
	c.Inputs = append([]string(nil), s.inputs...)
	sort.Strings(c.Inputs)
	c.FileTypes = map[string]generator.FileType{generator.GoFileType: out}
	return &c
}

// load parses and type-checks packages of the module in dir once, as the
// generators see them (generated files excluded by their build tag).
func load(dir string, pkgs ...string) (*parser.Parser, error) {
	p := parser.NewWithOptions(parser.Options{BuildTags: []string{gengo.StdBuildTag}})
	// Only Dir and Env are taken from this Config. The environment makes the
	// load read dependencies without function bodies (see pkgdriver).
	if err := p.LoadPackagesWithConfigForTesting(&packages.Config{Dir: dir, Env: pkgdriver.Environ()}, pkgs...); err != nil {
		return nil, fmt.Errorf("loading the API packages: %w", err)
	}
	return p, nil
}

// Load returns the types of the project's API packages (every version of
// every group) and of what they reference, with their doc comments, loaded
// the way the generators load them. build docs reads the API from it.
func Load(dir string, p *model.Project) (types.Universe, error) {
	pr, err := load(dir, newInputs(dir, p).versions...)
	if err != nil {
		return nil, err
	}
	return pr.NewUniverse()
}

func since(t time.Time) string { return time.Since(t).Round(10 * time.Millisecond).String() }

// capture is a gengo FileType that keeps formatted files in memory instead
// of writing them, so that unchanged files keep their mtime and Verify writes nothing.
type capture struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (c *capture) AssembleFile(f *generator.File, path string) error {
	goFile := generator.NewGoFile()
	var b bytes.Buffer
	et := generator.NewErrorTracker(&b)
	goFile.Assemble(et, f)
	if et.Error() != nil {
		return et.Error()
	}
	formatted, err := goFile.Format(b.Bytes())
	if err != nil {
		return fmt.Errorf("formatting %s: %w", path, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[path] = formatted
	return nil
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sorted(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}
