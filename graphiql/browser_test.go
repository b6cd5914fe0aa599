package graphiql

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"jobgraph/internal/browsertest"
)

// fakeGraphQL answers GraphiQL's introspection with a canned schema
// (type Query { greeting: String }, type Subscription { ticks: String }),
// any other query over HTTP with a fixed result, and a subscription over
// graphql-ws with one event. It records what each operation carried.
type fakeGraphQL struct {
	introspection []byte

	mu         sync.Mutex
	operations []recordedOperation
}

// recordedOperation is what one non-introspection operation carried: the
// Authorization header over HTTP, the connection_init payload's over a
// WebSocket.
type recordedOperation struct {
	transport     string
	operationName string
	authorization string
}

const (
	greetingResult = `{"data":{"greeting":"hello from jobgraph"}}`
	tickResult     = `{"data":{"ticks":"tick 1"}}`
)

func (f *fakeGraphQL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") == "websocket" {
		f.serveSubscription(w, r)
		return
	}
	var body struct {
		Query         string `json:"query"`
		OperationName string `json:"operationName"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "want a POST with a JSON GraphQL request", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if strings.Contains(body.Query, "__schema") {
		w.Write(f.introspection)
		return
	}
	f.record(recordedOperation{transport: "http", operationName: body.OperationName, authorization: r.Header.Get("Authorization")})
	w.Write([]byte(greetingResult))
}

// graphqlWSMessage is a message of the graphql-transport-ws protocol.
type graphqlWSMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// serveSubscription speaks the graphql-ws protocol for one subscription:
// acknowledge the connection, answer the subscription with one event, and
// complete it.
func (f *fakeGraphQL) serveSubscription(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx := r.Context()
	var params struct {
		Authorization string `json:"Authorization"`
	}
	if _, ok := readWSMessage(ctx, conn, "connection_init", &params); !ok {
		return
	}
	if wsjson.Write(ctx, conn, graphqlWSMessage{Type: "connection_ack"}) != nil {
		return
	}
	var request struct {
		OperationName string `json:"operationName"`
	}
	subscribe, ok := readWSMessage(ctx, conn, "subscribe", &request)
	if !ok {
		return
	}
	f.record(recordedOperation{transport: "ws", operationName: request.OperationName, authorization: params.Authorization})
	if wsjson.Write(ctx, conn, graphqlWSMessage{Type: "next", ID: subscribe.ID, Payload: json.RawMessage(tickResult)}) != nil {
		return
	}
	if wsjson.Write(ctx, conn, graphqlWSMessage{Type: "complete", ID: subscribe.ID}) != nil {
		return
	}
	// Read until the client closes the connection.
	for {
		if _, _, err := conn.Read(ctx); err != nil {
			return
		}
	}
}

// readWSMessage reads a message of type want and decodes its payload into
// payload; on any other message it closes the connection as graphql-ws does.
func readWSMessage(ctx context.Context, conn *websocket.Conn, want string, payload any) (graphqlWSMessage, bool) {
	var message graphqlWSMessage
	if wsjson.Read(ctx, conn, &message) != nil || message.Type != want || json.Unmarshal(message.Payload, payload) != nil {
		conn.Close(4400, "want "+want+" with its payload")
		return message, false
	}
	return message, true
}

func (f *fakeGraphQL) record(op recordedOperation) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.operations = append(f.operations, op)
}

func (f *fakeGraphQL) recorded() []recordedOperation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.operations)
}

// demoHeaders is the headers editor's prefilled text, with characters that
// must survive the page's config block.
const (
	demoHeaders       = `{"Authorization":"Bearer demo-token-\"quoted\"</script>"}`
	demoAuthorization = `Bearer demo-token-"quoted"</script>`
)

// serveGraphiQL starts GraphiQL and the fake GraphQL endpoint on loopback,
// mounted as server.go mounts them.
func serveGraphiQL(t *testing.T, opts Options) (pageURL string, graphql *fakeGraphQL) {
	t.Helper()
	introspection, err := os.ReadFile("testdata/introspection.json")
	if err != nil {
		t.Fatalf("read introspection fixture: %v", err)
	}
	graphql = &fakeGraphQL{introspection: introspection}
	ide := Handler(opts)
	mux := http.NewServeMux()
	mux.Handle("/graphql", graphql)
	mux.Handle("/{$}", ide)
	mux.Handle(AssetsPath, ide)
	mux.Handle(FaviconPath, ide)
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	return server.URL + "/", graphql
}

func TestGraphiQLRunsAQueryInChromium(t *testing.T) {
	pageURL, graphql := serveGraphiQL(t, Options{Endpoint: "/graphql", DefaultHeaders: demoHeaders, Title: "jobgraph"})
	ide := browsertest.OpenGraphiQL(t, pageURL)
	if got := ide.PageHeader("Content-Security-Policy"); got != contentSecurityPolicy {
		t.Errorf("Chromium got the page with Content-Security-Policy %q, want %q", got, contentSecurityPolicy)
	}

	assertSameJSON(t, ide.Run("{ greeting }"), greetingResult)
	want := []recordedOperation{{transport: "http", authorization: demoAuthorization}}
	if got := graphql.recorded(); !slices.Equal(got, want) {
		t.Errorf("GraphiQL sent %+v, want %+v", got, want)
	}

	screenshot := filepath.Join(t.ArtifactDir(), "graphiql.png")
	ide.Screenshot(screenshot)
	assertRendered(t, screenshot)
}

// In GraphiQL 3 a named operation pasted over another and run at once went
// out under the previous operation's name, which the server then refused.
func TestGraphiQLSendsThePastedOperationsName(t *testing.T) {
	pageURL, graphql := serveGraphiQL(t, Options{Endpoint: "/graphql", DefaultQuery: "query RecentJobs { greeting }"})
	ide := browsertest.OpenGraphiQL(t, pageURL)

	for _, name := range []string{"Other", "Third"} {
		assertSameJSON(t, ide.Run("query "+name+" { greeting }"), greetingResult)
	}
	var names []string
	for _, op := range graphql.recorded() {
		names = append(names, op.operationName)
	}
	if want := []string{"Other", "Third"}; !slices.Equal(names, want) {
		t.Errorf("GraphiQL sent the operation names %q, want %q", names, want)
	}
}

func TestGraphiQLRunsASubscriptionOverGraphQLWS(t *testing.T) {
	pageURL, graphql := serveGraphiQL(t, Options{Endpoint: "/graphql", DefaultHeaders: demoHeaders})
	ide := browsertest.OpenGraphiQL(t, pageURL)

	assertSameJSON(t, ide.Run("subscription Ticks { ticks }"), tickResult)
	want := []recordedOperation{{transport: "ws", operationName: "Ticks", authorization: demoAuthorization}}
	if got := graphql.recorded(); !slices.Equal(got, want) {
		t.Errorf("GraphiQL sent %+v, want %+v", got, want)
	}
	var sockets []string
	for _, request := range ide.Requests() {
		if strings.HasPrefix(request, "ws") {
			sockets = append(sockets, request)
		}
	}
	if wantURL := "ws" + strings.TrimPrefix(pageURL, "http") + "graphql"; !slices.Equal(sockets, []string{wantURL}) {
		t.Errorf("GraphiQL opened the WebSockets %q, want one to %s", sockets, wantURL)
	}
}

// The GraphQL worker, loaded from this server under the CSP, checks the
// operation against the schema.
func TestGraphiQLValidatesInItsWorker(t *testing.T) {
	pageURL, _ := serveGraphiQL(t, Options{Endpoint: "/graphql"})
	ide := browsertest.OpenGraphiQL(t, pageURL)

	ide.Paste("{ nope }")
	markers := ide.Markers()
	if !slices.ContainsFunc(markers, func(m string) bool { return strings.Contains(m, `Cannot query field "nope" on type "Query"`) }) {
		t.Errorf("the operation editor marks %q, want the unknown field nope", markers)
	}
}

func TestGraphiQLDocsShowTheQueryFields(t *testing.T) {
	pageURL, _ := serveGraphiQL(t, Options{Endpoint: "/graphql"})
	ide := browsertest.OpenGraphiQL(t, pageURL)

	ide.Click(`.graphiql-sidebar button[aria-label="Show Documentation Explorer"]`)
	ide.ClickText(`.graphiql-doc-explorer a.graphiql-doc-explorer-type-name`, "Query")
	if fields := ide.Texts(`.graphiql-doc-explorer .graphiql-doc-explorer-field-name`); !slices.Equal(fields, []string{"greeting"}) {
		t.Errorf("the docs of Query list the fields %q, want [greeting]", fields)
	}
}

func TestGraphiQLExplorerEditsTheOperation(t *testing.T) {
	pageURL, _ := serveGraphiQL(t, Options{Endpoint: "/graphql", DefaultQuery: "query Picked { greeting }"})
	ide := browsertest.OpenGraphiQL(t, pageURL)

	ide.Click(`.graphiql-sidebar button[aria-label="Show GraphiQL Explorer"]`)
	if fields := ide.Texts(`.graphiql-explorer-root .graphiql-explorer-field-view`); !slices.Equal(fields, []string{"greeting"}) {
		t.Fatalf("the explorer lists the fields %q, want [greeting]", fields)
	}
	// Unticking the only field leaves the operation without it.
	ide.Click(`.graphiql-explorer-root [data-field-name="greeting"]`)
	if got := ide.OperationTextOnceWithout("greeting"); !strings.Contains(got, "Picked") {
		t.Errorf("after unticking greeting the operation reads %q, want the Picked operation without it", got)
	}
}

func assertSameJSON(t *testing.T, got, want string) {
	t.Helper()
	var gotValue, wantValue any
	if err := json.Unmarshal([]byte(got), &gotValue); err != nil {
		t.Fatalf("result pane is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &wantValue); err != nil {
		t.Fatalf("decode expected result: %v", err)
	}
	if gotText, wantText := mustJSON(t, gotValue), mustJSON(t, wantValue); gotText != wantText {
		t.Errorf("result pane shows %s, want %s", gotText, wantText)
	}
}

// assertRendered checks that a screenshot shows GraphiQL styled: its run
// button's pink is there, which an unstyled or blank page lacks.
func assertRendered(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	pink := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 > 180 && g>>8 < 60 && b>>8 > 110 && b>>8 < 180 {
				pink++
			}
		}
	}
	if pink < 500 {
		t.Errorf("screenshot %s has %d pixels of GraphiQL's pink, want its run button (500 or more)", path, pink)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	text, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode JSON: %v", err)
	}
	return string(text)
}
