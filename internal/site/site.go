// Package site renders the documentation (docs/ and CHANGELOG.md) as a static
// HTML site to browse offline: one page per Markdown file, a navigation of
// every page, and a search over all of them that runs in the page (no server:
// it works from file://). Links between the Markdown files become links
// between the pages; a link to anything outside the site is an error, so the
// site never ships a dead link.
package site

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

//go:embed page.html.tmpl
var pageTemplate string

// SearchIndex is the file every page loads for its search box.
const SearchIndex = "search-index.js"

// Page is one rendered page.
type Page struct {
	Source string // path of the Markdown file, relative to the repository
	Path   string // path of the page, relative to the site
	Title  string // the first heading
	Group  string // the navigation section
	body   template.HTML
	text   string
}

// Sources are the Markdown files of the site under root (the repository):
// docs/**/*.md and CHANGELOG.md.
func Sources(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	out = append(out, "CHANGELOG.md")
	sort.Strings(out)
	return out, err
}

// pagePath is where a source is published: docs/ is the site's root,
// README.md is a directory's index.html, and a file outside docs/ keeps its
// name, lower-cased.
func pagePath(source string) string {
	p := strings.TrimPrefix(source, "docs/")
	if p == source {
		p = strings.ToLower(p)
	}
	dir, file := path.Split(p)
	if file == "README.md" {
		file = "index.md"
	}
	return dir + strings.TrimSuffix(file, ".md") + ".html"
}

// Build renders the sources under root into the site's files, by path.
func Build(root string, sources []string) (map[string][]byte, error) {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	files, err := assets(root)
	if err != nil {
		return nil, err
	}
	pages := map[string]*Page{}
	var order []*Page
	for _, src := range sources {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(src)))
		if err != nil {
			return nil, err
		}
		doc := md.Parser().Parse(text.NewReader(data))
		p := &Page{Source: src, Path: pagePath(src), Group: "Guide"}
		switch {
		case strings.HasPrefix(src, "docs/reference/"):
			p.Group = "Command reference"
		case strings.HasPrefix(src, "docs/concepts/"):
			p.Group = "Concepts"
		}
		var linkErr error
		ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			switch n := n.(type) {
			case *ast.Heading:
				if p.Title == "" {
					p.Title = strings.ReplaceAll(string(n.Lines().Value(data)), "`", "")
				}
			case *ast.Link:
				dest, err := rewrite(src, string(n.Destination), sources, files)
				if err != nil && linkErr == nil {
					linkErr = err
				}
				n.Destination = []byte(dest)
			case *ast.Image:
				dest, err := rewrite(src, string(n.Destination), sources, files)
				if err != nil && linkErr == nil {
					linkErr = err
				}
				n.Destination = []byte(dest)
			}
			return ast.WalkContinue, nil
		})
		if linkErr != nil {
			return nil, linkErr
		}
		if p.Title == "" {
			return nil, fmt.Errorf("%s has no heading to title its page", src)
		}
		var body bytes.Buffer
		if err := md.Renderer().Render(&body, data, doc); err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		p.body = template.HTML(body.String())
		p.text = plainText(body.String())
		pages[src] = p
		order = append(order, p)
	}
	// The navigation: the guide (its index at the top), the concepts, then
	// the command reference.
	rank := map[string]int{"Guide": 0, "Concepts": 1, "Command reference": 2}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.Group != b.Group {
			return rank[a.Group] < rank[b.Group]
		}
		if (a.Path == "index.html") != (b.Path == "index.html") {
			return a.Path == "index.html"
		}
		return a.Path < b.Path
	})
	tmpl, err := template.New("page").Funcs(template.FuncMap{
		"rel": func(from, to string) string { return relative(from, to) },
	}).Parse(pageTemplate)
	if err != nil {
		return nil, err
	}
	type entry struct{ Path, Title, Text string }
	var index []entry
	for _, p := range order {
		var out bytes.Buffer
		if err := tmpl.Execute(&out, map[string]any{"Page": p, "Pages": order, "Body": p.body, "SearchIndex": relative(p.Path, SearchIndex)}); err != nil {
			return nil, err
		}
		files[p.Path] = out.Bytes()
		index = append(index, entry{p.Path, p.Title, p.text})
	}
	js, err := json.Marshal(index)
	if err != nil {
		return nil, err
	}
	files[SearchIndex] = []byte("// The search index of every page: path, title, text.\nwindow.SEARCH_INDEX = " + string(js) + ";\n")
	return files, nil
}

// assetsDir holds the files pages show or link to (plots, their data): they
// are published as they are, at their path under docs/.
const assetsDir = "docs/images"

// assets reads the files of assetsDir, by their path in the site.
func assets(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(assetsDir)), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(filepath.Join(root, "docs"), p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return files, err
}

// rewrite turns a link of src into the site's: another source's page (with
// its #fragment), an asset, or an absolute URL left as is. A relative link
// to a file that is not part of the site is an error.
func rewrite(src, dest string, sources []string, assets map[string][]byte) (string, error) {
	u, err := url.Parse(dest)
	if err != nil {
		return "", fmt.Errorf("%s: link %q: %w", src, dest, err)
	}
	if u.Scheme != "" || u.Host != "" || u.Path == "" {
		return dest, nil
	}
	target := path.Clean(path.Join(path.Dir(src), u.Path))
	for _, s := range sources {
		if s == target {
			out := relative(pagePath(src), pagePath(target))
			if u.Fragment != "" {
				out += "#" + u.Fragment
			}
			return out, nil
		}
	}
	if asset := strings.TrimPrefix(target, "docs/"); asset != target && assets[asset] != nil {
		return relative(pagePath(src), asset), nil
	}
	return "", fmt.Errorf("%s links to %s, which is not a page of the documentation (docs/*.md, CHANGELOG.md) or a file of %s", src, target, assetsDir)
}

// relative is the URL of page to as seen from page from.
func relative(from, to string) string {
	rel, err := filepath.Rel(path.Dir(from), to)
	if err != nil {
		return to
	}
	return filepath.ToSlash(rel)
}

var tags = regexp.MustCompile(`<[^>]*>`)

// plainText is a page's text for the search: tags dropped, entities and
// white space folded.
func plainText(h string) string {
	t := tags.ReplaceAllString(h, " ")
	t = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#39;", "'").Replace(t)
	return strings.Join(strings.Fields(t), " ")
}

// Write renders the site under root into dir, replacing what dir held.
func Write(root, dir string) ([]string, error) {
	sources, err := Sources(root)
	if err != nil {
		return nil, err
	}
	files, err := Build(root, sources)
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	var written []string
	for p, data := range files {
		out := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return nil, err
		}
		written = append(written, p)
	}
	sort.Strings(written)
	return written, nil
}
