package docs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/apiserver-boot/apiserver-boot/internal/browsertest"
)

// TestHTMLSearch opens the HTML reference in headless Chromium, types in the
// search box, and checks that the matching kind is shown and the other
// hidden. The screenshot is kept as a test artifact (go test -artifacts).
func TestHTMLSearch(t *testing.T) {
	ctx := browsertest.New(t, "the HTML reference's search")
	dir, p := fixture(t)
	gvs, err := buildFixture(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render("bees", gvs, HTML)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "index.html")
	if err := os.WriteFile(page, files["index.html"], 0o644); err != nil {
		t.Fatal(err)
	}

	const hive, bee = "#insect-example-com-v1alpha1-hive", "#insect-example-com-v1alpha1-bee"
	visible := func(sel string) bool {
		t.Helper()
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("`+sel+`")).display !== "none"`))
		if err != nil {
			t.Fatal(err)
		}
		return shown
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate("file://"+page),
		chromedp.WaitVisible(chromedp.CSS("#search")),
	); err != nil {
		t.Fatal(err)
	}
	beeBefore := visible(bee)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#search"), "hive")); err != nil {
		t.Fatal(err)
	}
	hiveAfter, beeAfter := visible(hive), visible(bee)
	navHive := visible(`a.nav-kind[data-kind='insect-example-com-v1alpha1-hive']`)
	navBee := visible(`a.nav-kind[data-kind='insect-example-com-v1alpha1-bee']`)
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.ArtifactDir(), "docs-search-hive.png")
	if err := os.WriteFile(shot, screenshot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
	if !beeBefore {
		t.Fatal("Bee is hidden before any search")
	}
	if !hiveAfter || !navHive {
		t.Fatal("after typing \"hive\", the Hive kind is not shown")
	}
	if beeAfter || navBee {
		t.Fatal("after typing \"hive\", the Bee kind is still shown")
	}
}
