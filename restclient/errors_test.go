package restclient

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"
)

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		status  int
		body    string
		kind    ErrorKind
		message string
	}{
		{400, `{"message":"400 Bad request - scope does not have a valid value"}`, KindBadRequest, "400 Bad request - scope does not have a valid value"},
		{400, `{"error":"scope is invalid"}`, KindBadRequest, "scope is invalid"},
		{400, `{"message":{"base":["Unplayable Job"],"name":["can't be blank","is too short"]}}`, KindBadRequest, "base Unplayable Job; name can't be blank; is too short"},
		{400, `{"message":["first","second"]}`, KindBadRequest, "first; second"},
		{400, `{"message":{"name":["can't be blank"],"base":["Pipeline is invalid"]}}`, KindBadRequest, "base Pipeline is invalid; name can't be blank"},
		{400, "{\"message\":\"bad \xff byte\",\"message\":\"last wins \xff\"}", KindBadRequest, "last wins \uFFFD"},
		{401, `{"message":"401 Unauthorized"}`, KindUnauthenticated, "401 Unauthorized"},
		{401, `{"error":"invalid_token","error_description":"Token is expired."}`, KindUnauthenticated, "invalid_token: Token is expired."},
		{403, `{"message":"Job is not retryable"}`, KindForbidden, "Job is not retryable"},
		{404, `{"message":"404 Project Not Found"}`, KindNotFound, "404 Project Not Found"},
		{404, `{"error":"404 Not Found"}`, KindNotFound, "404 Not Found"},
		{409, `{"message":"409 Conflict"}`, KindConflict, "409 Conflict"},
		{422, `{"message":"422 Unprocessable"}`, KindBadRequest, "422 Unprocessable"},
		{429, `Retry later`, KindRateLimited, "429 Too Many Requests"},
		{500, `<html>oops</html>`, KindUpstream, "500 Internal Server Error"},
		{502, ``, KindUpstream, "502 Bad Gateway"},
		{405, `{"message":"405 Method Not Allowed"}`, KindBadRequest, "405 Method Not Allowed"},
		{406, `{"message":"406 Not Acceptable"}`, KindBadRequest, "406 Not Acceptable"},
		{411, ``, KindBadRequest, "411 Length Required"},
		{412, `{"message":"412 Precondition Failed"}`, KindBadRequest, "412 Precondition Failed"},
		{413, `{"message":"413 Request Entity Too Large"}`, KindBadRequest, "413 Request Entity Too Large"},
		{415, `{"message":"415 Unsupported Media Type"}`, KindBadRequest, "415 Unsupported Media Type"},
		{418, ``, KindBadRequest, "418 I'm a teapot"},
		{410, `{"message":"410 Gone"}`, KindNotFound, "410 Gone"},
		{408, `{"message":"408 Request Timeout"}`, KindTimeout, "408 Request Timeout"},
		{501, `{"message":"501 Not Implemented"}`, KindUpstream, "501 Not Implemented"},
		{301, `<html>moved</html>`, KindUpstream, "redirect refused"},
		{304, ``, KindUpstream, "redirect refused"},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			c, _ := newTestClient(t, respond(tt.status, tt.body), func(cfg *Config) { cfg.MaxRetries = -1 })
			_, resp, err := c.GetJob(authed(), "1", 7)
			var e *Error
			if !asError(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Kind != tt.kind || e.StatusCode != tt.status || e.Message != tt.message {
				t.Errorf("got kind %v status %d message %q, want %v %d %q", e.Kind, e.StatusCode, e.Message, tt.kind, tt.status, tt.message)
			}
			if e.Method != http.MethodGet || e.Route != RouteJob {
				t.Errorf("method/route = %s %s", e.Method, e.Route)
			}
			if resp == nil || resp.StatusCode != tt.status {
				t.Errorf("the *Response of a failed call should carry the status, got %v", resp)
			}
		})
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"token ` + r.Header.Get("PRIVATE-TOKEN") + ` may not"}`))
	})
	c, _ := newTestClient(t, echo)
	_, _, err := c.GetJob(authed(), "1", 7)
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Fatalf("error %q leaks the token", err)
	}
	if !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("error %q: want the echoed token redacted", err)
	}

	// A refused connection and a malformed token must not leak it either.
	dead, _ := New(Config{BaseURL: "http://127.0.0.1:1", MaxRetries: -1})
	_, _, err = dead.GetJob(authed(), "1", 7)
	if KindOf(err) != KindTransport || strings.Contains(err.Error(), testToken) {
		t.Errorf("transport error %q", err)
	}
	bad := WithCredentials(t.Context(), Credentials{Kind: PrivateToken, Token: "bad\r\ntoken " + testToken})
	_, _, err = c.GetJob(bad, "1", 7)
	if KindOf(err) != KindUnauthenticated || strings.Contains(err.Error(), testToken) {
		t.Errorf("malformed credentials error %q", err)
	}
}

func TestMessageIsBounded(t *testing.T) {
	tests := []struct {
		name, message string
		want          string
	}{
		{"short", "Job is not retryable", "Job is not retryable"},
		{"exactly the bound", strings.Repeat("x", maxMessage), strings.Repeat("x", maxMessage)},
		{"long ascii", strings.Repeat("x", 60_000), strings.Repeat("x", maxMessage) + "…"},
		{"multibyte at the cut", strings.Repeat("x", maxMessage-1) + "éé", strings.Repeat("x", maxMessage-1) + "…"},
		{"beyond the read bound", strings.Repeat("x", 70_000), "400 Bad Request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, respond(400, `{"message":"`+tt.message+`"}`))
			_, _, err := c.GetJob(authed(), "1", 7)
			var e *Error
			if !asError(err, &e) || e.Message != tt.want {
				t.Fatalf("Message = %.60q… (%d bytes), want %.60q… (%d bytes)", e.Message, len(e.Message), tt.want, len(tt.want))
			}
			if !utf8.ValidString(e.Message) {
				t.Errorf("Message is not valid UTF-8")
			}
		})
	}
}

func TestKindOf(t *testing.T) {
	if KindOf(nil) != 0 || KindOf(http.ErrHandlerTimeout) != 0 {
		t.Error("KindOf of a foreign error must be 0")
	}
	wrapped := &Error{Kind: KindNotFound}
	if KindOf(wrapped) != KindNotFound {
		t.Error("KindOf(*Error)")
	}
	if got := (&Error{Kind: KindRateLimited, StatusCode: 429, Method: "GET", Route: RouteJob, Message: "slow down", RetryAfter: 3e9}).Error(); got != "gitlab GET /projects/:id/jobs/:job_id: rate limited (429): slow down, retry after 3s" {
		t.Errorf("Error() = %q", got)
	}
}

func TestMalformedBodies(t *testing.T) {
	bodies := map[string]string{
		"truncated":    jobJSON[:len(jobJSON)/2],
		"empty":        "",
		"html":         "<html></html>",
		"wrong type":   `{"id":"seven"}`,
		"trailing":     jobJSON + ` {"id":8}`,
		"bad time":     `{"id":1,"created_at":"yesterday"}`,
		"bad coverage": `{"id":1,"coverage":"lots"}`,
		"null":         `null`,
		"empty object": `{}`,
		"unknown only": `{"not_a_job_member":1}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			c, counter := newTestClient(t, respond(200, body))
			_, _, err := c.GetJob(authed(), "1", 7)
			if KindOf(err) != KindMalformed {
				t.Errorf("err = %v, want malformed", err)
			}
			if n := counter.calls.Load(); n != 1 {
				t.Errorf("%d attempts; a malformed body is not retried", n)
			}
		})
	}
	lists := map[string]string{
		"null":              `null`,
		"null element":      `[null,` + jobJSON + `]`,
		"null last element": `[` + jobJSON + `,null]`,
		"object":            jobJSON,
	}
	for name, body := range lists {
		t.Run("list "+name, func(t *testing.T) {
			c, _ := newTestClient(t, respond(200, body))
			if jobs, _, err := c.ListProjectJobs(authed(), "1", nil); KindOf(err) != KindMalformed || jobs != nil {
				t.Errorf("jobs = %v, err = %v; want malformed and no jobs", jobs, err)
			}
		})
	}
	t.Run("empty list", func(t *testing.T) {
		c, _ := newTestClient(t, respond(200, `[]`))
		if jobs, _, err := c.ListProjectJobs(authed(), "1", nil); err != nil || jobs == nil || len(jobs) != 0 {
			t.Errorf("jobs = %v, err = %v; want an empty, non-nil list", jobs, err)
		}
	})
	for _, coverage := range []string{`"lots"`, `"NaN"`, `"Inf"`, `"-Infinity"`, `"1e400"`} {
		t.Run("pipeline coverage "+coverage, func(t *testing.T) {
			c, _ := newTestClient(t, respond(200, `{"id":1,"coverage":`+coverage+`}`))
			if _, _, err := c.GetPipeline(authed(), "1", 1); KindOf(err) != KindMalformed {
				t.Errorf("err = %v, want malformed", err)
			}
		})
	}
}

func TestSuccessBodyIsBounded(t *testing.T) {
	list := `[` + jobJSON + `]`
	tests := []struct {
		name    string
		maxBody int64
		want    ErrorKind
	}{
		{"within", int64(len(list)) + 1, 0},
		{"exactly at the bound", int64(len(list)), 0},
		{"one byte over", int64(len(list)) - 1, KindMalformed},
		{"far over", 10, KindMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, counter := newTestClient(t, respond(200, list))
			c.maxBody = tt.maxBody
			_, _, err := c.ListProjectJobs(authed(), "1", nil)
			if KindOf(err) != tt.want || (tt.want != 0 && !errors.Is(err, errBodyTooLarge)) {
				t.Errorf("err = %v, want kind %v", err, tt.want)
			}
			if n := counter.calls.Load(); n != 1 {
				t.Errorf("%d attempts; an oversized body is not retried", n)
			}
		})
	}
}

// TestTruncatedConnection: a body the connection cut short is a transport
// failure, retried on a GET, not a malformed answer.
func TestTruncatedConnection(t *testing.T) {
	var served atomic.Int64
	truncateFirst := func(n int64) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if served.Add(1) <= n {
				// Promise more bytes than are sent, then hang up.
				w.Header().Set("Content-Length", "100000")
				_, _ = w.Write([]byte(`[` + jobJSON))
				return
			}
			_, _ = w.Write([]byte(`[` + jobJSON + `]`))
		}
	}
	t.Run("retried", func(t *testing.T) {
		served.Store(0)
		c, counter := newTestClient(t, truncateFirst(1))
		if jobs, _, err := c.ListProjectJobs(authed(), "1", nil); err != nil || len(jobs) != 1 {
			t.Errorf("jobs = %d, err = %v; want the retry's answer", len(jobs), err)
		}
		if n := counter.calls.Load(); n != 2 {
			t.Errorf("%d attempts, want 2", n)
		}
	})
	t.Run("reported", func(t *testing.T) {
		served.Store(0)
		c, _ := newTestClient(t, truncateFirst(10), func(cfg *Config) { cfg.MaxRetries = -1 })
		_, _, err := c.ListProjectJobs(authed(), "1", nil)
		if KindOf(err) != KindTransport || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("err = %v (kind %v), want transport wrapping unexpected EOF", err, KindOf(err))
		}
	})
}

func TestRefusal(t *testing.T) {
	tests := []struct {
		kind    ErrorKind
		status  int
		message string
		reason  string
	}{
		{KindForbidden, 403, "403 Forbidden - Job is not retryable", "Job is not retryable"},
		{KindBadRequest, 400, "400 Bad request - Unplayable Job", "Unplayable Job"},
		{KindConflict, 409, "409 Conflict - Artifacts are being refreshed", "Artifacts are being refreshed"},
		{KindForbidden, 403, "403 Forbidden", ""},
		{KindForbidden, 403, "400 Bad request - a status that is not the answer's", ""},
		{KindNotFound, 404, "404 Not Found - Job", ""},
		{KindUpstream, 500, "500 Internal Server Error - boom", ""},
		{KindForbidden, 403, "403 Forbidden - ", ""},
	}
	for _, tt := range tests {
		e := &Error{Kind: tt.kind, StatusCode: tt.status, Message: tt.message}
		reason, ok := e.Refusal()
		if reason != tt.reason || ok != (tt.reason != "") {
			t.Errorf("Refusal of %q = %q, %t; want %q", tt.message, reason, ok, tt.reason)
		}
	}
}
