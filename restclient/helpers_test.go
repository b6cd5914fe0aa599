package restclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// testToken is a recognisable secret: no error text may ever contain it.
const testToken = "glpat-SECRET-test-token-0123456789"

var testCreds = Credentials{Kind: PrivateToken, Token: testToken}

// counting wraps h and counts the requests it serves.
type counting struct {
	h     http.Handler
	calls atomic.Int64
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.calls.Add(1)
	c.h.ServeHTTP(w, r)
}

// newTestClient serves h on loopback and returns a client for it with fast
// retries, plus the request counter.
func newTestClient(t *testing.T, h http.Handler, tweak ...func(*Config)) (*Client, *counting) {
	t.Helper()
	counter := &counting{h: h}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)
	cfg := Config{BaseURL: srv.URL, RetryBaseWait: time.Millisecond, Timeout: 5 * time.Second}
	for _, f := range tweak {
		f(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, counter
}

func authed() context.Context {
	return WithCredentials(context.Background(), testCreds)
}

// respond answers every request with status and body as JSON.
func respond(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func asError(err error, target **Error) bool {
	return errors.As(err, target)
}

func readAllString(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}
