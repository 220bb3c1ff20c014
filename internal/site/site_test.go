package site

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/apiserver-boot/apiserver-boot/internal/browsertest"
)

var (
	hrefs = regexp.MustCompile(`href="([^"]*)"`)
	ids   = regexp.MustCompile(`id="([^"]*)"`)
)

// TestSiteLinksResolve renders the repository's documentation and checks
// every page: a title, and every link to another page (and its #fragment)
// leads to a page of the site.
func TestSiteLinksResolve(t *testing.T) {
	sources, err := Sources("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := Build("../..", sources)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["index.html"]; !ok {
		t.Fatal("the site has no index.html (docs/README.md)")
	}
	pages := 0
	for p, data := range files {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		pages++
		if m := regexp.MustCompile(`<title>([^<]*)</title>`).FindSubmatch(data); m == nil || strings.TrimSpace(strings.TrimSuffix(string(m[1]), "· apiserver-boot")) == "" {
			t.Errorf("%s has no title", p)
		}
		for _, m := range hrefs.FindAllStringSubmatch(string(data), -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			target, fragment, _ := strings.Cut(link, "#")
			if target == "" {
				target = p
			} else {
				target = path.Clean(path.Join(path.Dir(p), target))
			}
			page, ok := files[target]
			if !ok {
				t.Errorf("%s links to %s: no such page", p, link)
				continue
			}
			if fragment != "" && !strings.Contains(string(page), `id="`+fragment+`"`) {
				t.Errorf("%s links to %s: %s has no #%s (ids: %v)", p, link, target, fragment, ids.FindAllString(string(page), 5))
			}
		}
	}
	if pages != len(sources) {
		t.Errorf("%d pages from %d sources", pages, len(sources))
	}
}

// TestDeadLinkFails: a link to a file that is not a page fails the build,
// naming the page and the target.
func TestDeadLinkFails(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"docs/README.md": "# Docs\n\nSee [the guide](guide.md).\n",
		"CHANGELOG.md":   "# Changelog\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sources, err := Sources(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(root, sources); err == nil || !strings.Contains(err.Error(), "docs/README.md links to docs/guide.md") {
		t.Fatalf("a dead link: %v, want an error naming the page and the target", err)
	}
}

// TestSiteInBrowser opens every page of the site from file:// in headless
// Chromium: each has a title and every link of it leads to a file of the
// site; the search box finds a page by words of its text. Screenshots of two
// pages are kept as test artifacts.
func TestSiteInBrowser(t *testing.T) {
	ctx := browsertest.New(t, "the docs site's pages, links and search")
	dir := t.TempDir()
	written, err := Write("../..", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range written {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.Join(dir, p))); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		title, err := chromedp.Run(ctx, chromedp.Title())
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("a[href]")).map(a => a.href)`))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if strings.TrimSpace(strings.TrimSuffix(title, "· apiserver-boot")) == "" {
			t.Errorf("%s: the browser shows no title", p)
		}
		for _, l := range links {
			file, ok := strings.CutPrefix(l, "file://")
			if !ok {
				continue
			}
			file, _, _ = strings.Cut(file, "#")
			if _, err := os.Stat(file); err != nil {
				t.Errorf("%s: the link %s leads nowhere", p, l)
			}
		}
	}
	shoot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.ArtifactDir(), name)
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", out)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate("file://"+filepath.Join(dir, "index.html")),
		chromedp.SendKeys(chromedp.CSS("#search"), "stale verify"),
	); err != nil {
		t.Fatal(err)
	}
	results, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#results a")).map(a => a.getAttribute("href"))`))
	if err != nil {
		t.Fatal(err)
	}
	shoot("docs-site-search.png")
	if !containsAll(results, "json-output.html", "reference/apiserver-boot_build_generated.html") {
		t.Errorf("searching \"stale verify\" found %v; want the -o json page and build generated's", results)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.Join(dir, "reference", "apiserver-boot_upgrade.html"))); err != nil {
		t.Fatal(err)
	}
	shoot("docs-site-upgrade.png")
}

func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			found = found || strings.HasSuffix(l, w)
		}
		if !found {
			return false
		}
	}
	return true
}
