package gitlabsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const jobsRoute = "GET /api/v4/projects/:id/jobs"

func TestFailNextIsDeterministic(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	sim.SetFaults(Faults{FailNext: []FailNext{{Route: jobsRoute, Count: 2, Kind: FaultError, Status: 503}}})
	if r := get(t, srv, "/api/v4/projects/1", TokenMaintainer); r.status != 200 {
		t.Fatalf("other route faulted: %d", r.status)
	}
	for i, want := range []int{503, 503, 200, 200} {
		r := get(t, srv, "/api/v4/projects/1/jobs", TokenMaintainer)
		if r.status != want {
			t.Fatalf("request %d: status %d, want %d", i, r.status, want)
		}
		if want == 503 && string(r.body) != `{"message":"503 Service Unavailable"}` {
			t.Errorf("body %s", r.body)
		}
	}
	if got := sim.Stats()[jobsRoute]; got != 4 {
		t.Errorf("faulted requests still count: %d, want 4", got)
	}
}

func TestRateLimitFault(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	sim.SetFaults(Faults{RateLimitRate: 1, RetryAfter: 7, Routes: []string{jobsRoute}})
	r := get(t, srv, "/api/v4/projects/1/jobs", TokenMaintainer)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "7" {
		t.Fatalf("status %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Observed"} {
		if r.header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	if reset, err := strconv.ParseInt(r.header.Get("RateLimit-Reset"), 10, 64); err != nil || reset < time.Now().Unix() {
		t.Errorf("RateLimit-Reset %q", r.header.Get("RateLimit-Reset"))
	}
	if r := get(t, srv, "/api/v4/projects/1", TokenMaintainer); r.status != 200 {
		t.Errorf("route outside the plan faulted: %d", r.status)
	}
}

func TestTransportFaults(t *testing.T) {
	tests := []struct {
		kind  FaultKind
		check func(t *testing.T, resp *http.Response, err error)
	}{
		{FaultReset, func(t *testing.T, resp *http.Response, err error) {
			if err == nil {
				t.Fatalf("reset connection answered %d", resp.StatusCode)
			}
		}},
		{FaultTimeout, func(t *testing.T, resp *http.Response, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("timeout fault: %v", err)
			}
		}},
		{FaultMalformed, func(t *testing.T, resp *http.Response, err error) {
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var v any
			if json.NewDecoder(resp.Body).Decode(&v) == nil || resp.StatusCode != 200 {
				t.Fatalf("malformed body decoded (status %d)", resp.StatusCode)
			}
		}},
	}
	// Faults keep their meaning under latency (timed on a fake clock): a reset drops
	// the connection when the answer is due, a timeout still hangs.
	for _, tt := range tests {
		for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
			t.Run(fmt.Sprintf("%s latency %v", tt.kind, latency), func(t *testing.T) {
				sim, srv := newTestServer(t, Options{Seed: 1, Latency: latency})
				useFakeClock(sim)
				sim.SetFaults(Faults{FailNext: []FailNext{{Count: 1, Kind: tt.kind}}})
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v4/projects/1/jobs", nil)
				req.Header.Set("PRIVATE-TOKEN", TokenMaintainer)
				resp, err := srv.Client().Do(req)
				tt.check(t, resp, err)
				if r := get(t, srv, "/api/v4/projects/1/jobs", TokenMaintainer); r.status != 200 {
					t.Fatalf("the fault outlived its count: %d", r.status)
				}
			})
		}
	}
}

func TestFaultRatesAreSeeded(t *testing.T) {
	statuses := func() string {
		sim, srv := newTestServer(t, Options{Seed: 3})
		sim.SetFaults(Faults{ErrorRate: 0.5})
		var b strings.Builder
		for range 40 {
			b.WriteString(strconv.Itoa(get(t, srv, "/api/v4/projects/1", TokenMaintainer).status))
		}
		return b.String()
	}
	first := statuses()
	if first != statuses() {
		t.Fatal("same seed, different fault sequence")
	}
	if !strings.Contains(first, "500") || !strings.Contains(first, "200") {
		t.Fatalf("rate 0.5 gave %s", first)
	}
}

func TestFaultsOverHTTP(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	r := do(t, srv, http.MethodPut, "/_sim/faults", "", `{"fail_next":[{"route":"GET /api/v4/projects/:id","count":1,"kind":"rate_limit"}]}`)
	if r.status != 200 {
		t.Fatalf("PUT faults: %d %s", r.status, r.body)
	}
	if got := get(t, srv, "/api/v4/projects/1", TokenMaintainer).status; got != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", got)
	}
	for _, bad := range []string{`{"error_rate":2}`, `{"fail_next":[{"count":1,"kind":"explode"}]}`, `{"nope":1}`, `{`} {
		if r := do(t, srv, http.MethodPut, "/_sim/faults", "", bad); r.status != http.StatusBadRequest {
			t.Errorf("PUT %s: %d", bad, r.status)
		}
	}
	if len(sim.Stats()) != 1 {
		t.Errorf("control requests counted: %v", sim.Stats())
	}
}

func TestLatencyRespectsClientDeadline(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	r := do(t, srv, http.MethodPut, "/_sim/latency", "", `{"fixed":"1h"}`)
	if r.status != http.StatusNoContent {
		t.Fatalf("PUT latency: %d %s", r.status, r.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v4/projects/1", nil)
	if _, err := srv.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("latency did not delay: %v", err)
	}
	sim.SetLatency(0, 0)
	if r := get(t, srv, "/api/v4/projects/1", TokenMaintainer); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
}

func TestCloseReleasesTimeouts(t *testing.T) {
	sim := New(Options{Seed: 1, LiveClock: true})
	sim.SetFaults(Faults{TimeoutRate: 1})
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequest(http.MethodGet, "/api/v4/projects/1", nil)
		sim.ServeHTTP(&countingWriter{header: http.Header{}, every: 1 << 30}, req)
	}()
	sim.Close()
	<-done
}
