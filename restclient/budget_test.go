package restclient

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// warmThenReset answers the first warm requests only once all of them are in
// flight together, so the client's pool then holds warm idle connections,
// and from then on resets the connection of every request it reads.
func warmThenReset(t *testing.T, warm int) http.HandlerFunc {
	var seen atomic.Int64
	var arrived sync.WaitGroup
	arrived.Add(warm)
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= int64(warm) {
			arrived.Done()
			arrived.Wait()
			_, _ = w.Write([]byte(jobJSON))
			return
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_ = conn.Close()
	}
}

// TestResetsOfAWarmPoolAreRetriedOnlyByUs checks that net/http re-sends
// nothing: with every pooled connection broken, a GET costs GitLab
// 1 + MaxRetries requests and a POST one.
func TestResetsOfAWarmPoolAreRetriedOnlyByUs(t *testing.T) {
	const warm = 20
	for _, tt := range []struct {
		name string
		call func(*Client) error
		want int64
	}{
		{"GET", func(c *Client) error { _, _, err := c.GetJob(authed(), "1", 7); return err }, 3},
		{"POST", func(c *Client) error { _, _, err := c.RetryJob(authed(), "1", 7); return err }, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, counter := newTestClient(t, warmThenReset(t, warm), func(cfg *Config) { cfg.MaxRetries = 2 })
			var wg sync.WaitGroup
			for range warm {
				wg.Go(func() {
					if _, _, err := c.GetJob(authed(), "1", 7); err != nil {
						t.Errorf("warming: %v", err)
					}
				})
			}
			wg.Wait()
			if err := tt.call(c); KindOf(err) != KindTransport {
				t.Fatalf("err = %v, want a transport error", err)
			}
			if n := counter.calls.Load() - warm; n != tt.want {
				t.Errorf("GitLab got %d requests for one call, want %d", n, tt.want)
			}
		})
	}
}

// TestGETsCarryNoBody checks the wire form of the body that keeps net/http
// from replaying GETs: no body, no length, no chunking.
func TestGETsCarryNoBody(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 || len(r.TransferEncoding) != 0 || r.Header.Get("Content-Length") != "" {
			t.Errorf("GET carries a body: length %d, encoding %v", r.ContentLength, r.TransferEncoding)
		}
		_, _ = w.Write([]byte(jobJSON))
	}))
	if _, _, err := c.GetJob(authed(), "1", 7); err != nil {
		t.Fatal(err)
	}
}

// TestBudgetCountsEveryRequest checks that retries are charged: a budget of
// four requests pays for one GET and its two retries, then one more request,
// and refuses the rest without sending them.
func TestBudgetCountsEveryRequest(t *testing.T) {
	c, counter := newTestClient(t, respond(http.StatusServiceUnavailable, `{"message":"busy"}`), func(cfg *Config) { cfg.MaxRetries = 2 })
	ctx := WithBudget(authed(), NewBudget(4, 0, "caller"))
	if _, _, err := c.GetJob(ctx, "1", 7); KindOf(err) != KindUpstream {
		t.Fatalf("first call: err = %v, want upstream", err)
	}
	_, _, err := c.GetJob(ctx, "1", 8)
	if KindOf(err) != KindCallLimit {
		t.Fatalf("second call: err = %v, want the call limit", err)
	}
	if n := counter.calls.Load(); n != 4 {
		t.Errorf("GitLab got %d requests, want 4", n)
	}
	if _, _, err := c.GetJob(ctx, "1", 9); KindOf(err) != KindCallLimit {
		t.Errorf("third call: err = %v, want the call limit", err)
	}
	if sent := budgetFrom(ctx).Sent(); sent != 4 {
		t.Errorf("the budget counts %d requests sent, want 4", sent)
	}
	if n := counter.calls.Load(); n != 4 {
		t.Errorf("a spent budget still sent: GitLab got %d requests, want 4", n)
	}
}

// holding counts the requests in flight at it, keeps the most seen, and
// holds those whose job id is 7 until release is closed.
type holding struct {
	mu       sync.Mutex
	inFlight int
	most     int
	arrived  chan struct{}
	release  chan struct{}
}

func newHolding() *holding {
	return &holding{arrived: make(chan struct{}, 1000), release: make(chan struct{})}
}

func (h *holding) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.inFlight++
	h.most = max(h.most, h.inFlight)
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.inFlight--
		h.mu.Unlock()
	}()
	if r.URL.Path == "/api/v4/projects/1/jobs/7" {
		h.arrived <- struct{}{}
		<-h.release
	}
	_, _ = w.Write([]byte(jobJSON))
}

func (h *holding) mostInFlight() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.most
}

// TestInFlightIsBoundedPerOperationAndPerCaller checks both bounds: an
// operation never has more than its own bound in flight, a caller never
// more than MaxInFlightPerCaller across its operations, and another caller is
// served while the first holds all its slots on a hanging route.
func TestInFlightIsBoundedPerOperationAndPerCaller(t *testing.T) {
	h := newHolding()
	c, _ := newTestClient(t, h, func(cfg *Config) {
		cfg.MaxConnsPerHost = 6
		cfg.MaxInFlightPerCaller = 5
	})
	var wg sync.WaitGroup
	for op := range 3 {
		ctx := WithBudget(authed(), NewBudget(100, 2, "caller-a"))
		for range 4 {
			wg.Go(func() {
				if _, _, err := c.GetJob(ctx, "1", 7); err != nil {
					t.Errorf("operation %d: %v", op, err)
				}
			})
		}
	}
	for range 5 {
		<-h.arrived
	}

	other, cancel := context.WithTimeout(WithBudget(authed(), NewBudget(100, 2, "caller-b")), 10*time.Second)
	defer cancel()
	if _, _, err := c.GetJob(other, "1", 8); err != nil {
		t.Fatalf("another caller was not served while the first held its slots: %v", err)
	}
	if most := h.mostInFlight(); most != 6 {
		t.Errorf("%d requests were in flight at most, want the first caller's 5 and the other's 1", most)
	}
	close(h.release)
	wg.Wait()
}

// TestOperationInFlightBound checks an operation's own bound alone.
func TestOperationInFlightBound(t *testing.T) {
	h := newHolding()
	c, _ := newTestClient(t, h, func(cfg *Config) { cfg.MaxInFlightPerCaller = -1 })
	ctx := WithBudget(authed(), NewBudget(100, 3, "caller"))
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, _, err := c.GetJob(ctx, "1", 7); err != nil {
				t.Error(err)
			}
		})
	}
	for range 3 {
		<-h.arrived
	}
	close(h.release)
	wg.Wait()
	if most := h.mostInFlight(); most != 3 {
		t.Errorf("%d requests of one operation were in flight at once, want 3", most)
	}
}

// TestWaitingForASlotEndsWithTheDeadline checks that a call queued behind
// its caller's slots fails with the caller's deadline, unsent.
func TestWaitingForASlotEndsWithTheDeadline(t *testing.T) {
	h := newHolding()
	c, counter := newTestClient(t, h, func(cfg *Config) { cfg.MaxInFlightPerCaller = 1 })
	held := WithBudget(authed(), NewBudget(10, 0, "caller"))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _, _ = c.GetJob(held, "1", 7)
	}()
	<-h.arrived
	ctx, cancel := context.WithTimeout(WithBudget(authed(), NewBudget(10, 0, "caller")), 50*time.Millisecond)
	defer cancel()
	if _, _, err := c.GetJob(ctx, "1", 8); KindOf(err) != KindTimeout {
		t.Errorf("err = %v, want a timeout", err)
	}
	if n := counter.calls.Load(); n != 1 {
		t.Errorf("GitLab got %d requests, want only the held one", n)
	}
	close(h.release)
	<-done
}

// TestWrapTransportSeesEveryAttemptWithItsRoute checks the hook tracing
// uses: every HTTP attempt goes through the wrapping transport, named by
// its route template.
func TestWrapTransportSeesEveryAttemptWithItsRoute(t *testing.T) {
	var mu sync.Mutex
	var routes []string
	c, _ := newTestClient(t, failFirst(1, http.StatusServiceUnavailable, "", jobJSON), func(cfg *Config) {
		cfg.WrapTransport = func(next http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				mu.Lock()
				routes = append(routes, RouteOf(r))
				mu.Unlock()
				return next.RoundTrip(r)
			})
		}
	})
	if _, _, err := c.GetJob(authed(), "1", 7); err != nil {
		t.Fatal(err)
	}
	if len(routes) != 2 || routes[0] != RouteJob || routes[1] != RouteJob {
		t.Errorf("the transport saw routes %q, want the job route twice", routes)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
