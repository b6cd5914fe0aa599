// Package browsertest drives pages in headless Chromium for end-to-end tests.
package browsertest

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// newBrowser starts a fresh headless Chromium for t and returns a tab's
// context; the browser is stopped when the test ends. Without Chromium the
// test is skipped locally but fails in CI, so CI can never skip silently.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("check for chromium: %v", err)
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is missing at %s: CI must install it (see .ci/run)", ChromiumPath)
		}
		t.Skipf("chromium is missing at %s: install the Debian package chromium to run browser tests", ChromiumPath)
	}
	// TempDir is created before the browser's cleanup is registered, so the
	// browser has exited by the time the directory is removed.
	profile := t.TempDir()
	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	)
	tab, cancelTab := chromedp.NewContext(allocator)
	t.Cleanup(func() {
		cancelTab()
		cancelAllocator()
	})
	// Start the browser now, under the tab's own context: the browser lives as
	// long as the context of the first run, which must outlive every step.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return tab
}
