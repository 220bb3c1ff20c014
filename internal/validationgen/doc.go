// Package validationgen is k8s.io/code-generator's validation-gen command,
// copied from the pinned module so that apiserver-boot can run it in-process
// on its shared package load, as it runs the other generators. Upstream keeps
// the generator's targets in a package main (only its validators package is
// importable); the files here are that package's sources byte for byte but for
// the package clause. TestCopyMatchesModule fails when they drift from the
// module in go.mod; `go test ./internal/validationgen -update` copies them anew.
//
// The generator reports errors with klog.Fatal (which exits the process) or a
// panic; internal/codegen turns both into errors (see its validation step).
package validationgen
