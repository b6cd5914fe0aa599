package overhttp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/testserver"

	"jobgraph/graph/overhttp"
)

func server() *testserver.TestServer {
	srv := testserver.New()
	srv.AddTransport(overhttp.GET{})
	srv.AddTransport(overhttp.POST{})
	return srv
}

// answer is a response as the specification reads it: its status, media
// type, whether it has a data entry, and its errors' codes.
type answer struct {
	status  int
	media   string
	hasData bool
	codes   []string
}

func serve(t *testing.T, req *http.Request) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	server().ServeHTTP(rec, req)
	var body map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%d %q is not a JSON object: %v", rec.Code, rec.Body, err)
	}
	var errs []struct {
		Extensions struct{ Code string }
	}
	if body["errors"] != nil {
		if err := json.Unmarshal(body["errors"], &errs); err != nil {
			t.Fatalf("errors %s: %v", body["errors"], err)
		}
	}
	a := answer{status: rec.Code, media: rec.Header().Get("Content-Type")}
	_, a.hasData = body["data"]
	for _, e := range errs {
		a.codes = append(a.codes, e.Extensions.Code)
	}
	return a
}

func post(body, accept string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return req
}

func get(query url.Values, accept string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/graphql?"+query.Encode(), nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return req
}

const (
	jsonMedia     = "application/json"
	responseMedia = "application/graphql-response+json"
)

// Request errors have no data entry; they are answered 200 under
// application/json and 400 under application/graphql-response+json, in the
// media type the client prefers.
func TestRequestErrors(t *testing.T) {
	requests := map[string]string{
		"parse failure":      `{"query": "{"}`,
		"validation failure": `{"query": "{ nothing }"}`,
		"coercion failure":   `{"query": "query($id: Int!) { find(id: $id) }", "variables": {"id": true}}`,
		"no operation named": `{"query": "query A { name }", "operationName": "B"}`,
	}
	accepts := []struct{ accept, media string }{
		{"", jsonMedia},
		{jsonMedia, jsonMedia},
		{"*/*", jsonMedia},
		{"text/html", jsonMedia},
		{responseMedia, responseMedia},
		{responseMedia + ", application/json;q=0.9", responseMedia},
		{"application/json;q=0.5, " + responseMedia, responseMedia},
	}
	for name, body := range requests {
		for _, a := range accepts {
			got := serve(t, post(body, a.accept))
			status := http.StatusOK
			if a.media == responseMedia {
				status = http.StatusBadRequest
			}
			if got.status != status || got.media != a.media || got.hasData || len(got.codes) == 0 {
				t.Errorf("%s, Accept %q: %+v; want %d in %s with errors and no data", name, a.accept, got, status, a.media)
			}
		}
	}
}

func TestExecutedRequests(t *testing.T) {
	for _, accept := range []string{"", responseMedia} {
		for _, req := range []*http.Request{
			post(`{"query": "{ name }"}`, accept),
			post(`{"query": "query($id: Int!) { find(id: $id) }", "variables": {"id": 1}, "operationName": null, "extensions": {}}`, accept),
			get(url.Values{"query": {"query($id: Int!) { find(id: $id) }"}, "variables": {`{"id": 1}`}}, accept),
		} {
			if got := serve(t, req); got.status != http.StatusOK || !got.hasData || len(got.codes) != 0 {
				t.Errorf("%s %s, Accept %q: %+v; want 200 with data", req.Method, req.URL, accept, got)
			}
		}
	}
}

// Requests that are not GraphQL requests are 400 in either media type.
func TestNotGraphQLRequests(t *testing.T) {
	for _, req := range []*http.Request{
		post(`{"query": "{ name }", `+strings.Repeat("x", 1000), ""),
		post(`[{"query": "{ name }"}]`, ""),
		post(`{"query": 5}`, ""),
		post(`null`, ""),
		post(`{"notquery": "{ name }"}`, responseMedia),
		post(`{"query": "{ name }"} {}`, ""),
		post(`{"query": "{ name }", "variables": "{}"}`, ""),
		get(url.Values{}, ""),
		get(url.Values{"query": {"{ name }"}, "variables": {"[1]"}}, ""),
		get(url.Values{"query": {"{ name }"}, "extensions": {"{"}}, responseMedia),
	} {
		got := serve(t, req)
		if got.status != http.StatusBadRequest || got.hasData || len(got.codes) != 1 || got.codes[0] != overhttp.CodeBadRequest {
			t.Errorf("%s %s: %+v; want 400 with one BAD_REQUEST and no data", req.Method, req.URL, got)
		}
	}
}

// A mutation is never run over GET: 405, allowing POST.
func TestMutationsAreRefusedOverGet(t *testing.T) {
	rec := httptest.NewRecorder()
	server().ServeHTTP(rec, get(url.Values{"query": {"mutation { name }"}}, ""))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodPost ||
		!strings.Contains(rec.Body.String(), overhttp.CodeMethodNotAllowed) || strings.Contains(rec.Body.String(), `"data"`) {
		t.Fatalf("mutation over GET: %d Allow %q %s", rec.Code, rec.Header().Get("Allow"), rec.Body)
	}
}
