// Package browsertest starts headless Chromium for the tests that check
// pages in a real browser (the API reference of build docs, the docs site).
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// New returns a browser tab that lives as long as the test. Without Chromium
// the test fails under CI (CI=true; .ci/run installs the Debian package
// chromium) and is skipped elsewhere, naming what was not proven. The flags
// keep Chromium off the network: it loads only the test's pages.
func New(t *testing.T, proves string) context.Context {
	t.Helper()
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("Chromium is not installed, and CI must prove %s in a browser: .ci/run installs it", proves)
		}
		t.Skipf("Chromium is not installed (apt-get install chromium): NOT PROVEN here: %s", proves)
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
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}
