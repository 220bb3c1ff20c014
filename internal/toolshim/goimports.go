package toolshim

import (
	"bytes"
	"errors"
	"io"
	"os"

	"golang.org/x/tools/imports"
)

// runGoimports is `goimports [-w] file...`, the form go-to-protobuf runs: the
// files' imports fixed and formatted with the goimports command's options.
func runGoimports(args []string, stdout io.Writer) error {
	write := false
	var files []string
	for _, a := range args {
		switch {
		case a == "-w":
			write = true
		case len(a) > 0 && a[0] == '-':
			return errors.New("unsupported flag " + a + " (this goimports takes -w and files)")
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		return errors.New("no files (this goimports does not read standard input)")
	}
	opts := &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, Fragment: true}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		out, err := imports.Process(f, src, opts)
		if err != nil {
			return err
		}
		if !write {
			if _, err := stdout.Write(out); err != nil {
				return err
			}
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		if err := os.WriteFile(f, out, 0o644); err != nil {
			return err
		}
	}
	return nil
}
