package pkgdriver

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"
)

func TestMain(m *testing.M) {
	if driver, err := Serve(); driver {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestDeclarationsOnly(t *testing.T) {
	src := []byte(`package p

import "fmt"

// Doc of F.
func F(a int) (string, error) {
	// inside F
	s := fmt.Sprint(a) /* block
	comment */
	return s, nil
}

type T struct{ N int }

func (t *T) M() int { return t.N + len("}") }

var V = func() int { return 1 }()

var (
	Table     = &T{N: 7}
	Arr       = [...]T{{N: 8}, {N: 9}}
	Commented = []int{10, // ten
		11}
)

func Asm(x int) int

func G() string {
	a := 1 // trailing
	// own line
	s := ` + "`" + `raw
string` + "`" + ` // after a raw string
	// the line after
	_ = a /* a block
	comment */ // and a line comment
	// below them
	return s
}
type U int

func H() string {
	return ` + "`" + `raw
string` + "`" + ` // after a raw string
	// the line after
}
`)
	got := string(declarationsOnly(src))
	if len(got) != len(src) || strings.Count(got, "\n") != strings.Count(string(src), "\n") {
		t.Fatalf("length or line count changed:\n%s", got)
	}
	for _, gone := range []string{"fmt.Sprint", "return s, nil", "t.N +", "return 1", "N: 7", "N: 8", "N: 9"} {
		if strings.Contains(got, gone) {
			t.Errorf("%q is still there:\n%s", gone, got)
		}
	}
	for _, kept := range []string{"// Doc of F.", "// inside F", "/* block\n\tcomment */", "func F(a int) (string, error) {", "type T struct{ N int }", "func (t *T) M() int {", "var V = func() int {", "}()", "Arr       = [...]T{{", "}, {", "Commented = []int{10, // ten\n\t\t11}", "func Asm(x int) int\n"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%q is missing:\n%s", kept, got)
		}
	}
	// Every kept byte is where it was; the rest are spaces and empty statements.
	for i := range got {
		if got[i] != ' ' && got[i] != ';' && got[i] != src[i] {
			t.Fatalf("byte %d moved: %q", i, got[i:])
		}
	}
	// G's comments would group differently without its code (the block
	// comment is followed by another on its last line): it is kept whole.
	if !strings.Contains(got, "_ = a /* a block") {
		t.Errorf("G was emptied although its comments group differently then:\n%s", got)
	}
	if strings.Contains(got, "return `raw") {
		t.Errorf("H was kept whole:\n%s", got)
	}
	// The parser groups the comments as it does in src.
	if w, g := commentGroups(t, src), commentGroups(t, []byte(got)); w != g {
		t.Errorf("comment groups differ:\n%s", firstDiff(w, g))
	}
	// The same with Windows line ends: the scanner leaves carriage returns
	// out of comments' and raw strings' text, so their extent is the source's.
	crlf := bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))
	if got := declarationsOnly(crlf); len(got) != len(crlf) || commentGroups(t, got) != commentGroups(t, crlf) || bytes.Contains(got, []byte("fmt.Sprint")) {
		t.Errorf("with CRLF line ends:\n%s", got)
	}
	if broken := []byte("package p\nfunc {"); string(declarationsOnly(broken)) != string(broken) {
		t.Error("a file that does not parse must be returned as it is")
	}
}

func commentGroups(t *testing.T, src []byte) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, g := range f.Comments {
		fmt.Fprintf(&b, "%d-%d %q\n", fset.Position(g.Pos()).Line, fset.Position(g.End()).Line, g.Text())
	}
	return b.String()
}

// TestSameDeclarations loads real packages (the standard library, apimachinery,
// k8s.io/api and everything they import) with go list and through the driver,
// and checks that every package has the same package-level objects with the
// same types, at the same lines and columns, and the same comments.
func TestSameDeclarations(t *testing.T) {
	keepGoCache(t) // only the copies are made anew
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	patterns := []string{"k8s.io/api/core/v1", "k8s.io/apimachinery/pkg/util/intstr", "net/http", "encoding/json"}
	mode := packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps |
		packages.NeedModule | packages.NeedTypes | packages.NeedSyntax
	plain := all(t, &packages.Config{Mode: mode, Env: append(os.Environ(), driverEnv+"=off")}, patterns)
	env := Environ()
	if env == nil {
		t.Fatal("Environ returned nil although Serve ran")
	}
	driven := all(t, &packages.Config{Mode: mode, Env: env}, patterns)
	if len(driven) != len(plain) || len(plain) < 100 {
		t.Fatalf("%d packages through the driver, %d with go list", len(driven), len(plain))
	}
	stripped := 0
	for path, want := range plain {
		got := driven[path]
		if got == nil {
			t.Errorf("%s: not loaded through the driver", path)
			continue
		}
		if slices.ContainsFunc(got.Syntax, func(f *ast.File) bool {
			return strings.Contains(got.Fset.File(f.Pos()).Name(), cacheVersion)
		}) {
			stripped++
		}
		if w, g := declarations(want), declarations(got); w != g {
			t.Errorf("%s: declarations differ:\n%s", path, firstDiff(w, g))
		}
		if w, g := comments(want), comments(got); w != g {
			t.Errorf("%s: comments differ:\n%s", path, firstDiff(w, g))
		}
	}
	if stripped < len(plain)*9/10 {
		t.Errorf("only %d of %d packages were read without bodies", stripped, len(plain))
	}
}

// keepGoCache pins GOCACHE, which follows XDG_CACHE_HOME unless set.
func keepGoCache(t *testing.T) {
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(out)))
}

func all(t *testing.T, cfg *packages.Config, patterns []string) map[string]*packages.Package {
	t.Helper()
	roots, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*packages.Package{}
	packages.Visit(roots, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			if e.Kind != packages.TypeError {
				t.Errorf("%s: %v", p.PkgPath, e)
			}
		}
		out[p.PkgPath] = p
	})
	return out
}

// declarations lists a package's package-level objects, with methods, as
// "name type @line:col".
func declarations(p *packages.Package) string {
	var b strings.Builder
	qual := func(other *types.Package) string { return other.Path() }
	pos := func(at token.Pos) string {
		ps := p.Fset.Position(at)
		return fmt.Sprintf("%s:%d:%d", sourceName(ps.Filename), ps.Line, ps.Column)
	}
	scope := p.Types.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		fmt.Fprintf(&b, "%s @%s\n", types.ObjectString(obj, qual), pos(obj.Pos()))
		if tn, ok := obj.(*types.TypeName); ok {
			if named, ok := tn.Type().(*types.Named); ok {
				for m := range named.Methods() {
					fmt.Fprintf(&b, "  %s @%s\n", types.ObjectString(m, qual), pos(m.Pos()))
				}
			}
		}
	}
	return b.String()
}

// comments lists every comment group, bodies' included, by file and end line:
// gengo looks comments up by the line they end on, in any part of a file.
func comments(p *packages.Package) string {
	var b strings.Builder
	for _, f := range p.Syntax {
		for _, g := range f.Comments {
			end := p.Fset.Position(g.End())
			fmt.Fprintf(&b, "%s:%d %q\n", sourceName(end.Filename), end.Line, g.Text())
		}
	}
	return b.String()
}

// sourceName is the name of the file a copy was made from.
func sourceName(file string) string {
	base := filepath.Base(file)
	if strings.Contains(file, cacheVersion) {
		_, base, _ = strings.Cut(base, "-")
	}
	return base
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] != g[i] {
			return fmt.Sprintf("- %s\n+ %s", w[i], g[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(w), len(g))
}

// TestCache checks that a second load reuses a copy, that an edited file
// gets a new one, and that trimming removes copies unused for two weeks and
// keeps the others.
func TestCache(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	c := openCache()
	if c == nil {
		t.Fatal("no cache")
	}
	src := filepath.Join(t.TempDir(), "a.go")
	if err := os.WriteFile(src, []byte("package a\n\nfunc F() int { return 1 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	first, err := c.copyOf(src)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(first); strings.Contains(string(data), "return") || !strings.HasSuffix(first, "-a.go") {
		t.Fatalf("copy %s: %q", first, data)
	}
	old := time.Now().Add(-3 * trimAfter)
	if err := os.Chtimes(first, old, old); err != nil {
		t.Fatal(err)
	}
	again, err := c.copyOf(src)
	if err != nil || again != first {
		t.Fatalf("second copy %v, %v; want %s", again, err, first)
	}
	if info, _ := os.Stat(first); time.Since(info.ModTime()) > time.Minute {
		t.Error("using a copy did not renew its time")
	}
	// An edited file is a new copy.
	if err := os.WriteFile(src, []byte("package a\n\nfunc G() int { return 2 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	edited, _ := c.copyOf(src)
	if edited == first {
		t.Error("an edited file reused the old copy")
	}
	if err := os.Chtimes(first, old, old); err != nil {
		t.Fatal(err)
	}
	c.trim(time.Now().Add(2 * trimEvery))
	if _, err := os.Stat(first); err == nil {
		t.Error("a copy unused for six weeks survived the trim")
	}
	if _, err := os.Stat(edited); err != nil {
		t.Error("the trim removed a copy in use")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(c.root, "tmp-*")); len(leftovers) > 0 {
		t.Errorf("scratch files left: %v", leftovers)
	}
}

func TestEnvironRespectsTheUsersDriver(t *testing.T) {
	t.Setenv(driverEnv, "/usr/local/bin/my-driver")
	if env := Environ(); env != nil {
		t.Errorf("Environ replaced the user's GOPACKAGESDRIVER: %v", env)
	}
}

// TestNoCache checks that a load without a usable cache directory reads the
// files whole instead of failing.
func TestNoCache(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	keepGoCache(t)
	t.Setenv("XDG_CACHE_HOME", notADir)
	mode := packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps | packages.NeedTypes | packages.NeedSyntax
	resp, err := load(&packages.DriverRequest{Mode: mode}, []string{"encoding/json"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range resp.Packages {
		for _, f := range p.CompiledGoFiles {
			if strings.Contains(f, cacheVersion) {
				t.Fatalf("%s: a copy was made without a cache: %s", p.PkgPath, f)
			}
		}
	}
	if len(resp.Packages) < 10 {
		t.Fatalf("%d packages", len(resp.Packages))
	}
}

// TestOverlayIsKept checks that a file the caller overlays is not replaced by
// a copy of what is on disk.
func TestOverlayIsKept(t *testing.T) {
	keepGoCache(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	fold := filepath.Join(strings.TrimSpace(string(out)), "src", "encoding", "json", "fold.go")
	src, err := os.ReadFile(fold)
	if err != nil {
		t.Fatal(err)
	}
	mode := packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps | packages.NeedTypes | packages.NeedSyntax
	resp, err := load(&packages.DriverRequest{Mode: mode, Overlay: map[string][]byte{fold: src}}, []string{"encoding/json"})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range resp.Packages {
		if p.PkgPath == "encoding/json" {
			files = p.CompiledGoFiles
		}
	}
	if !slices.Contains(files, fold) {
		t.Errorf("the overlaid %s was replaced: %v", fold, files)
	}
	if !slices.ContainsFunc(files, func(f string) bool { return strings.Contains(f, cacheVersion) }) {
		t.Errorf("no other file of encoding/json was copied: %v", files)
	}
}
