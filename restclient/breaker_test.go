package restclient

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is an Observer keeping what it was told.
type recorder struct {
	mu       sync.Mutex
	done     []int // statuses
	retries  int
	refused  []error
	inFlight int
	states   []string
}

func (r *recorder) RequestDone(_, _ string, status int, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = append(r.done, status)
}

func (r *recorder) Retrying(string, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retries++
}

func (r *recorder) Refused(_, _ string, cause error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refused = append(r.refused, cause)
}

func (r *recorder) InFlight(delta int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inFlight += delta
}

func (r *recorder) BreakerChanged(state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, state)
}

// switchable answers 503 while down is set, a job otherwise.
func switchable(down *atomic.Bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(jobJSON))
	}
}

// TestBreakerOpensAndRecovers checks the breaker's whole cycle: refusals
// unsent once GitLab failed enough requests in a row, one probe after the
// cooldown, and calls again once the probe succeeds.
func TestBreakerOpensAndRecovers(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	obs := &recorder{}
	c, counter := newTestClient(t, switchable(&down), func(cfg *Config) {
		cfg.MaxRetries = -1
		cfg.BreakerFailures = 3
		cfg.BreakerCooldown = 50 * time.Millisecond
		cfg.Observer = obs
	})
	for range 3 {
		if _, _, err := c.GetJob(authed(), "1", 7); KindOf(err) != KindUpstream || errors.Is(err, ErrCircuitOpen) {
			t.Fatalf("err = %v, want GitLab's 503", err)
		}
	}
	_, _, err := c.GetJob(authed(), "1", 7)
	if !errors.Is(err, ErrCircuitOpen) || KindOf(err) != KindUpstream {
		t.Fatalf("after 3 failures: err = %v, want the open circuit", err)
	}
	if n := counter.calls.Load(); n != 3 {
		t.Fatalf("GitLab got %d requests, want 3: the refused one is not sent", n)
	}
	if state := c.BreakerState(); state != "open" {
		t.Fatalf("state %q, want open", state)
	}

	down.Store(false)
	time.Sleep(60 * time.Millisecond)
	if _, _, err := c.GetJob(authed(), "1", 7); err != nil {
		t.Fatalf("the probe after the cooldown: %v", err)
	}
	if _, _, err := c.GetJob(authed(), "1", 7); err != nil {
		t.Fatalf("after the probe: %v", err)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.refused) != 1 || !errors.Is(obs.refused[0], ErrCircuitOpen) || len(obs.done) != 5 || obs.inFlight != 0 {
		t.Errorf("observer saw refusals %v, %d requests done, %d still in flight; want 1, 5, 0", obs.refused, len(obs.done), obs.inFlight)
	}
	if want := []string{"open", "half-open", "closed"}; len(obs.states) != 3 || obs.states[0] != want[0] || obs.states[2] != want[2] {
		t.Errorf("states %v, want %v", obs.states, want)
	}
}

// TestBreakerIgnoresWhatIsNotGitLabsHealth checks that 500s, 404s and
// callers' own cancellations never open the circuit.
func TestBreakerIgnoresWhatIsNotGitLabsHealth(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusNotFound, http.StatusTooManyRequests} {
		c, _ := newTestClient(t, respond(status, `{"message":"no"}`), func(cfg *Config) {
			cfg.MaxRetries = -1
			cfg.BreakerFailures = 2
		})
		for range 5 {
			if _, _, err := c.GetJob(authed(), "1", 7); errors.Is(err, ErrCircuitOpen) {
				t.Fatalf("status %d opened the circuit", status)
			}
		}
	}
	release := make(chan struct{})
	defer close(release)
	c, _ := newTestClient(t, stall(release), func(cfg *Config) { cfg.BreakerFailures = 2 })
	for range 4 {
		ctx, cancel := context.WithTimeout(authed(), 10*time.Millisecond)
		_, _, err := c.GetJob(ctx, "1", 7)
		cancel()
		if errors.Is(err, ErrCircuitOpen) {
			t.Fatal("callers' deadlines opened the circuit")
		}
	}
}

// TestObserverSeesRetriesAndBudgetRefusals checks the remaining hooks.
func TestObserverSeesRetriesAndBudgetRefusals(t *testing.T) {
	obs := &recorder{}
	c, _ := newTestClient(t, respond(http.StatusBadGateway, `{}`), func(cfg *Config) {
		cfg.MaxRetries = 2
		cfg.BreakerFailures = -1
		cfg.Observer = obs
	})
	ctx := WithBudget(authed(), NewBudget(2, 0, "caller"))
	_, _, _ = c.GetJob(ctx, "1", 7)
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.retries != 2 || len(obs.done) != 2 || len(obs.refused) != 1 || !errors.Is(obs.refused[0], ErrCallBudget) {
		t.Errorf("retries %d, requests done %d, refusals %v; want 2, 2 and the budget", obs.retries, len(obs.done), obs.refused)
	}
}
