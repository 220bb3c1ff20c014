package toolshim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	gogoproto "github.com/gogo/protobuf/proto"
	gogodescriptor "github.com/gogo/protobuf/protoc-gen-gogo/descriptor"
	gogoplugin "github.com/gogo/protobuf/protoc-gen-gogo/plugin"
	"github.com/gogo/protobuf/vanity/command"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// protocArgs is the part of protoc's command line go-to-protobuf uses.
type protocArgs struct {
	importPaths []string
	outDir      string
	parameter   string
	files       []string
}

func parseProtocArgs(args []string) (protocArgs, error) {
	var p protocArgs
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-I" || a == "--proto_path":
			if i+1 == len(args) {
				return p, fmt.Errorf("%s needs a directory", a)
			}
			i++
			p.importPaths = append(p.importPaths, args[i])
		case strings.HasPrefix(a, "-I"):
			p.importPaths = append(p.importPaths, a[2:])
		case strings.HasPrefix(a, "--proto_path="):
			p.importPaths = append(p.importPaths, strings.TrimPrefix(a, "--proto_path="))
		case strings.HasPrefix(a, "--gogo_out="):
			out := strings.TrimPrefix(a, "--gogo_out=")
			if params, dir, ok := strings.Cut(out, ":"); ok {
				p.parameter, out = params, dir
			}
			p.outDir = out
		case strings.HasPrefix(a, "-"):
			return p, fmt.Errorf("unsupported option %s (this protoc serves go-to-protobuf: -I, --proto_path, --gogo_out)", a)
		default:
			p.files = append(p.files, a)
		}
	}
	if p.outDir == "" || len(p.files) == 0 {
		return p, errors.New("usage: protoc -I DIR... --gogo_out=DIR FILE.proto...")
	}
	if len(p.importPaths) == 0 {
		p.importPaths = []string{"."}
	}
	return p, nil
}

// runProtoc compiles the files as protoc does and runs protoc-gen-gogo's
// generation on them: gogo's vanity command, as k8s.io/code-generator's
// protoc-gen-gogo calls it (with paths=source_relative for files in
// directories), writing what it returns under --gogo_out.
func runProtoc(args []string) error {
	p, err := parseProtocArgs(args)
	if err != nil {
		return err
	}
	var names []string
	for _, f := range p.files {
		name, err := virtualName(f, p.importPaths)
		if err != nil {
			return err
		}
		names = append(names, name)
	}
	compiler := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(&protocompile.SourceResolver{ImportPaths: p.importPaths}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	compiled, err := compiler.Compile(context.Background(), names...)
	if err != nil {
		return err
	}
	req, err := pluginRequest(compiled, names, p.parameter)
	if err != nil {
		return err
	}
	resp := command.Generate(req)
	if resp.Error != nil {
		return fmt.Errorf("--gogo_out: %s", resp.GetError())
	}
	for _, f := range resp.File {
		path := filepath.Join(p.outDir, filepath.FromSlash(f.GetName()))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(f.GetContent()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// virtualName is a file's name as imports spell it: its path below the first
// import path that holds it.
func virtualName(file string, importPaths []string) (string, error) {
	file = filepath.Clean(file)
	for _, dir := range importPaths {
		dir = filepath.Clean(dir)
		if dir == "." && !filepath.IsAbs(file) {
			return filepath.ToSlash(file), nil
		}
		if rel, ok := strings.CutPrefix(file, dir+string(filepath.Separator)); ok {
			return filepath.ToSlash(rel), nil
		}
	}
	return "", fmt.Errorf("%s: File does not reside within any path specified using --proto_path (or -I)", file)
}

// pluginRequest is what protoc sends its plugin: every file, each after what
// it imports, with source information only for the files to generate.
func pluginRequest(compiled linker.Files, names []string, parameter string) (*gogoplugin.CodeGeneratorRequest, error) {
	toGenerate := map[string]bool{}
	for _, n := range names {
		toGenerate[n] = true
	}
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
		if !toGenerate[f.Path()] {
			fdp = proto.Clone(fdp)
			m := fdp.ProtoReflect()
			m.Clear(m.Descriptor().Fields().ByName("source_code_info"))
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
	for _, f := range compiled {
		if err := add(f); err != nil {
			return nil, err
		}
	}
	// code-generator's protoc-gen-gogo writes each .pb.go beside its .proto
	// when the files are named with directories.
	for _, n := range names {
		if strings.Contains(n, "/") {
			if parameter != "" {
				parameter += ","
			}
			parameter += "paths=source_relative"
			break
		}
	}
	req := &gogoplugin.CodeGeneratorRequest{FileToGenerate: names, ProtoFile: all}
	if parameter != "" {
		req.Parameter = &parameter
	}
	return req, nil
}
