package gitlabsim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock stands in for the wall clock: sleeping advances it at once, and work is
// modelled by advancing it by hand, so latency tests do not depend on machine load.
// Requests may share it, hence the lock.
type fakeClock struct {
	mu     sync.Mutex
	at     time.Time
	slept  []time.Duration
	gaveUp bool // the client leaves as soon as the simulator starts waiting
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

func (c *fakeClock) sleep(_ context.Context, d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	if c.gaveUp {
		return false
	}
	c.at = c.at.Add(d)
	return true
}

// useFakeClock makes the simulator time its latency on a fake clock.
func useFakeClock(sim *Sim) *fakeClock {
	c := &fakeClock{at: worldEpoch}
	sim.now, sim.sleep = c.now, c.sleep
	return c
}

// firstByteWriter records when, on the fake clock, the first byte left.
type firstByteWriter struct {
	*httptest.ResponseRecorder
	clock   *fakeClock
	firstAt time.Time
	flushed int
}

func (f *firstByteWriter) mark() {
	if f.firstAt.IsZero() {
		f.firstAt = f.clock.now()
	}
}

func (f *firstByteWriter) WriteHeader(status int) {
	f.mark()
	f.ResponseRecorder.WriteHeader(status)
}

func (f *firstByteWriter) Write(p []byte) (int, error) {
	f.mark()
	return f.ResponseRecorder.Write(p)
}

func (f *firstByteWriter) Flush() { f.flushed++ }

func TestHeldResponseTimesTheFirstByte(t *testing.T) {
	const latency = 50 * time.Millisecond
	tests := []struct {
		name      string
		handler   func(t *testing.T, w http.ResponseWriter, clock *fakeClock)
		gaveUp    bool
		wantSlept []time.Duration
		wantFirst time.Duration // after arrival; 0 = nothing sent
		wantBody  string
	}{
		{
			name: "work inside the latency only waits the rest",
			handler: func(t *testing.T, w http.ResponseWriter, c *fakeClock) {
				c.advance(30 * time.Millisecond)
				writeMessage(w, http.StatusOK, "done")
			},
			wantSlept: []time.Duration{20 * time.Millisecond}, wantFirst: latency, wantBody: `{"message":"done"}`,
		},
		{
			name: "work longer than the latency adds nothing",
			handler: func(t *testing.T, w http.ResponseWriter, c *fakeClock) {
				c.advance(70 * time.Millisecond)
				writeMessage(w, http.StatusOK, "slow")
			},
			wantFirst: 70 * time.Millisecond, wantBody: `{"message":"slow"}`,
		},
		{
			name:      "an empty answer is held too",
			handler:   func(*testing.T, http.ResponseWriter, *fakeClock) {},
			wantSlept: []time.Duration{latency},
		},
		{
			name: "a stream sends its header at the deadline, then passes through",
			handler: func(t *testing.T, w http.ResponseWriter, c *fakeClock) {
				c.advance(10 * time.Millisecond)
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
				c.advance(time.Second)
				_, _ = w.Write([]byte("line 1\n"))
				_, _ = w.Write([]byte("line 2\n"))
			},
			wantSlept: []time.Duration{40 * time.Millisecond}, wantFirst: latency, wantBody: "line 1\nline 2\n",
		},
		{
			name: "a client that gives up gets nothing",
			handler: func(t *testing.T, w http.ResponseWriter, c *fakeClock) {
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
				if _, err := w.Write([]byte("late")); !errors.Is(err, errClientGone) {
					t.Errorf("write after the client left: %v, want errClientGone", err)
				}
			},
			gaveUp: true, wantSlept: []time.Duration{latency},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{at: worldEpoch, gaveUp: tt.gaveUp}
			rec := &firstByteWriter{ResponseRecorder: httptest.NewRecorder(), clock: clock}
			held := &heldResponse{w: rec, ctx: context.Background(), deadline: worldEpoch.Add(latency), now: clock.now, sleep: clock.sleep}
			tt.handler(t, held, clock)
			held.send()
			if !slices.Equal(clock.slept, tt.wantSlept) {
				t.Errorf("slept %v, want %v", clock.slept, tt.wantSlept)
			}
			var first time.Duration
			if !rec.firstAt.IsZero() {
				first = rec.firstAt.Sub(worldEpoch)
			}
			if first != tt.wantFirst || rec.Body.String() != tt.wantBody {
				t.Errorf("first byte after %v with body %q, want %v and %q", first, rec.Body, tt.wantFirst, tt.wantBody)
			}
		})
	}
}

// Through the simulator, the request waits its latency once, after the work, and
// jitter stays inside its bound.
func TestLatencyIsTimeToFirstByte(t *testing.T) {
	tests := []struct {
		name          string
		fixed, jitter time.Duration
		path          string
		want          string
	}{
		{"jobs page", 50 * time.Millisecond, 0, "/api/v4/projects/1/jobs?per_page=100", `"id":200008`},
		{"jitter", 50 * time.Millisecond, 10 * time.Millisecond, "/api/v4/projects/1", `"path":"web-app"`},
		{"streamed trace", 50 * time.Millisecond, 0, fmt.Sprintf("/api/v4/projects/1/jobs/%d/trace", JobFailed), "section_start:"},
		{"no route", 50 * time.Millisecond, 0, "/api/v4/nowhere", `"404 Not Found"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := New(Options{Seed: 1, Latency: tt.fixed, Jitter: tt.jitter})
			defer sim.Close()
			clock := useFakeClock(sim)
			rec := &firstByteWriter{ResponseRecorder: httptest.NewRecorder(), clock: clock}
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			req.Header.Set("PRIVATE-TOKEN", TokenMaintainer)
			sim.ServeHTTP(rec, req)
			if len(clock.slept) != 1 || clock.slept[0] < tt.fixed || clock.slept[0] >= tt.fixed+max(tt.jitter, 1) {
				t.Fatalf("slept %v, want one wait in [%v, %v]", clock.slept, tt.fixed, tt.fixed+tt.jitter)
			}
			if got := rec.firstAt.Sub(worldEpoch); got != clock.slept[0] {
				t.Errorf("first byte after %v, want %v", got, clock.slept[0])
			}
			if !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("body lacks %s: %.200s", tt.want, rec.Body)
			}
		})
	}
}

// On the real clock and over HTTP the answer never comes sooner than the latency.
func TestLatencyDelaysTheFirstByteOverHTTP(t *testing.T) {
	const latency = 50 * time.Millisecond
	_, srv := newTestServer(t, Options{Seed: 1, Latency: latency})
	var start, first time.Time
	trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { first = time.Now() }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, srv.URL+"/api/v4/projects/1/jobs?per_page=100", nil)
	req.Header.Set("PRIVATE-TOKEN", TokenMaintainer)
	start = time.Now()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "[") {
		t.Fatalf("status %d body %.100s", resp.StatusCode, body)
	}
	if ttfb := first.Sub(start); ttfb < latency {
		t.Fatalf("first byte after %v, want at least %v", ttfb, latency)
	}
}

// Handlers write while holding the world's lock; the wait must come after they let go,
// or one slow answer would stall every action and the live clock.
func TestLatencyDoesNotHoldTheWorld(t *testing.T) {
	for _, path := range []string{"/api/v4/projects/1/jobs", "/api/v4/projects/1/jobs/200002/cancel"} {
		t.Run(path, func(t *testing.T) {
			sim := New(Options{Seed: 1, Latency: time.Hour})
			defer sim.Close()
			waiting, release := make(chan struct{}), make(chan struct{})
			sim.sleep = func(context.Context, time.Duration) bool {
				close(waiting)
				<-release
				return true
			}
			method := http.MethodGet
			if strings.HasSuffix(path, "/cancel") {
				method = http.MethodPost
			}
			req := httptest.NewRequest(method, path, nil)
			req.Header.Set("PRIVATE-TOKEN", TokenMaintainer)
			rec := httptest.NewRecorder()
			done := make(chan struct{})
			go func() {
				defer close(done)
				sim.ServeHTTP(rec, req)
			}()
			<-waiting
			locked := !sim.mu.TryLock()
			if !locked {
				sim.mu.Unlock()
			}
			close(release)
			<-done
			if locked {
				t.Fatal("the world stayed locked while the answer waited for its latency")
			}
			if rec.Code >= 300 {
				t.Fatalf("status %d %s", rec.Code, rec.Body)
			}
		})
	}
}
