package browsertest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"jobgraph/internal/textcut"
)

// maxLoggedMessage bounds a logged error quoted in a failure; a message
// that quotes a data: URL would fill screens.
const maxLoggedMessage = 400

// runTimeout bounds one page visit; a healthy one takes a few seconds.
const runTimeout = 90 * time.Second

// recordViolations runs before the page's own scripts and keeps every
// Content-Security-Policy violation, which Chromium otherwise only logs.
const recordViolations = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});`

// Page is a page open in a fresh headless Chromium. While it is open it
// records every request the page makes, what it logs as errors and its
// Content-Security-Policy violations; when the test ends, any of those
// fails it: an error, a violation, or a request to a host off loopback.
type Page struct {
	t          testing.TB
	ctx        context.Context
	pageHeader network.Headers

	mu       sync.Mutex
	requests []string
	errors   []string
}

// Open opens pageURL and waits until the JavaScript expression ready is
// truthy in it.
func Open(t testing.TB, pageURL, ready string) *Page {
	t.Helper()
	ctx, cancel := context.WithTimeout(newBrowser(t), runTimeout)
	t.Cleanup(cancel)
	p := &Page{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, p.record); err != nil {
		t.Fatalf("listen to chromium: %v", err)
	}
	// Registered after the browser's cleanup, so it runs while the page is open.
	t.Cleanup(p.checkClean)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations})
		return err
	}))
	if err != nil {
		t.Fatalf("prepare chromium: %v", err)
	}
	response, err := chromedp.Run(ctx, chromedp.NavigateResponse(pageURL))
	if err != nil {
		t.Fatalf("open %s: %v", pageURL, err)
	}
	p.pageHeader = response.Headers
	p.Poll(ready, "the page to be ready")
	return p
}

// record keeps what the page requested and what it logged as an error. It
// runs on chromedp's reading goroutine, so it only appends.
func (p *Page) record(ev any) {
	var request, logged string
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		request = ev.Request.URL
	case *network.EventWebSocketCreated:
		request = ev.URL
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, arg := range ev.Args {
				args = append(args, consoleArg(arg))
			}
			logged = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
		}
	case *runtime.EventExceptionThrown:
		logged = "uncaught: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			logged += " " + ev.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			logged = "browser log: " + ev.Entry.Text + " " + ev.Entry.URL
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if request != "" {
		p.requests = append(p.requests, request)
	}
	if logged != "" {
		p.errors = append(p.errors, textcut.Cut(logged, maxLoggedMessage))
	}
}

func consoleArg(arg *runtime.RemoteObject) string {
	if arg.Value != nil {
		return string(arg.Value)
	}
	return arg.Description
}

// PageHeader returns the named header of the page's response as Chromium
// received it, or "" without one.
func (p *Page) PageHeader(name string) string {
	for key, value := range p.pageHeader {
		if strings.EqualFold(key, name) {
			return fmt.Sprint(value)
		}
	}
	return ""
}

// Requests returns the URL of every request and WebSocket the page opened so far.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

func (p *Page) checkClean() {
	p.t.Helper()
	violations, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`window.__cspViolations`))
	if err != nil {
		p.t.Errorf("read Content-Security-Policy violations: %v", err)
	}
	if len(violations) > 0 {
		p.t.Errorf("the page violated its Content-Security-Policy: %s", strings.Join(violations, "; "))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errors) > 0 {
		p.t.Errorf("the page logged errors:\n%s", strings.Join(p.errors, "\n"))
	}
	for _, request := range p.requests {
		if !onLoopback(request) {
			p.t.Errorf("the page requested %s, which is not on loopback", textcut.Cut(request, maxLoggedMessage))
		}
	}
}

// onLoopback reports whether a request stays on this machine: an http(s) or
// ws(s) URL of a loopback address, or a data: URL, which needs no network.
func onLoopback(rawURL string) bool {
	parsed, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	switch parsed.Scheme {
	case "data":
		return true
	case "http", "https", "ws", "wss":
		if parsed.Hostname() == "localhost" {
			return true
		}
		ip := net.ParseIP(parsed.Hostname())
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// ClickText clicks the first element that matches the CSS selector and
// whose text is text, once there is one.
func (p *Page) ClickText(selector, text string) {
	p.t.Helper()
	p.Poll(`(function () {
  var match = Array.from(document.querySelectorAll(`+jsString(selector)+`)).find(function (e) {
    return e.textContent === `+jsString(text)+`;
  });
  if (!match) { return false; }
  match.click();
  return true;
})()`, selector+" reading "+text)
}

// Click clicks the first element that matches the CSS selector, once visible.
func (p *Page) Click(selector string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		p.t.Fatalf("click %s: %v", selector, err)
	}
}

// Texts waits until an element matches the CSS selector and returns the
// text of every element that matches it.
func (p *Page) Texts(selector string) []string {
	p.t.Helper()
	p.Poll(`document.querySelector(`+jsString(selector)+`) !== null`, selector)
	texts, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(`+jsString(selector)+`), function (e) { return e.textContent; })`))
	if err != nil {
		p.t.Fatalf("read %s: %v", selector, err)
	}
	return texts
}

// Screenshot saves a PNG of the page as it is now.
func (p *Page) Screenshot(path string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("take a screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatalf("save screenshot: %v", err)
	}
}

// Eval runs a JavaScript expression in the page.
func (p *Page) Eval(expression string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Evaluate[chromedp.Void](expression)); err != nil {
		p.t.Fatalf("in the page: %v", err)
	}
}

// Poll waits until the JavaScript expression is truthy and returns it as
// text; what names it in a failure.
func (p *Page) Poll(expression, what string) string {
	p.t.Helper()
	value, err := chromedp.Run(p.ctx, chromedp.Poll[any](expression))
	if err != nil {
		p.t.Fatalf("wait for %s: %v", what, err)
	}
	return fmt.Sprint(value)
}

// Value evaluates a JavaScript expression in the page and decodes its value.
func Value[T any](p *Page, expression string) T {
	p.t.Helper()
	value, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		p.t.Fatalf("evaluate in the page: %v", err)
	}
	return value
}
