package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// runTimeout bounds one page visit; a healthy run takes a few seconds.
const runTimeout = 60 * time.Second

// editDebounce is longer than the 100 ms debounce GraphiQL 3 puts on editor changes.
const editDebounce = 400 * time.Millisecond

// Selectors of GraphiQL 3's layout.
const (
	queryEditorSelector    = `.graphiql-query-editor .CodeMirror`
	executeButtonSelector  = `button.graphiql-execute-button`
	responseEditorSelector = `.graphiql-response .CodeMirror`
)

// recordViolations runs before the page's own scripts and keeps every
// Content-Security-Policy violation, which Chromium otherwise only logs.
const recordViolations = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});`

// RunGraphiQL opens the GraphiQL page at pageURL in a fresh headless
// Chromium, puts query in the query editor, clicks the run button and returns
// the result pane's text once it shows one. The test fails if any step fails
// or the page violates its Content-Security-Policy.
func RunGraphiQL(t testing.TB, pageURL, query string) (resultJSON string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(newBrowser(t), runTimeout)
	defer cancel()

	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations})
			return err
		}),
		chromedp.Navigate(pageURL),
		chromedp.WaitVisible(chromedp.CSS(queryEditorSelector)),
		chromedp.Evaluate[chromedp.Void](setEditorValue(queryEditorSelector, query)),
		// GraphiQL re-parses the editor's text, and so learns the operation
		// name it sends, on a debounce after each change; a person never
		// clicks run faster than this.
		chromedp.Sleep(editDebounce),
		chromedp.Click(chromedp.CSS(executeButtonSelector)),
	)
	if err != nil {
		t.Fatalf("run query in GraphiQL at %s: %v", pageURL, err)
	}
	resultJSON, err = chromedp.Run(ctx, chromedp.Poll[string](editorValueOnceShown(responseEditorSelector)))
	if err != nil {
		t.Fatalf("wait for GraphiQL's result at %s: %v", pageURL, err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__cspViolations`))
	if err != nil {
		t.Fatalf("read Content-Security-Policy violations at %s: %v", pageURL, err)
	}
	if len(violations) > 0 {
		t.Fatalf("GraphiQL at %s violated its Content-Security-Policy: %s", pageURL, strings.Join(violations, "; "))
	}
	return resultJSON
}

// setEditorValue replaces a CodeMirror editor's text as typing would, but
// without the editor's auto-closing brackets altering it.
func setEditorValue(selector, value string) string {
	return `document.querySelector(` + jsString(selector) + `).CodeMirror.setValue(` + jsString(value) + `)`
}

// editorValueOnceShown is null until the editor has text: chromedp.Poll waits
// for a truthy value.
func editorValueOnceShown(selector string) string {
	return `(function () {
  var editor = document.querySelector(` + jsString(selector) + `);
  return (editor && editor.CodeMirror.getValue()) || null;
})()`
}
