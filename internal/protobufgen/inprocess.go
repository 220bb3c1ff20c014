package protobufgen

// This file is apiserver-boot's, not upstream's: Generate is Run (cmd.go)
// without a process of its own. Where Run writes files, execs protoc with
// protoc-gen-gogo, goimports and gofmt, and exits on errors, Generate works on
// a gengo context it is given, compiles the IDL with protocompile, calls the
// gogo generator as a library, fixes imports with x/tools/imports and
// simplifies as gofmt -s does, returns every file it would write, and reports
// errors. Each step is upstream's own function, in upstream's order.

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"go/format"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	_ "github.com/gogo/protobuf/gogoproto" // registers gogo.proto (see gogoProto)
	gogoproto "github.com/gogo/protobuf/proto"
	gogodescriptor "github.com/gogo/protobuf/protoc-gen-gogo/descriptor"
	gogogenerator "github.com/gogo/protobuf/protoc-gen-gogo/generator"
	gogoplugin "github.com/gogo/protobuf/protoc-gen-gogo/plugin"
	_ "github.com/gogo/protobuf/vanity/command" // registers protoc-gen-gogo's plugins
	"github.com/spf13/pflag"
	"golang.org/x/tools/imports"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"k8s.io/gengo/v2"
	"k8s.io/gengo/v2/generator"
	"k8s.io/gengo/v2/namer"
	"k8s.io/gengo/v2/types"

	"github.com/apiserver-boot/apiserver-boot/internal/gofmt"
)

// Request is one in-process run of go-to-protobuf.
type Request struct {
	// Args is go-to-protobuf's command line; --output-dir and --proto-import
	// are not read (files are located through the load and Open).
	Args []string
	// Context is a load holding every package the command line names.
	Context *generator.Context
	// Open returns a .proto file the IDL imports, by its import path
	// ("k8s.io/api/core/v1/generated.proto"); google/protobuf/*.proto are built in.
	Open func(importPath string) (io.ReadCloser, error)
	// Sources are Go files of this run not yet on disk (absolute paths), as
	// they will be written: the struct tags are added to them too.
	Sources map[string][]byte
}

// Generate runs go-to-protobuf and returns what it would write, by absolute
// path: generated.proto and generated.pb.go for every output package, and the
// Go files of those packages whose protobuf struct tags changed.
func Generate(req Request) (map[string][]byte, error) {
	g := New()
	fs := newFlagSet()
	g.BindFlags(fs)
	if err := fs.Parse(req.Args); err != nil {
		return nil, err
	}
	if g.Clean || g.OnlyIDL || g.SkipGeneratedRewrite || g.KeepGogoproto {
		return nil, errors.New("--clean, --only-idl, --skip-generated-rewrite and --keep-gogoproto are not supported in-process")
	}

	type modifier struct {
		allTypes bool
		output   bool
		name     string
	}
	var allInputs []string
	if len(g.APIMachineryPackages) != 0 {
		allInputs = append(allInputs, strings.Split(g.APIMachineryPackages, ",")...)
	}
	if len(g.Packages) != 0 {
		allInputs = append(allInputs, strings.Split(g.Packages, ",")...)
	}
	if len(allInputs) == 0 {
		return nil, errors.New("both apimachinery-packages and packages are empty")
	}
	inputModifiers := map[string]modifier{}
	var packages []string
	for _, d := range allInputs {
		m := modifier{allTypes: true, output: true}
		switch {
		case strings.HasPrefix(d, "+"):
			d = d[1:]
			m.allTypes = false
		case strings.HasPrefix(d, "-"):
			d = d[1:]
			m.output = false
		}
		name := protoSafePackage(d)
		if parts := strings.SplitN(d, "=", 2); len(parts) > 1 {
			d, name = parts[0], parts[1]
		}
		m.name = name
		packages = append(packages, d)
		inputModifiers[d] = m
	}

	// The context as Run's own load would be: its namer, its order, its inputs.
	c := *req.Context
	c.Namers = namer.NameSystems{"public": namer.NewPublicNamer(3)}
	// Other generators' lookups of names that do not exist leave placeholders
	// in a shared load: types of no kind, declarations of no type. A fresh
	// load, go-to-protobuf's own, has none.
	c.Order = nil
	for _, t := range (&namer.Orderer{Namer: c.Namers["public"]}).OrderUniverse(c.Universe) {
		if t.Kind != types.Unknown && (t.Kind != types.DeclarationOf || t.Underlying != nil) {
			c.Order = append(c.Order, t)
		}
	}
	c.Inputs = packages
	idl := &idlCapture{files: map[string][]byte{}}
	c.FileTypes = map[string]generator.FileType{"protoidl": idl}
	for _, p := range packages {
		if c.Universe[p] == nil || c.Universe[p].Dir == "" {
			return nil, fmt.Errorf("package %s is not loaded", p)
		}
	}

	boilerplate, err := gengo.GoBoilerplate(g.GoHeaderFile, "", "")
	if err != nil {
		return nil, fmt.Errorf("loading the boilerplate: %w", err)
	}
	omitTypes := map[types.Name]struct{}{}
	for _, t := range strings.Split(g.DropEmbeddedFields, ",") {
		name := types.Name{}
		if i := strings.LastIndex(t, "."); i != -1 {
			name.Package, name.Name = t[:i], t[i+1:]
		} else {
			name.Name = t
		}
		if len(name.Name) == 0 {
			return nil, fmt.Errorf("--drop-embedded-types requires names in the form of [GOPACKAGE.]TYPENAME: %v", t)
		}
		omitTypes[name] = struct{}{}
	}

	protobufNames := NewProtobufNamer()
	var outputPackages []*protobufPackage
	nonOutputPackages := map[string]struct{}{}
	for _, input := range c.Inputs {
		mod := inputModifiers[input]
		pkg := c.Universe[input]
		protopkg := newProtobufPackage(pkg.Path, pkg.Dir, mod.name, mod.allTypes, omitTypes)
		protopkg.HeaderComment = append(append([]byte{}, boilerplate...), protopkg.HeaderComment...)
		protobufNames.Add(protopkg)
		if mod.output {
			outputPackages = append(outputPackages, protopkg)
		} else {
			nonOutputPackages[mod.name] = struct{}{}
		}
	}
	c.Namers["proto"] = protobufNames

	order, err := importOrder(deps(&c, protobufNames.packages))
	if err != nil {
		return nil, fmt.Errorf("ordering packages by imports: %w", err)
	}
	topologicalPos := map[string]int{}
	for i, p := range order {
		topologicalPos[p] = i
	}
	sort.Sort(positionOrder{topologicalPos, protobufNames.packages})
	var localOutputPackages []generator.Target
	for _, p := range protobufNames.packages {
		if _, ok := nonOutputPackages[p.Name()]; !ok {
			localOutputPackages = append(localOutputPackages, p)
		}
	}
	if err := protobufNames.AssignTypesToPackages(&c); err != nil {
		return nil, err
	}
	if err := c.ExecuteTargets(localOutputPackages); err != nil {
		return nil, err
	}

	// The IDL with gogo's extensions, from which the Go code is generated.
	withGogo := map[string][]byte{}
	for _, p := range outputPackages {
		withGogo[p.ImportPath()] = idl.files[filepath.Join(p.Dir(), "generated.proto")]
	}
	header := &bytes.Buffer{}
	if len(g.Conditional) > 0 {
		fmt.Fprintf(header, "// +build %s\n\n", g.Conditional)
	}
	header.Write(boilerplate)

	out := map[string][]byte{}
	for _, p := range outputPackages {
		code, err := protocGogo(p.ImportPath(), withGogo, req.Open)
		if err != nil {
			return nil, fmt.Errorf("compiling %s: %w", p.ImportPath(), err)
		}
		pbPath := filepath.Join(p.Dir(), "generated.pb.go")
		code, err = rewriteInTemp(code, func(name string) error {
			return RewriteGeneratedGogoProtobufFile(name, p.ExtractGeneratedType, p.OptionalTypeName, header.Bytes(), g.DropGogoGo)
		})
		if err != nil {
			return nil, fmt.Errorf("rewriting the generated %s: %w", pbPath, err)
		}
		// goimports -w, then gofmt -s -w.
		if code, err = imports.Process(pbPath, code, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8}); err != nil {
			return nil, fmt.Errorf("fixing the imports of %s: %w", pbPath, err)
		}
		if code, err = gofmt.Source(pbPath, code); err != nil {
			return nil, err
		}
		out[pbPath] = code
	}

	// The IDL users read: without gogo's extensions.
	for _, p := range outputPackages {
		p.OmitGogo = true
	}
	if err := c.ExecuteTargets(localOutputPackages); err != nil {
		return nil, err
	}
	for _, p := range outputPackages {
		path := filepath.Join(p.Dir(), "generated.proto")
		out[path] = idl.files[path]
	}

	// The protobuf struct tags, onto every Go file of the package.
	for _, p := range outputPackages {
		if len(p.StructTags) == 0 {
			continue
		}
		files, err := goFiles(p.Dir(), out, req.Sources)
		if err != nil {
			return nil, err
		}
		for path, src := range files {
			tagged, err := rewriteInTemp(src, func(name string) error {
				return RewriteTypesWithProtobufStructTags(name, p.StructTags)
			})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if !bytes.Equal(tagged, src) || out[path] != nil {
				out[path] = tagged
			}
		}
	}
	return out, nil
}

// goFiles are the package's non-test Go files as they will be: this run's
// output first, then the other sources, then what is on disk.
func goFiles(dir string, out, sources map[string][]byte) (map[string][]byte, error) {
	files := map[string][]byte{}
	onDisk, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	for _, f := range onDisk {
		if data, err := os.ReadFile(f); err == nil {
			files[f] = data
		} else {
			return nil, err
		}
	}
	for _, m := range []map[string][]byte{sources, out} {
		for f, data := range m {
			if filepath.Dir(f) == dir && strings.HasSuffix(f, ".go") {
				files[f] = data
			}
		}
	}
	for f := range files {
		if strings.HasSuffix(f, "_test.go") {
			delete(files, f)
		}
	}
	return files, nil
}

// rewriteInTemp runs one of upstream's file rewriters on src.
func rewriteInTemp(src []byte, rewrite func(name string) error) ([]byte, error) {
	f, err := os.CreateTemp("", "go-to-protobuf-*.go")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(src); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := rewrite(f.Name()); err != nil {
		return nil, err
	}
	return os.ReadFile(f.Name())
}

// protocGogo is `protoc --gogo_out=…` on one file with protoc-gen-gogo
// (code-generator's, which asks for paths=source_relative): compile the
// file and what it imports, then run gogo's generator on the descriptors.
func protocGogo(file string, idl map[string][]byte, open func(string) (io.ReadCloser, error)) ([]byte, error) {
	compiler := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(protocompile.CompositeResolver{
			protocompile.ResolverFunc(gogoProto),
			&protocompile.SourceResolver{
				Accessor: func(path string) (io.ReadCloser, error) {
					if src, ok := idl[path]; ok {
						return io.NopCloser(bytes.NewReader(src)), nil
					}
					return open(path)
				},
			},
		}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	files, err := compiler.Compile(context.Background(), file)
	if err != nil {
		return nil, err
	}
	// Every file, each after what it imports, as protoc sends them.
	var all []*gogodescriptor.FileDescriptorProto
	seen := map[string]bool{}
	var add func(f protoreflect.FileDescriptor) error
	add = func(f protoreflect.FileDescriptor) error {
		if seen[f.Path()] {
			return nil
		}
		seen[f.Path()] = true
		imps := f.Imports()
		for i := 0; i < imps.Len(); i++ {
			if err := add(imps.Get(i).FileDescriptor); err != nil {
				return err
			}
		}
		var fdp proto.Message
		if r, ok := f.(linker.Result); ok {
			fdp = r.FileDescriptorProto()
		} else {
			fdp = protodesc.ToFileDescriptorProto(f)
		}
		if f.Path() != file {
			// protoc sends source info only for the files to generate.
			fdp = proto.Clone(fdp)
			clearSourceInfo(fdp)
		}
		wire, err := proto.MarshalOptions{Deterministic: true}.Marshal(fdp)
		if err != nil {
			return err
		}
		var gogo gogodescriptor.FileDescriptorProto
		if err := gogoproto.Unmarshal(wire, &gogo); err != nil {
			return err
		}
		all = append(all, &gogo)
		return nil
	}
	if err := add(files[0]); err != nil {
		return nil, err
	}
	// vanity/command.Generate, but for its last step: that runs gogo's test
	// generator through GeneratePlugin, which replaces the registered plugins
	// (marshal, unmarshal, size…) for the rest of the process. It adds
	// files only for protos that ask for tests; these do not.
	g := gogogenerator.New()
	g.Request = &gogoplugin.CodeGeneratorRequest{
		FileToGenerate: []string{file},
		Parameter:      proto.String("paths=source_relative"),
		ProtoFile:      all,
	}
	g.CommandLineParameters(g.Request.GetParameter())
	g.WrapTypes()
	g.SetPackageNames()
	g.BuildTypeNameMap()
	g.GenerateAllFiles()
	if g.Response.Error != nil {
		return nil, errors.New(g.Response.GetError())
	}
	want := strings.TrimSuffix(file, ".proto") + ".pb.go"
	for _, f := range g.Response.File {
		if f.GetName() == want {
			return format.Source([]byte(f.GetContent()))
		}
	}
	return nil, fmt.Errorf("the gogo generator wrote no %s", want)
}

// gogoProtoPath is where the IDL imports gogo's extensions from.
const gogoProtoPath = "github.com/gogo/protobuf/gogoproto/gogo.proto"

// gogoProto serves gogo.proto as the gogoproto package linked into this
// binary registers it: the file protoc would find on a GOPATH.
func gogoProto(path string) (protocompile.SearchResult, error) {
	if path != gogoProtoPath {
		return protocompile.SearchResult{}, os.ErrNotExist
	}
	gz := gogoproto.FileDescriptor("gogo.proto")
	if gz == nil {
		return protocompile.SearchResult{}, errors.New("gogo.proto is not registered")
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return protocompile.SearchResult{}, err
	}
	wire, err := io.ReadAll(r)
	if err != nil {
		return protocompile.SearchResult{}, err
	}
	fdp := &descriptorpb.FileDescriptorProto{}
	if err := proto.Unmarshal(wire, fdp); err != nil {
		return protocompile.SearchResult{}, err
	}
	fdp.Name = proto.String(gogoProtoPath)
	return protocompile.SearchResult{Proto: fdp}, nil
}

func clearSourceInfo(m proto.Message) {
	fd := m.ProtoReflect()
	if f := fd.Descriptor().Fields().ByName("source_code_info"); f != nil {
		fd.Clear(f)
	}
}

// idlCapture is the "protoidl" file type of Run (NewProtoFile), kept in memory.
type idlCapture struct{ files map[string][]byte }

func (c *idlCapture) AssembleFile(f *generator.File, path string) error {
	var b bytes.Buffer
	assembleProtoFile(&b, f)
	formatted, err := formatProtoFile(b.Bytes())
	if err != nil {
		return err
	}
	c.files[path] = formatted
	return nil
}

func newFlagSet() *pflag.FlagSet {
	return pflag.NewFlagSet("go-to-protobuf", pflag.ContinueOnError)
}
