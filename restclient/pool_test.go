package restclient

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestConnectionsAreBoundedAndReused(t *testing.T) {
	for name, given := range map[string]*http.Client{"default client": nil, "given client without transport": {}} {
		t.Run(name, func(t *testing.T) { testConnectionsBounded(t, given) })
	}
}

func testConnectionsBounded(t *testing.T, given *http.Client) {
	var mu sync.Mutex
	inFlight, peak := 0, 0
	remotes := map[string]bool{}
	c, counter := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		remotes[r.RemoteAddr] = true
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		_, _ = w.Write([]byte(userJSON))
	}), func(cfg *Config) { cfg.MaxConnsPerHost = 2; cfg.HTTPClient = given })

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, _, err := c.GetUser(authed(), 1); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if counter.calls.Load() != 20 || peak > 2 || len(remotes) > 2 {
		t.Errorf("%d calls, peak %d concurrent, %d connections; want 20 calls over at most 2 connections", counter.calls.Load(), peak, len(remotes))
	}
}
