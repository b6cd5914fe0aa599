// Package live polls GitLab for the objects that subscriptions follow. GitLab's
// REST API has no push, so every live update costs polls; the Hub keeps that
// cost to one poller per (caller, object), however many subscriptions share
// it, paces each poller by its object's activity, and bounds all pollers
// together by a poll budget. It knows nothing of GraphQL: it hands out
// GitLab's objects and log bytes, and restclient's typed errors.
package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"jobgraph/restclient"
)

// Config tunes the Hub; a zero field takes its default.
type Config struct {
	// FastInterval is the wait between polls while an object is active: a job
	// runs, a pipeline runs, a log grows, or the last poll saw a change.
	FastInterval time.Duration
	// SlowInterval caps the wait, reached by doubling it while an object stays
	// quiet (a job waits in a queue, a log does not grow).
	SlowInterval time.Duration
	// PollBudget is how many GitLab requests per second all pollers together
	// may start; a poll waits its turn.
	PollBudget float64
	// MaxSubscriptions bounds the subscriptions the Hub serves at once.
	MaxSubscriptions int
	// GiveUpAfter is how long a poller retries failing polls, with backoff,
	// before its subscriptions end with the last failure.
	GiveUpAfter time.Duration
	// MaxRetries is restclient's retries of one call (Config.MaxRetries), so
	// that a poll's budget holds its calls' retries.
	MaxRetries int
	// MaxChunkBytes bounds the log bytes of one update.
	MaxChunkBytes int
}

// Defaults of Config.
const (
	DefaultFastInterval     = time.Second
	DefaultSlowInterval     = 30 * time.Second
	DefaultPollBudget       = 50
	DefaultMaxSubscriptions = 10000
	DefaultGiveUpAfter      = 2 * time.Minute
	DefaultMaxChunkBytes    = 64 << 10
)

func (c Config) withDefaults() Config {
	if c.FastInterval <= 0 {
		c.FastInterval = DefaultFastInterval
	}
	if c.SlowInterval < c.FastInterval {
		c.SlowInterval = max(DefaultSlowInterval, c.FastInterval)
	}
	if c.PollBudget <= 0 {
		c.PollBudget = DefaultPollBudget
	}
	if c.MaxSubscriptions <= 0 {
		c.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if c.GiveUpAfter <= 0 {
		c.GiveUpAfter = DefaultGiveUpAfter
	}
	if c.MaxChunkBytes <= 0 {
		c.MaxChunkBytes = DefaultMaxChunkBytes
	}
	return c
}

// ErrShutdown ends the subscriptions of a Hub that was closed.
var ErrShutdown = errors.New("the gateway is shutting down")

// LimitError refuses a subscription past the Hub's bound.
type LimitError struct{ Limit int }

func (e *LimitError) Error() string {
	return fmt.Sprintf("the gateway serves at most %d subscriptions at once; try again later", e.Limit)
}

// Kind is what a poller follows.
type Kind int

// The objects subscriptions follow.
const (
	KindJob Kind = iota + 1
	KindPipeline
	KindJobLog
)

// Key names a poller: subscriptions with equal keys share one. Caller tells
// apart callers who may see different things (a hash of the token, never the
// token), so nothing polled with one token reaches another.
type Key struct {
	Caller  string
	Kind    Kind
	Project int64
	ID      int64
}

// Hub runs the pollers of every subscription of a gateway.
type Hub struct {
	client  *restclient.Client
	cfg     Config
	limiter *rate.Limiter
	ctx     context.Context // ends at Close
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu            sync.Mutex
	pollers       map[Key]*poller
	subscriptions int
	stats         Stats
}

// Stats counts what the Hub did; the counters only grow, except Pollers and
// Subscriptions, which say what runs now.
type Stats struct {
	Pollers        int              // running now
	Subscriptions  int              // served now
	PollersStarted int              // since the Hub started
	Polls          int              // polls made
	Calls          map[string]int64 // GitLab requests by route template (restclient.Route…), retries not counted
}

// NewHub returns a Hub that polls GitLab through client.
func NewHub(client *restclient.Client, cfg Config) *Hub {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Hub{
		client:  client,
		cfg:     cfg,
		limiter: rate.NewLimiter(rate.Limit(cfg.PollBudget), max(2, int(cfg.PollBudget))),
		ctx:     ctx,
		cancel:  cancel,
		pollers: map[Key]*poller{},
		stats:   Stats{Calls: map[string]int64{}},
	}
}

// Closed ends when the Hub is closed, for what must end with it.
func (h *Hub) Closed() context.Context { return h.ctx }

// Close stops every poller and waits for them; their subscriptions end with
// ErrShutdown.
func (h *Hub) Close() {
	h.cancel()
	h.wg.Wait()
}

// Stats returns the Hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.stats
	s.Pollers, s.Subscriptions = len(h.pollers), h.subscriptions
	s.Calls = make(map[string]int64, len(h.stats.Calls))
	for route, n := range h.stats.Calls {
		s.Calls[route] = n
	}
	return s
}

// Subscribe follows the object key names, polling with creds (none for an
// anonymous caller). fromByte is where a log subscription starts. The
// Subscription must be closed.
func (h *Hub) Subscribe(key Key, creds *restclient.Credentials, fromByte int64) (*Subscription, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ctx.Err() != nil {
		return nil, ErrShutdown
	}
	if h.subscriptions >= h.cfg.MaxSubscriptions {
		return nil, &LimitError{Limit: h.cfg.MaxSubscriptions}
	}
	p := h.pollers[key]
	if p == nil {
		p = h.startPoller(key, creds)
	}
	s := &Subscription{
		updates: make(chan Update, updateBuffer(key.Kind)),
		left:    make(chan struct{}),
		next:    fromByte,
		hub:     h,
		poller:  p,
	}
	// The newest state goes to s before the poller can see s, so that only
	// one goroutine ever sends to it at a time.
	if last := p.last; last != nil {
		s.offer(*last)
	}
	p.subs[s] = struct{}{}
	p.fresh = true
	h.subscriptions++
	p.kick()
	return s, nil
}

// updateBuffer is how many updates wait for a slow subscriber: the newest
// state replaces an unread one, while log chunks are all owed.
func updateBuffer(k Kind) int {
	if k == KindJobLog {
		return 4
	}
	return 1
}

func (h *Hub) startPoller(key Key, creds *restclient.Credentials) *poller {
	ctx, cancel := context.WithCancel(h.ctx)
	if creds != nil {
		ctx = restclient.WithCredentials(ctx, *creds)
	}
	p := &poller{hub: h, key: key, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), subs: map[*Subscription]struct{}{}}
	p.sched = newSchedule(h.cfg)
	h.pollers[key] = p
	h.stats.PollersStarted++
	h.wg.Add(1)
	go p.run()
	return p
}

// leave removes s; a poller whose last subscriber left stops.
func (h *Hub) leave(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := s.poller
	if _, ok := p.subs[s]; !ok {
		return
	}
	delete(p.subs, s)
	h.subscriptions--
	if len(p.subs) == 0 && h.pollers[p.key] == p {
		delete(h.pollers, p.key)
		p.cancel()
	}
}

// end ends every subscription of p with err (nil: the object is final).
func (h *Hub) end(p *poller, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pollers[p.key] == p {
		delete(h.pollers, p.key)
	}
	if h.ctx.Err() != nil {
		err = ErrShutdown
	}
	for s := range p.subs {
		s.err = err
		close(s.updates)
		delete(p.subs, s)
		h.subscriptions--
	}
	p.cancel()
}

func (h *Hub) countPoll() {
	h.mu.Lock()
	h.stats.Polls++
	h.mu.Unlock()
}

func (h *Hub) counted(route string) {
	h.mu.Lock()
	h.stats.Calls[route]++
	h.mu.Unlock()
}

// subscribers returns p's subscribers now, after recording last, when set,
// as the state a new subscriber starts from.
func (h *Hub) subscribers(p *poller, last *Update) []*Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	if last != nil {
		p.last = last
	}
	return h.subscribersLocked(p)
}

// logReaders returns p's subscribers now, and whether one joined since the
// last call.
func (h *Hub) logReaders(p *poller) (subs []*Subscription, fresh bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fresh, p.fresh = p.fresh, false
	return h.subscribersLocked(p), fresh
}

func (h *Hub) subscribersLocked(p *poller) []*Subscription {
	out := make([]*Subscription, 0, len(p.subs))
	for s := range p.subs {
		out = append(out, s)
	}
	return out
}

// Update is what a subscription receives: the object now, or log bytes.
type Update struct {
	Job      *restclient.Job
	Pipeline *restclient.Pipeline
	Chunk    Chunk
}

// Chunk is log bytes [From, To) of a job's log.
type Chunk struct {
	From, To int64
	Data     []byte
}

// Subscription is one subscriber's share of a poller.
type Subscription struct {
	updates chan Update
	left    chan struct{}
	once    sync.Once
	err     error // set before updates is closed
	next    int64 // the log byte owed next; the poller's alone
	hub     *Hub
	poller  *poller
}

// Updates delivers the updates; it is closed when the subscription ends, and
// then Err says why.
func (s *Subscription) Updates() <-chan Update { return s.updates }

// Err is nil when the object reached its final state (and a log was sent
// whole), otherwise why the subscription ended. Valid once Updates is closed.
func (s *Subscription) Err() error { return s.err }

// Close leaves the poller, which stops with its last subscriber.
func (s *Subscription) Close() {
	s.once.Do(func() {
		close(s.left)
		s.hub.leave(s)
	})
}

// offer hands over the newest state, replacing one the subscriber has not
// read: a dashboard wants the job as it is, not every state it went through.
// Only the poller sends, so after the drain there is room.
func (s *Subscription) offer(u Update) {
	select {
	case s.updates <- u:
	default:
		select {
		case <-s.updates:
		default:
		}
		s.updates <- u
	}
}

// deliver hands over log bytes, waiting for the subscriber; it reports false
// when the subscriber left or the poller stops.
func (s *Subscription) deliver(ctx context.Context, u Update) bool {
	select {
	case s.updates <- u:
		return true
	case <-s.left:
		return false
	case <-ctx.Done():
		return false
	}
}
