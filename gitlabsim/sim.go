// Package gitlabsim simulates GitLab's REST API (the Jobs API and what surrounds it)
// over a deterministic seeded world, with latency, fault injection and request
// accounting for tests, demos and benchmarks. It imports nothing of jobgraph.
package gitlabsim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a simulator.
type Options struct {
	Seed int64 // deterministic world
	// Latency is GitLab's response time: every API request's first byte leaves no
	// earlier than Latency (plus Jitter) after the request arrived. The simulator's own
	// work counts towards it; work that takes longer adds nothing. 0 = answer at once.
	Latency   time.Duration
	Jitter    time.Duration // extra uniform random latency in [0, Jitter)
	LiveClock bool          // when true, a ticker moves running jobs forward; tests leave it false
	// ExternalURL builds web_url and Link headers when set; otherwise they follow the request's Host.
	ExternalURL string
	// OffsetLimit is the plan limit offset_pagination_limit, which GitLab's
	// administrators can change: offset pages of project jobs may not reach
	// past it. 0 = GitLab's default, DefaultOffsetLimit.
	OffsetLimit int
}

// liveTick is how often the live clock moves the world.
const liveTick = time.Second

// Sim is an http.Handler serving GitLab's REST API under /api/v4 and its own
// controls under /_sim/.
type Sim struct {
	routes      []route
	externalURL string
	offsetLimit int

	mu    sync.RWMutex // guards world
	world *world

	statsMu sync.Mutex
	stats   map[string]int64

	ctlMu  sync.Mutex // guards faults, latency and the RNG that draws them
	faults Faults
	fixed  time.Duration
	jitter time.Duration
	rng    *rand.Rand

	logSizesMu sync.Mutex
	logSizes   map[logShape]int64 // sizes of padded logs, by shape (see logSize)

	// now and sleep time the latency; tests replace them to control the clock.
	now   func() time.Time
	sleep func(context.Context, time.Duration) bool

	closeOnce sync.Once
	closed    chan struct{}
	clockDone chan struct{}
}

// New seeds a world and returns its simulator. Close it to stop the live clock.
func New(opts Options) *Sim {
	s := &Sim{
		routes:      newRoutes(),
		externalURL: strings.TrimSuffix(opts.ExternalURL, "/"),
		offsetLimit: opts.OffsetLimit,
		world:       newWorld(opts.Seed),
		stats:       map[string]int64{},
		logSizes:    map[logShape]int64{},
		fixed:       opts.Latency,
		jitter:      opts.Jitter,
		rng:         rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)),
		closed:      make(chan struct{}),
		now:         time.Now,
		sleep:       sleepUntilDone,
	}
	if s.offsetLimit <= 0 {
		s.offsetLimit = DefaultOffsetLimit
	}
	if opts.LiveClock {
		s.clockDone = make(chan struct{})
		go s.runClock()
	}
	return s
}

// Close stops the live clock, if any, and releases requests held by timeout faults.
func (s *Sim) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.clockDone != nil {
			<-s.clockDone
		}
	})
}

// SetLatency replaces the response time of API requests: fixed plus uniform random
// in [0, jitter), counted from a request's arrival to its first byte.
func (s *Sim) SetLatency(fixed, jitter time.Duration) {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	s.fixed, s.jitter = fixed, jitter
}

// ServeHTTP serves the API and the /_sim/ controls.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := s.now()
	path := r.URL.EscapedPath()
	if strings.HasPrefix(path, "/_sim/") {
		s.serveControl(w, r, path)
		return
	}
	rt, params := match(s.routes, r.Method, path)
	key := unmatchedKey
	if rt != nil {
		key = rt.key()
	}
	s.count(key)
	latency := s.drawLatency()
	if latency <= 0 {
		s.serveAPI(w, r, rt, params, key)
		return
	}
	held := &heldResponse{w: w, ctx: r.Context(), deadline: arrived.Add(latency), now: s.now, sleep: s.sleep}
	s.serveAPI(held, r, rt, params, key)
	held.send()
}

// serveAPI answers one API request: a fault, 404 for no route, or the route's handler.
func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request, rt *route, params routeParams, key string) {
	setAPIHeaders(w.Header())
	if s.injectFault(w, r, key, rt != nil) {
		return
	}
	if rt == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	}
	rc, ok := s.newRequestContext(w, r, rt, params)
	if !ok {
		return
	}
	rt.handle(s, rc)
}

// baseURL is the instance URL links point at.
func (s *Sim) baseURL(r *http.Request) string {
	if s.externalURL != "" {
		return s.externalURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// setAPIHeaders sets what every /api/v4 answer carries, errors and traces too:
// the framing and sniffing guards of lib/api/api.rb's before block, and Rails'
// default Cache-Control for a response that sets none of its own.
func setAPIHeaders(h http.Header) {
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "max-age=0, private, must-revalidate")
}
