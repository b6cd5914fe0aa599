package browsertest

import (
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"testing"
)

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

// GraphiQL is a GraphiQL 5 page open in a fresh headless Chromium, checked
// as Page says when the test ends.
type GraphiQL struct {
	*Page
}

// OpenGraphiQL opens pageURL and waits until GraphiQL's editors are up.
func OpenGraphiQL(t testing.TB, pageURL string) *GraphiQL {
	t.Helper()
	return &GraphiQL{Open(t, pageURL, `(function () {`+monacoHelpers+`
  return !!graphiqlEditor('operation.graphql') && !!graphiqlEditor('response.json') &&
    !!document.querySelector('.graphiql-execute-button');
})()`)}
}

// Run puts query in the operation editor as a paste does, replacing what was
// there, presses Ctrl-Enter at once and returns the result pane's text.
func (g *GraphiQL) Run(query string) string {
	g.t.Helper()
	g.Eval(`(function () {` + monacoHelpers + `
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
	return g.Poll(`(function () {`+monacoHelpers+`
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
	g.Eval(`(function () {` + monacoHelpers + `
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
	return g.Poll(`(function () {`+monacoHelpers+`
  var text = graphiqlEditor('operation.graphql').getValue();
  return text.includes(`+jsString(substr)+`) ? null : text;
})()`, "the operation without "+substr)
}

// RunGraphiQL opens the GraphiQL page at pageURL, runs query and returns the
// result pane's text. The test fails as OpenGraphiQL says.
func RunGraphiQL(t testing.TB, pageURL, query string) (resultJSON string) {
	t.Helper()
	return OpenGraphiQL(t, pageURL).Run(query)
}
