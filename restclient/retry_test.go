package restclient

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// failFirst answers the first n requests with status (and Retry-After when
// given), then succeeds with body.
func failFirst(n int64, status int, retryAfter, body string) http.HandlerFunc {
	var seen atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"message":"try again"}`))
			return
		}
		_, _ = w.Write([]byte(body))
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.Handler
		post       bool
		maxRetries int
		wantCalls  int64
		wantKind   ErrorKind
	}{
		{"GET recovers after two 503s", failFirst(2, 503, "", jobJSON), false, 2, 3, 0},
		{"GET gives up after MaxRetries", failFirst(10, 502, "", jobJSON), false, 2, 3, KindUpstream},
		{"GET with retries disabled", failFirst(10, 500, "", jobJSON), false, -1, 1, KindUpstream},
		{"GET with one retry", failFirst(10, 500, "", jobJSON), false, 1, 2, KindUpstream},
		{"POST never retried on 5xx", failFirst(10, 503, "", jobJSON), true, 2, 1, KindUpstream},
		{"POST never retried on 429", failFirst(10, 429, "0", jobJSON), true, 2, 1, KindRateLimited},
		{"GET not retried on 404", failFirst(10, 404, "", jobJSON), false, 2, 1, KindNotFound},
		{"GET not retried on 401", failFirst(10, 401, "", jobJSON), false, 2, 1, KindUnauthenticated},
		{"GET not retried on 405", failFirst(10, 405, "", jobJSON), false, 2, 1, KindBadRequest},
		{"GET not retried on 501", failFirst(10, 501, "", jobJSON), false, 2, 1, KindUpstream},
		{"GET not retried on 505", failFirst(10, 505, "", jobJSON), false, 2, 1, KindUpstream},
		{"GET retried on 500", failFirst(1, 500, "", jobJSON), false, 2, 2, 0},
		{"GET retried on 504", failFirst(1, 504, "", jobJSON), false, 2, 2, 0},
		{"GET retried on 408", failFirst(1, 408, "", jobJSON), false, 2, 2, 0},
		{"GET gives up on 408", failFirst(10, 408, "", jobJSON), false, 2, 3, KindTimeout},
		{"POST never retried on 408", failFirst(10, 408, "", jobJSON), true, 2, 1, KindTimeout},
		{"GET retried on 503 within its Retry-After", failFirst(1, 503, "0", jobJSON), false, 2, 2, 0},
		{"GET gives up on 503 beyond the wait", failFirst(10, 503, "3600", jobJSON), false, 2, 1, KindUpstream},
		{"GET retried on 429 within the wait", failFirst(1, 429, "0", jobJSON), false, 2, 2, 0},
		{"GET retried on 429 without Retry-After", failFirst(1, 429, "", jobJSON), false, 2, 2, 0},
		{"GET gives up on 429 beyond the wait", failFirst(10, 429, "3600", jobJSON), false, 2, 1, KindRateLimited},
		{"GET gives up on 429 when retries run out", failFirst(10, 429, "0", jobJSON), false, 2, 3, KindRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, counter := newTestClient(t, tt.handler, func(cfg *Config) { cfg.MaxRetries = tt.maxRetries })
			var err error
			if tt.post {
				_, _, err = c.RetryJob(authed(), "1", 7)
			} else {
				_, _, err = c.GetJob(authed(), "1", 7)
			}
			if KindOf(err) != tt.wantKind {
				t.Errorf("err = %v, want kind %v", err, tt.wantKind)
			}
			if n := counter.calls.Load(); n != tt.wantCalls {
				t.Errorf("%d attempts, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestRateLimitedCarriesRetryAfter(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"120", 120 * time.Second},
		{time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), time.Hour},
	}
	for _, tt := range tests {
		c, counter := newTestClient(t, failFirst(10, 429, tt.header, "{}"))
		_, _, err := c.GetJob(authed(), "1", 7)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindRateLimited {
			t.Fatalf("err = %v", err)
		}
		if d := e.RetryAfter - tt.want; d < -2*time.Second || d > 2*time.Second {
			t.Errorf("Retry-After %q: RetryAfter = %v, want about %v", tt.header, e.RetryAfter, tt.want)
		}
		if n := counter.calls.Load(); n != 1 {
			t.Errorf("%d attempts: a wait beyond MaxRetryWait is not waited", n)
		}
	}
}

func TestRetryAfterIsWaited(t *testing.T) {
	for _, status := range []int{429, 503} {
		c, counter := newTestClient(t, failFirst(1, status, "1", jobJSON), func(cfg *Config) { cfg.MaxRetryWait = 2 * time.Second })
		start := time.Now()
		if _, _, err := c.GetJob(authed(), "1", 7); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < time.Second {
			t.Errorf("%d: retried after %v, before GitLab's Retry-After of 1s", status, waited)
		}
		if n := counter.calls.Load(); n != 2 {
			t.Errorf("%d: %d attempts, want 2", status, n)
		}
	}
}

func TestRetryAfterBeyondDeadlineIsNotWaited(t *testing.T) {
	c, counter := newTestClient(t, failFirst(10, 429, "5", jobJSON))
	ctx, cancel := context.WithTimeout(authed(), 500*time.Millisecond)
	defer cancel()
	if _, _, err := c.GetJob(ctx, "1", 7); KindOf(err) != KindRateLimited {
		t.Errorf("err = %v, want rate limited at once", err)
	}
	if n := counter.calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// TestBackoffNeverWaitsPastDeadline: when the next backoff would end after
// the caller's deadline, the call gives up at once with GitLab's answer.
func TestBackoffNeverWaitsPastDeadline(t *testing.T) {
	c, counter := newTestClient(t, respond(503, `{"message":"down"}`), func(cfg *Config) { cfg.RetryBaseWait = time.Minute })
	ctx, cancel := context.WithTimeout(authed(), 5*time.Second)
	defer cancel()
	_, _, err := c.GetJob(ctx, "1", 7)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindUpstream || e.StatusCode != 503 || e.Message != "down" {
		t.Errorf("err = %v, want GitLab's 503", err)
	}
	if ctx.Err() != nil {
		t.Error("waited out the caller's deadline")
	}
	if n := counter.calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// TestCancelDuringBackoffKeepsUpstreamError: a caller that gives up while
// the client waits to retry learns what GitLab said, not just "canceled".
func TestCancelDuringBackoffKeepsUpstreamError(t *testing.T) {
	ctx, cancel := context.WithCancel(authed())
	c, counter := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(503, `{"message":"down"}`)(w, r)
		// Cancel once the answer has had time to reach the client, which is
		// then waiting out its backoff.
		time.AfterFunc(100*time.Millisecond, cancel)
	}), func(cfg *Config) { cfg.RetryBaseWait = time.Minute })
	_, _, err := c.GetJob(ctx, "1", 7)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindUpstream || e.StatusCode != 503 {
		t.Errorf("err = %v, want GitLab's 503", err)
	}
	if n := counter.calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// hangUp drops the first n connections without answering, then serves body.
func hangUp(t *testing.T, n int64, body string) http.HandlerFunc {
	var seen atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err)
				return
			}
			_ = conn.Close()
			return
		}
		_, _ = w.Write([]byte(body))
	}
}

func TestConnectionErrors(t *testing.T) {
	t.Run("GET retried", func(t *testing.T) {
		c, counter := newTestClient(t, hangUp(t, 2, jobJSON))
		if _, _, err := c.GetJob(authed(), "1", 7); err != nil {
			t.Fatalf("err = %v", err)
		}
		if n := counter.calls.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})
	t.Run("GET gives up", func(t *testing.T) {
		c, counter := newTestClient(t, hangUp(t, 10, jobJSON))
		if _, _, err := c.GetJob(authed(), "1", 7); KindOf(err) != KindTransport {
			t.Fatalf("err = %v, want transport", err)
		}
		if n := counter.calls.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})
	t.Run("POST not retried", func(t *testing.T) {
		c, counter := newTestClient(t, hangUp(t, 10, jobJSON))
		if _, _, err := c.EraseJob(authed(), "1", 7); KindOf(err) != KindTransport {
			t.Fatalf("err = %v, want transport", err)
		}
		if n := counter.calls.Load(); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
}

// stall blocks until the request's context ends or release is closed.
func stall(release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
}

func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	defer close(release)

	t.Run("attempt timeout is retried then reported", func(t *testing.T) {
		c, counter := newTestClient(t, stall(release), func(cfg *Config) { cfg.Timeout = 50 * time.Millisecond })
		_, _, err := c.GetJob(authed(), "1", 7)
		if KindOf(err) != KindTimeout || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want timeout wrapping DeadlineExceeded", err)
		}
		if n := counter.calls.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})
	t.Run("caller deadline is not retried", func(t *testing.T) {
		c, counter := newTestClient(t, stall(release))
		ctx, cancel := context.WithTimeout(authed(), 50*time.Millisecond)
		defer cancel()
		if _, _, err := c.GetJob(ctx, "1", 7); KindOf(err) != KindTimeout {
			t.Errorf("err = %v, want timeout", err)
		}
		if n := counter.calls.Load(); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
	t.Run("caller cancel", func(t *testing.T) {
		c, _ := newTestClient(t, stall(release))
		ctx, cancel := context.WithCancel(authed())
		time.AfterFunc(20*time.Millisecond, cancel)
		_, _, err := c.GetJob(ctx, "1", 7)
		if KindOf(err) != KindTransport || !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want transport wrapping Canceled", err)
		}
	})
	t.Run("slow body counts against the attempt", func(t *testing.T) {
		c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`[` + jobJSON))
			http.NewResponseController(w).Flush()
			<-r.Context().Done()
		}), func(cfg *Config) { cfg.Timeout = 50 * time.Millisecond; cfg.MaxRetries = -1 })
		if _, _, err := c.ListProjectJobs(authed(), "1", nil); KindOf(err) != KindTimeout {
			t.Errorf("err = %v, want timeout", err)
		}
	})
	t.Run("log body outlives the attempt timeout", func(t *testing.T) {
		c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("first\n"))
			http.NewResponseController(w).Flush()
			time.Sleep(150 * time.Millisecond)
			_, _ = w.Write([]byte("second\n"))
		}), func(cfg *Config) { cfg.Timeout = 50 * time.Millisecond })
		log, _, err := c.GetJobLog(authed(), "1", 7)
		if err != nil {
			t.Fatal(err)
		}
		defer log.Close()
		b, err := readAllString(log)
		if err != nil || b != "first\nsecond\n" {
			t.Errorf("log = %q, %v", b, err)
		}
	})
}
