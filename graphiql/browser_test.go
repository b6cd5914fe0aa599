package graphiql

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"jobgraph/internal/browsertest"
)

// fakeGraphQL answers GraphiQL's introspection with a canned schema
// (type Query { greeting: String }) and any other query with a fixed result,
// and records the Authorization header of the non-introspection queries.
type fakeGraphQL struct {
	introspection []byte

	mu             sync.Mutex
	authorizations []string
}

const greetingResult = `{"data":{"greeting":"hello from jobgraph"}}`

func (f *fakeGraphQL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query string `json:"query"`
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
	f.mu.Lock()
	f.authorizations = append(f.authorizations, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Write([]byte(greetingResult))
}

func TestGraphiQLRunsAQueryInChromium(t *testing.T) {
	introspection, err := os.ReadFile("testdata/introspection.json")
	if err != nil {
		t.Fatalf("read introspection fixture: %v", err)
	}
	graphql := &fakeGraphQL{introspection: introspection}
	ide := Handler(Options{
		Endpoint:       "/graphql",
		DefaultHeaders: `{"Authorization":"Bearer demo-token-\"quoted\"</script>"}`,
		Title:          "jobgraph",
	})
	mux := http.NewServeMux()
	mux.Handle("/graphql", graphql)
	mux.Handle("/{$}", ide)
	mux.Handle(AssetsPath, ide)
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)

	result := browsertest.RunGraphiQL(t, server.URL+"/", "{ greeting }")

	var got, want any
	if err := json.Unmarshal([]byte(result), &got); err != nil {
		t.Fatalf("result pane is not JSON: %v\n%s", err, result)
	}
	if err := json.Unmarshal([]byte(greetingResult), &want); err != nil {
		t.Fatalf("decode expected result: %v", err)
	}
	if gotText, wantText := mustJSON(t, got), mustJSON(t, want); gotText != wantText {
		t.Errorf("result pane shows %s, want %s", gotText, wantText)
	}
	graphql.mu.Lock()
	defer graphql.mu.Unlock()
	wantAuth := `Bearer demo-token-"quoted"</script>`
	if len(graphql.authorizations) != 1 || graphql.authorizations[0] != wantAuth {
		t.Errorf("query carried Authorization %q, want one query with %q", graphql.authorizations, wantAuth)
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
