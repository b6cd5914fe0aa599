package restclient

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// within fails the test when done does not close in a generous time: a guard
// against hanging, not a performance assert.
func within(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still blocked after 10s", what)
	}
}

func TestStalledLogTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("first\n"))
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), func(cfg *Config) { cfg.StreamIdleTimeout = 100 * time.Millisecond })
	log, _, err := c.GetJobLog(authed(), "1", 7)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	var got string
	done := make(chan struct{})
	go func() {
		got, err = readAllString(log)
		close(done)
	}()
	within(t, done, "reading a stalled log")
	var e *Error
	if got != "first\n" || !errors.As(err, &e) || e.Kind != KindTimeout || e.Route != RouteJobTrace || !errors.Is(err, errStreamIdle) {
		t.Errorf("log = %q, err = %v; want the first line then a stream idle timeout", got, err)
	}
}

func TestFlowingLogOutlivesIdleTimeout(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 5 {
			_, _ = w.Write([]byte("line\n"))
			http.NewResponseController(w).Flush()
			time.Sleep(80 * time.Millisecond)
		}
	}), func(cfg *Config) { cfg.StreamIdleTimeout = 300 * time.Millisecond })
	log, _, err := c.GetJobLog(authed(), "1", 7)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	if got, err := readAllString(log); err != nil || got != strings.Repeat("line\n", 5) {
		t.Errorf("log = %q, %v; a log that keeps flowing must not time out", got, err)
	}
}

func TestClosingResponseBodyEndsTheStream(t *testing.T) {
	ended := make(chan struct{})
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("log"))
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
		close(ended)
	}))
	log, resp, err := c.GetJobLog(authed(), "1", 7)
	if err != nil {
		t.Fatal(err)
	}
	if any(log) != any(resp.Body) {
		t.Fatal("the Response's Body is not the returned stream")
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	within(t, ended, "the upstream request after closing Response.Body")
	if err := log.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := log.Read(make([]byte, 1)); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("read after Close = %v, want an error", err)
	}
}

// TestAbandonedLogFreesItsConnection: a reader that stops reading without
// closing holds a pooled connection only until the idle timeout.
func TestAbandonedLogFreesItsConnection(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/trace") {
			_, _ = w.Write([]byte("log"))
			http.NewResponseController(w).Flush()
			<-r.Context().Done()
			return
		}
		_, _ = w.Write([]byte(jobJSON))
	}), func(cfg *Config) { cfg.MaxConnsPerHost = 1; cfg.StreamIdleTimeout = 100 * time.Millisecond })
	log, _, err := c.GetJobLog(authed(), "1", 7)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	if _, _, err := c.GetJob(authed(), "1", 7); err != nil {
		t.Errorf("GetJob behind an abandoned log: %v", err)
	}
}
