package requestlog

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestMiddlewareLogsOneLinePerRequest(t *testing.T) {
	var out bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	var records []Record
	h := Middleware(logger, func(r Record) { records = append(records, r) }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/graphql" {
			SetOperation(r.Context(), "RecentJobs", Partial)
			AddUpstreamCalls(r.Context(), 3)
			AddUpstreamCalls(r.Context(), 2)
		}
		if r.URL.Path == "/refused" {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		}
		_, _ = w.Write([]byte("ok"))
	}))
	send := func(path, id string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, nil)
		req.Header.Set("Authorization", "Bearer glpat-SECRET")
		if id != "" {
			req.Header.Set(Header, id)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if got := send("/graphql", "abc-123").Header().Get(Header); got != "abc-123" {
		t.Errorf("a caller's id came back as %q", got)
	}
	if got := send("/refused", "bad id\n").Header().Get(Header); got == "" || strings.ContainsAny(got, " \n") {
		t.Errorf("an unusable id came back as %q, want a new one", got)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || strings.Contains(out.String(), "SECRET") {
		t.Fatalf("log:\n%s", out.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"request_id": "abc-123", "operation": "RecentJobs", "outcome": "partial", "upstream_calls": 5.0, "status": 200.0} {
		if first[k] != want {
			t.Errorf("%s = %v, want %v", k, first[k], want)
		}
	}
	if len(records) != 2 || records[1].Outcome != Refused || records[1].Status != http.StatusRequestEntityTooLarge {
		t.Errorf("records %+v", records)
	}
}

func TestOutcome(t *testing.T) {
	errs := gqlerror.List{gqlerror.Errorf("x")}
	for _, c := range []struct {
		resp graphql.Response
		want string
	}{
		{graphql.Response{Data: []byte(`{"a":1}`)}, Success},
		{graphql.Response{Data: []byte(`{"a":null}`), Errors: errs}, Partial},
		{graphql.Response{Data: []byte(`null`), Errors: errs}, Failed},
		{graphql.Response{Errors: errs}, Failed},
	} {
		if got := outcomeOf(&c.resp); got != c.want {
			t.Errorf("%s %v: %s, want %s", c.resp.Data, c.resp.Errors, got, c.want)
		}
	}
}
