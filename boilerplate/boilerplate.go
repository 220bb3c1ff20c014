// Package boilerplate holds the license headers a project can be created
// with (apiserver-boot init repo --license apache2|mit|none --owner NAME).
package boilerplate

import (
	"embed"
	"fmt"
	"sort"
	"strings"
	"text/template"
)

//go:embed *.txt
var headers embed.FS

// Licenses returns the names accepted by --license.
func Licenses() []string {
	entries, _ := headers.ReadDir(".")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".txt"))
	}
	sort.Strings(out)
	return out
}

// Render returns the header for license, with year and owner filled in. It is
// a Go comment (or empty for "none"), written to hack/boilerplate.go.txt and
// put at the top of every generated Go file.
func Render(license, owner string, year int) (string, error) {
	body, err := headers.ReadFile(license + ".txt")
	if err != nil {
		return "", fmt.Errorf("unknown license %q: choose one of %s", license, strings.Join(Licenses(), ", "))
	}
	t, err := template.New(license).Parse(string(body))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, struct {
		Year  int
		Owner string
	}{year, owner}); err != nil {
		return "", err
	}
	return b.String(), nil
}
