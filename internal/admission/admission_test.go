package admission_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"jobgraph/internal/admission"
)

// front serves admission over next on loopback.
func front(t *testing.T, cfg admission.Config, next http.Handler) *httptest.Server {
	t.Helper()
	h, err := admission.New(cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// echo answers an admitted request with its body.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	_, _ = w.Write(body)
})

// refusal is the code of a refusal's single error, if the answer is one: a
// GraphQL response with one error and no data.
func refusal(t *testing.T, resp *http.Response) string {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]json.RawMessage
	var errs []struct {
		Extensions struct{ Code string }
	}
	if resp.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &out) != nil ||
		json.Unmarshal(out["errors"], &errs) != nil || len(errs) != 1 || out["data"] != nil || len(body) > 300 {
		t.Fatalf("%d %s %.300s is not a refusal: one error and no data", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return errs[0].Extensions.Code
}

// Requests GraphQL over HTTP refuses are answered with its statuses, a code,
// a short message that does not echo the request, and no data.
func TestRequestsRefusedBeforeGraphQL(t *testing.T) {
	srv := front(t, admission.Config{}, echo)
	cases := []struct {
		name, method, contentType, body string
		status                          int
		code                            string
	}{
		{"PUT", http.MethodPut, "application/json", `{"query":"{ __typename }"}`, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"text body", http.MethodPost, "text/plain", `{"query":"{ __typename }"}`, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"no content type", http.MethodPost, "", `{"query":"{ __typename }"}`, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"form body", http.MethodPost, "application/x-www-form-urlencoded", `query=%7B__typename%7D`, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"over a megabyte, streamed", http.MethodPost, "application/json", `{"query":"{ __typename }", "x": "` + strings.Repeat("x", 2<<20) + `"}`, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A reader of unknown length makes the body chunked, so only
			// reading it can find it too large.
			req, _ := http.NewRequest(c.method, srv.URL, io.MultiReader(strings.NewReader(c.body)))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if code := refusal(t, resp); resp.StatusCode != c.status || code != c.code {
				t.Fatalf("%d %s; want %d %s", resp.StatusCode, code, c.status, c.code)
			}
			if c.status == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != "GET, POST" {
				t.Fatalf("Allow: %q", resp.Header.Get("Allow"))
			}
		})
	}
	const good = `{"query":"{ __typename }"}`
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || string(body) != good {
		t.Fatalf("a good request: %d %q", resp.StatusCode, body)
	}
}

// rawRequest opens a connection to srv and writes text to it, leaving it
// open; answer reads what comes back.
func rawRequest(t *testing.T, srv *httptest.Server, text string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, text); err != nil {
		t.Fatal(err)
	}
	return conn
}

// answer reads the response on conn, waiting at most wait for it.
func answer(t *testing.T, conn net.Conn, wait time.Duration) *http.Response {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer within %v: %v", wait, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// headers is a POST's head announcing a JSON body of length bytes.
func headers(length int, extra string) string {
	return fmt.Sprintf("POST / HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n", length, extra)
}

// A client that sends part of a body and stalls is answered 408 once the
// body's time is up, its connection closed, and the memory its body held
// freed: a body needing all of it is read next.
func TestStalledBodyIsCutOff(t *testing.T) {
	const limit = 64 << 10
	srv := front(t, admission.Config{MaxBodyBytes: limit, MaxBodyBytesInFlight: limit + 1, BodyReadTimeout: 200 * time.Millisecond}, echo)
	stalled := rawRequest(t, srv, headers(limit, "")+`{"query": "`+strings.Repeat(" ", 20<<10))
	resp := answer(t, stalled, 10*time.Second)
	if code := refusal(t, resp); resp.StatusCode != http.StatusRequestTimeout || code != "REQUEST_TIMEOUT" || !resp.Close {
		t.Fatalf("a stalled body: %d %s, close %v; want 408 REQUEST_TIMEOUT and the connection closed", resp.StatusCode, code, resp.Close)
	}
	whole := `{"query": "` + strings.Repeat(" ", limit-20) + `{ a }"}`
	next, err := http.Post(srv.URL, "application/json", strings.NewReader(whole))
	if err != nil {
		t.Fatal(err)
	}
	defer next.Body.Close()
	if body, _ := io.ReadAll(next.Body); next.StatusCode != http.StatusOK || len(body) != len(whole) {
		t.Fatalf("a body of the whole memory after a stalled one: %d %.200s", next.StatusCode, body)
	}
}

// A client expecting 100 Continue for a body over the limit hears 413 at
// once and never sends the body.
func TestTooLargeBodyIsRefusedBeforeContinue(t *testing.T) {
	srv := front(t, admission.Config{MaxBodyBytes: 1 << 20}, echo)
	conn := rawRequest(t, srv, headers(2<<20, "Expect: 100-continue\r\n"))
	resp := answer(t, conn, 10*time.Second)
	if code := refusal(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge || code != "REQUEST_TOO_LARGE" {
		t.Fatalf("%d %s; want 413 REQUEST_TOO_LARGE before 100 Continue", resp.StatusCode, code)
	}
}

// Bodies hold memory from their reading to their answer; a body that cannot
// get memory before its time is up is refused with 503 and Retry-After, and
// the memory is free again once the answers are sent.
func TestBodiesInFlightAreBounded(t *testing.T) {
	const limit = 64 << 10
	release := make(chan struct{})
	entered := make(chan struct{})
	// The first request is held in its handler, holding its body's memory.
	held := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case entered <- struct{}{}:
			<-release
		default:
		}
		echo(w, r)
	})
	srv := front(t, admission.Config{MaxBodyBytes: limit, MaxBodyBytesInFlight: 3 * limit / 2, BodyReadTimeout: 200 * time.Millisecond}, held)
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce) // before the server closes, which waits for the held request
	body := `{"query": "` + strings.Repeat(" ", limit*3/4) + `{ a }"}`
	post := func() *http.Response {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Error(err)
			return nil
		}
		return resp
	}
	first := make(chan *http.Response)
	go func() { first <- post() }()
	<-entered
	busy := post()
	if busy == nil {
		t.FailNow()
	}
	defer busy.Body.Close()
	if code := refusal(t, busy); busy.StatusCode != http.StatusServiceUnavailable || code != "SERVER_BUSY" || busy.Header.Get("Retry-After") != "1" {
		t.Fatalf("a body past the memory in flight: %d %s, Retry-After %q; want 503 SERVER_BUSY with Retry-After 1",
			busy.StatusCode, code, busy.Header.Get("Retry-After"))
	}
	releaseOnce()
	for _, resp := range []*http.Response{<-first, post()} {
		if resp == nil {
			t.FailNow()
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(got) != body {
			t.Fatalf("a body within the memory: %d %.200s", resp.StatusCode, got)
		}
	}
}

// An admitted request carries the request deadline, counted once its body
// is read.
func TestAdmittedRequestsHaveADeadline(t *testing.T) {
	const timeout = time.Hour
	deadlines := make(chan time.Time, 2)
	srv := front(t, admission.Config{RequestTimeout: timeout}, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		deadline, _ := r.Context().Deadline()
		deadlines <- deadline
	}))
	for _, send := range []func() (*http.Response, error){
		func() (*http.Response, error) { return http.Get(srv.URL + "?query=%7Ba%7D") },
		func() (*http.Response, error) {
			return http.Post(srv.URL, "application/json", strings.NewReader(`{"query":"{a}"}`))
		},
	} {
		before := time.Now()
		resp, err := send()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if deadline := <-deadlines; deadline.Before(before.Add(timeout)) || deadline.After(time.Now().Add(timeout)) {
			t.Fatalf("deadline %v, want the request timeout from the request's admission", deadline)
		}
	}
}

func TestConfigIsChecked(t *testing.T) {
	for _, cfg := range []admission.Config{
		{MaxBodyBytes: 1 << 20, MaxBodyBytesInFlight: 1 << 20},
		{BodyReadTimeout: -time.Second},
		{MaxBodyBytes: -1},
	} {
		if _, err := admission.New(cfg, echo); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
