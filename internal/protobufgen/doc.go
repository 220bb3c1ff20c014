// Package protobufgen is k8s.io/code-generator's go-to-protobuf, run
// in-process. The files upstream keeps in cmd/go-to-protobuf/protobuf are
// copied here byte for byte but for the package clause
// (TestCopyMatchesModule; `go test ./internal/protobufgen -update` copies
// them anew): their helpers are unexported, and Run writes files, execs
// protoc, protoc-gen-gogo, goimports and gofmt, and exits on errors.
// inprocess.go, apiserver-boot's own, is Generate: Run's steps in Run's
// order with a pure-Go .proto compiler (bufbuild/protocompile), gogo's
// generator as a library, x/tools/imports and gofmt -s (internal/gofmt), its
// output returned instead of written. Users need no protoc on their PATH.
package protobufgen
