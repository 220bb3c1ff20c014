package docs

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the headless browser. Without one the test fails under
// CI (CI=true; .ci/run installs the Debian package chromium) and is skipped
// elsewhere, saying what was not proven.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is not installed, and CI must prove the HTML reference's search in a browser: .ci/run installs it")
	}
	t.Skip("Chromium is not installed (apt-get install chromium): NOT PROVEN here: the HTML reference's search in a browser")
	return ""
}

// TestHTMLSearch opens the HTML reference in headless Chromium, types in the
// search box, and checks that the matching kind is shown and the other
// hidden. The screenshot is kept as a test artifact (go test -artifacts).
func TestHTMLSearch(t *testing.T) {
	browser := chromium(t)
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

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

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
