// Command derive writes into the project in the current directory the lines
// apiserver-boot gives the code generators besides the sources
// (codegen.WriteDerivedMarkers: validation-gen's +k8s:opaqueType and
// +k8s:optional, the OpenAPI bridge's markers), so that the upstream generator
// binaries run on it produce what `build generated` does. bench/codegen.sh
// runs it on its fixture before timing either side.
package main

import (
	"fmt"
	"os"

	"github.com/apiserver-boot/apiserver-boot/internal/codegen"
	"github.com/apiserver-boot/apiserver-boot/internal/model"
	"github.com/apiserver-boot/apiserver-boot/internal/pkgdriver"
	"github.com/apiserver-boot/apiserver-boot/internal/workspace"
)

func main() {
	if driver, err := pkgdriver.Serve(); driver {
		exit(err)
		return
	}
	w, err := workspace.Open(".")
	exit(err)
	dir, err := os.Getwd()
	exit(err)
	lines, err := codegen.WriteDerivedMarkers(codegen.Options{Dir: dir, Project: model.New(w.Project)})
	exit(err)
	fmt.Printf("%d derived lines written\n", len(lines))
}

func exit(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "derive:", err)
		os.Exit(1)
	}
}
