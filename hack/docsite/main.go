// Command docsite renders docs/ and CHANGELOG.md as a static site to browse
// offline (make docs): docsite [-o DIR]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/apiserver-boot/apiserver-boot/internal/site"
)

func main() {
	out := flag.String("o", "_site", "directory to write the site into (replaced)")
	flag.Parse()
	written, err := site.Write(".", *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docsite:", err)
		os.Exit(1)
	}
	fmt.Printf("%d files in %s; open %s/index.html\n", len(written), *out, *out)
}
