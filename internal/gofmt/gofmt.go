// Package gofmt is `gofmt -s` as a library: go/format prints as gofmt does,
// but the -s simplifications live in cmd/gofmt, which cannot be imported.
// simplify.go is the Go distribution's cmd/gofmt/simplify.go with only its
// package clause changed (TestSimplifyMatchesGOROOT); match.go holds the
// parts of cmd/gofmt/rewrite.go it calls.
package gofmt

import (
	"bytes"
	"go/format"
	"go/parser"
	"go/token"
)

// Source is gofmt -s on one file: parse, simplify, print.
func Source(path string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	simplify(f)
	var b bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
