package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"jobgraph/gitlabsim"
)

// Requests GraphQL over HTTP refuses are answered with its statuses, a code,
// a short message that does not echo the request, and no data.
func TestRequestsRefusedBeforeGraphQL(t *testing.T) {
	s := newStack(t)
	garbage := `{"query": "{ __typename }", ` + strings.Repeat("x", 500_000)
	cases := []struct {
		name, method, contentType, body string
		status                          int
		code                            string
	}{
		{"PUT", http.MethodPut, "application/json", `{"query":"{ __typename }"}`, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"text body", http.MethodPost, "text/plain", `{"query":"{ __typename }"}`, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"no content type", http.MethodPost, "", `{"query":"{ __typename }"}`, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"form body", http.MethodPost, "application/x-www-form-urlencoded", `query=%7B__typename%7D`, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"cut-off JSON", http.MethodPost, "application/json", garbage, http.StatusBadRequest, "BAD_REQUEST"},
		{"JSON array", http.MethodPost, "application/json", `[{"query":"{ __typename }"}]`, http.StatusBadRequest, "BAD_REQUEST"},
		{"query not a string", http.MethodPost, "application/json", `{"query": 5}`, http.StatusBadRequest, "BAD_REQUEST"},
		{"null", http.MethodPost, "application/json", `null`, http.StatusBadRequest, "BAD_REQUEST"},
		{"over a megabyte, streamed", http.MethodPost, "application/json", `{"query":"{ __typename }", "x": "` + strings.Repeat("x", 2<<20) + `"}`, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A reader of unknown length makes the body chunked, so only
			// reading it can find it too large.
			req, _ := http.NewRequest(c.method, s.gateway.URL, io.MultiReader(strings.NewReader(c.body)))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			req.Header.Set("Authorization", "Bearer "+gitlabsim.TokenMaintainer)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var out map[string]json.RawMessage
			var errs []struct {
				Extensions struct{ Code string }
			}
			if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/json" ||
				json.Unmarshal(body, &out) != nil || json.Unmarshal(out["errors"], &errs) != nil ||
				len(errs) != 1 || errs[0].Extensions.Code != c.code || out["data"] != nil || len(body) > 300 {
				t.Fatalf("%d %s %.300s; want %d with one %s error and no data", resp.StatusCode, resp.Header.Get("Content-Type"), body, c.status, c.code)
			}
			if c.status == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != "GET, POST" {
				t.Fatalf("Allow: %q", resp.Header.Get("Allow"))
			}
		})
	}
	if out := s.do(t, gitlabsim.TokenMaintainer, `{ __typename }`, nil); len(out.Errors) != 0 {
		t.Fatalf("a good request: %+v", out.Errors)
	}
}
