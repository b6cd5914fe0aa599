package health

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"jobgraph/gitlabsim"
	"jobgraph/restclient"
)

// TestReadinessFollowsGitLab checks that /readyz flips to 503 when GitLab
// hangs or stops answering, and back when it returns.
func TestReadinessFollowsGitLab(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	defer sim.Close()
	var down atomic.Bool
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			conn, _, _ := http.NewResponseController(w).Hijack()
			_ = conn.Close()
			return
		}
		sim.ServeHTTP(w, r)
	}))
	defer upstream.Close()
	client, err := restclient.New(restclient.Config{BaseURL: upstream.URL, MaxRetries: -1, BreakerFailures: -1})
	if err != nil {
		t.Fatal(err)
	}
	ready := NewReadiness(GitLabProbe(client), time.Nanosecond, 200*time.Millisecond)
	srv := httptest.NewServer(ready.Handler())
	defer srv.Close()
	status := func() int {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	if s := status(); s != http.StatusOK {
		t.Fatalf("GitLab up: %d, want 200", s)
	}
	down.Store(true)
	if s := status(); s != http.StatusServiceUnavailable {
		t.Fatalf("GitLab stopped: %d, want 503", s)
	}
	down.Store(false)
	sim.SetFaults(gitlabsim.Faults{ErrorRate: 0, TimeoutRate: 1})
	if s := status(); s != http.StatusServiceUnavailable {
		t.Fatalf("GitLab hanging: %d, want 503", s)
	}
	sim.SetFaults(gitlabsim.Faults{})
	if s := status(); s != http.StatusOK {
		t.Fatalf("GitLab back: %d, want 200", s)
	}
}

// TestReadinessProbesOncePerInterval checks that checks within the
// interval share the last probe's outcome.
func TestReadinessProbesOncePerInterval(t *testing.T) {
	var probes atomic.Int32
	failing := errors.New("down")
	r := NewReadiness(func(context.Context) error { probes.Add(1); return failing }, time.Hour, time.Second)
	for range 5 {
		if err := r.Check(context.Background()); !errors.Is(err, failing) {
			t.Fatalf("err = %v", err)
		}
	}
	if n := probes.Load(); n != 1 {
		t.Errorf("%d probes, want 1", n)
	}
}
