// Package health answers jobgraph's probes: /healthz for the process, and
// /readyz for whether GitLab answers, from a probe made at most once per
// interval however often the orchestrator asks.
package health

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"jobgraph/restclient"
)

// Probe asks GitLab for something cheap.
type Probe func(ctx context.Context) error

// GitLabProbe asks GitLab for its version. Any answer of GitLab's own (a
// 401 for want of a token too) proves it is up; no answer, a timeout, a 5xx
// or an open circuit breaker does not.
func GitLabProbe(c *restclient.Client) Probe {
	return func(ctx context.Context) error {
		_, _, err := c.GetVersion(ctx)
		switch restclient.KindOf(err) {
		case 0, restclient.KindUnauthenticated, restclient.KindForbidden, restclient.KindNotFound:
			return nil
		}
		return err
	}
}

// Readiness caches a probe's outcome for an interval.
type Readiness struct {
	probe    Probe
	interval time.Duration
	timeout  time.Duration
	now      func() time.Time

	flight singleflight.Group
	mu     sync.Mutex
	at     time.Time
	err    error
}

// NewReadiness probes at most once per interval, each probe bounded by
// timeout.
func NewReadiness(probe Probe, interval, timeout time.Duration) *Readiness {
	return &Readiness{probe: probe, interval: interval, timeout: timeout, now: time.Now}
}

// Check returns the latest outcome, probing when it is older than the
// interval; concurrent checks share one probe.
func (r *Readiness) Check(ctx context.Context) error {
	r.mu.Lock()
	fresh := !r.at.IsZero() && r.now().Sub(r.at) < r.interval
	err := r.err
	r.mu.Unlock()
	if fresh {
		return err
	}
	_, err, _ = r.flight.Do("probe", func() (any, error) {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
		defer cancel()
		err := r.probe(pctx)
		r.mu.Lock()
		r.at, r.err = r.now(), err
		r.mu.Unlock()
		return nil, err
	})
	return err
}

// Handler answers /readyz: 200 when GitLab answered the latest probe, 503
// with the reason otherwise.
func (r *Readiness) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := r.Check(req.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "not ready: GitLab is unreachable: %v\n", err)
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// Live answers /healthz: the process serves.
func Live() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, "ok")
	})
}
