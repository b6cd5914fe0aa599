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
	"github.com/chromedp/chromedp/kb"

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

// GraphiQL 5 keeps its Monaco API at globalThis.__MONACO; the editors are
// found by the file names GraphiQL gives their models.
const monacoHelpers = `
function graphiqlEditor(file) {
  var monaco = globalThis.__MONACO;
  if (!monaco) { return null; }
  return monaco.editor.getEditors().find(function (e) {
    var model = e.getModel();
    return model && model.uri.path.endsWith(file);
  }) || null;
}`

// GraphiQL is a GraphiQL 5 page open in a fresh headless Chromium. While it
// is open it records every request the page makes, what it logs as errors
// and its Content-Security-Policy violations; when the test ends, any of
// those fails it: an error, a violation, or a request to a host off loopback.
type GraphiQL struct {
	t          testing.TB
	ctx        context.Context
	pageHeader network.Headers

	mu       sync.Mutex
	requests []string
	errors   []string
}

// OpenGraphiQL opens pageURL and waits until GraphiQL's editors are up.
func OpenGraphiQL(t testing.TB, pageURL string) *GraphiQL {
	t.Helper()
	ctx, cancel := context.WithTimeout(newBrowser(t), runTimeout)
	t.Cleanup(cancel)
	g := &GraphiQL{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, g.record); err != nil {
		t.Fatalf("listen to chromium: %v", err)
	}
	// Registered after the browser's cleanup, so it runs while the page is open.
	t.Cleanup(g.checkClean)
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
		t.Fatalf("open GraphiQL at %s: %v", pageURL, err)
	}
	g.pageHeader = response.Headers
	g.poll(`(function () {`+monacoHelpers+`
  return !!graphiqlEditor('operation.graphql') && !!graphiqlEditor('response.json') &&
    !!document.querySelector('.graphiql-execute-button');
})()`, "GraphiQL's editors")
	return g
}

// record keeps what the page requested and what it logged as an error. It
// runs on chromedp's reading goroutine, so it only appends.
func (g *GraphiQL) record(ev any) {
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
	g.mu.Lock()
	defer g.mu.Unlock()
	if request != "" {
		g.requests = append(g.requests, request)
	}
	if logged != "" {
		g.errors = append(g.errors, textcut.Cut(logged, maxLoggedMessage))
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
func (g *GraphiQL) PageHeader(name string) string {
	for key, value := range g.pageHeader {
		if strings.EqualFold(key, name) {
			return fmt.Sprint(value)
		}
	}
	return ""
}

// Requests returns the URL of every request and WebSocket the page opened so far.
func (g *GraphiQL) Requests() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.requests...)
}

func (g *GraphiQL) checkClean() {
	g.t.Helper()
	violations, err := chromedp.Run(g.ctx, chromedp.Evaluate[[]string](`window.__cspViolations`))
	if err != nil {
		g.t.Errorf("read Content-Security-Policy violations: %v", err)
	}
	if len(violations) > 0 {
		g.t.Errorf("GraphiQL violated its Content-Security-Policy: %s", strings.Join(violations, "; "))
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.errors) > 0 {
		g.t.Errorf("GraphiQL logged errors:\n%s", strings.Join(g.errors, "\n"))
	}
	for _, request := range g.requests {
		if !onLoopback(request) {
			g.t.Errorf("GraphiQL requested %s, which is not on loopback", textcut.Cut(request, maxLoggedMessage))
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

// Run puts query in the operation editor as a paste does, replacing what was
// there, presses Ctrl-Enter at once and returns the result pane's text.
func (g *GraphiQL) Run(query string) string {
	g.t.Helper()
	g.eval(`(function () {` + monacoHelpers + `
  graphiqlEditor('response.json').getModel().setValue('');
})()`)
	g.Paste(query)
	if err := chromedp.Do(g.ctx, chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
		g.t.Fatalf("press Ctrl-Enter in GraphiQL: %v", err)
	}
	return g.Result()
}

// Result waits until the result pane shows text and returns it.
func (g *GraphiQL) Result() string {
	g.t.Helper()
	return g.poll(`(function () {`+monacoHelpers+`
  var editor = graphiqlEditor('response.json');
  return (editor && editor.getValue()) || null;
})()`, "GraphiQL's result")
}

// Markers waits until Monaco marks a problem in the operation editor, as
// GraphiQL's GraphQL worker does with the schema, and returns the messages.
func (g *GraphiQL) Markers() []string {
	g.t.Helper()
	messages, err := chromedp.Run(g.ctx, chromedp.Poll[[]string](`(function () {`+monacoHelpers+`
  var model = graphiqlEditor('operation.graphql').getModel();
  var markers = globalThis.__MONACO.editor.getModelMarkers({ resource: model.uri });
  return markers.length ? markers.map(function (m) { return m.message; }) : null;
})()`))
	if err != nil {
		g.t.Fatalf("wait for the operation editor's markers: %v", err)
	}
	return messages
}

// Paste puts text in the operation editor as a paste does, replacing what
// was there.
func (g *GraphiQL) Paste(text string) {
	g.t.Helper()
	g.eval(`(function () {` + monacoHelpers + `
  var editor = graphiqlEditor('operation.graphql');
  editor.focus();
  editor.setSelection(editor.getModel().getFullModelRange());
  editor.trigger('keyboard', 'paste', { text: ` + jsString(text) + ` });
})()`)
}

// OperationTextOnceWithout waits until the operation editor's text no
// longer contains substr and returns it.
func (g *GraphiQL) OperationTextOnceWithout(substr string) string {
	g.t.Helper()
	return g.poll(`(function () {`+monacoHelpers+`
  var text = graphiqlEditor('operation.graphql').getValue();
  return text.includes(`+jsString(substr)+`) ? null : text;
})()`, "the operation without "+substr)
}

// ClickText clicks the first element that matches the CSS selector and
// whose text is text, once there is one.
func (g *GraphiQL) ClickText(selector, text string) {
	g.t.Helper()
	g.poll(`(function () {
  var match = Array.from(document.querySelectorAll(`+jsString(selector)+`)).find(function (e) {
    return e.textContent === `+jsString(text)+`;
  });
  if (!match) { return false; }
  match.click();
  return true;
})()`, selector+" reading "+text)
}

// Click clicks the first element that matches the CSS selector, once visible.
func (g *GraphiQL) Click(selector string) {
	g.t.Helper()
	if err := chromedp.Do(g.ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		g.t.Fatalf("click %s: %v", selector, err)
	}
}

// Texts waits until an element matches the CSS selector and returns the
// text of every element that matches it.
func (g *GraphiQL) Texts(selector string) []string {
	g.t.Helper()
	g.poll(`document.querySelector(`+jsString(selector)+`) !== null`, selector)
	texts, err := chromedp.Run(g.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(`+jsString(selector)+`), function (e) { return e.textContent; })`))
	if err != nil {
		g.t.Fatalf("read %s: %v", selector, err)
	}
	return texts
}

// Screenshot saves a PNG of the page as it is now.
func (g *GraphiQL) Screenshot(path string) {
	g.t.Helper()
	png, err := chromedp.Run(g.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		g.t.Fatalf("take a screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		g.t.Fatalf("save screenshot: %v", err)
	}
}

func (g *GraphiQL) eval(expression string) {
	g.t.Helper()
	if err := chromedp.Do(g.ctx, chromedp.Evaluate[chromedp.Void](expression)); err != nil {
		g.t.Fatalf("in GraphiQL: %v", err)
	}
}

// poll waits until expression is truthy and returns it as text.
func (g *GraphiQL) poll(expression, what string) string {
	g.t.Helper()
	value, err := chromedp.Run(g.ctx, chromedp.Poll[any](expression))
	if err != nil {
		g.t.Fatalf("wait for %s: %v", what, err)
	}
	return fmt.Sprint(value)
}

// RunGraphiQL opens the GraphiQL page at pageURL, runs query and returns the
// result pane's text. The test fails as OpenGraphiQL says.
func RunGraphiQL(t testing.TB, pageURL, query string) (resultJSON string) {
	t.Helper()
	return OpenGraphiQL(t, pageURL).Run(query)
}
