// Package live polls GitLab for the objects that subscriptions follow. GitLab's
// REST API has no push, so every live update costs polls; the Hub keeps that
// cost to one poller per (caller, object), however many subscriptions share
// it, paces each poller by its object's activity, and bounds all pollers
// together by a poll budget. With Redis, the replicas of a fleet share the
// pollers: one replica polls a key and publishes what it finds to the others
// (fleet.go). It knows nothing of GraphQL: it hands out GitLab's objects and
// log bytes, and restclient's typed errors.
package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
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
	// Redis, when set, shares the pollers with every replica using the same
	// Redis; nil, the Hub works alone.
	Redis *redis.Client
	// LeaseTTL is how long a replica's claim on a key's poller lasts
	// unrenewed: a replica that dies without a word is replaced after at
	// most LeaseTTL and a third.
	LeaseTTL time.Duration
}

// Defaults of Config.
const (
	DefaultFastInterval     = time.Second
	DefaultSlowInterval     = 30 * time.Second
	DefaultPollBudget       = 50
	DefaultMaxSubscriptions = 10000
	DefaultGiveUpAfter      = 2 * time.Minute
	DefaultMaxChunkBytes    = 64 << 10
	DefaultLeaseTTL         = 3 * time.Second
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
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = DefaultLeaseTTL
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

// Hub runs the subscriptions of a gateway: a feed per key subscribed to
// here, and the pollers of the keys this process polls.
type Hub struct {
	client  *restclient.Client
	cfg     Config
	limiter *rate.Limiter
	fleet   *fleet          // nil when the Hub works alone
	ctx     context.Context // ends at Close
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu            sync.Mutex
	feeds         map[Key]*feed
	channels      map[string]*feed // in a fleet: the feeds by their Redis channel
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
	h := &Hub{
		client:   client,
		cfg:      cfg,
		limiter:  rate.NewLimiter(rate.Limit(cfg.PollBudget), max(2, int(cfg.PollBudget))),
		ctx:      ctx,
		cancel:   cancel,
		feeds:    map[Key]*feed{},
		channels: map[string]*feed{},
		stats:    Stats{Calls: map[string]int64{}},
	}
	if cfg.Redis != nil {
		h.fleet = newFleet(h, cfg.Redis, cfg.LeaseTTL)
	}
	return h
}

// Closed ends when the Hub is closed, for what must end with it.
func (h *Hub) Closed() context.Context { return h.ctx }

// Close stops every poller and waits for them; their subscriptions end with
// ErrShutdown. In a fleet, the keys this process polled are let go at once,
// for other replicas to take over.
func (h *Hub) Close() {
	h.cancel()
	h.wg.Wait()
	if h.fleet != nil {
		h.fleet.close()
	}
}

// Stats returns the Hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.stats
	s.Pollers, s.Subscriptions = 0, h.subscriptions
	for _, f := range h.feeds {
		if f.poller != nil {
			s.Pollers++
		}
	}
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
	f := h.feeds[key]
	fresh := f == nil
	if fresh {
		f = h.newFeedLocked(key, creds)
	}
	s := &Subscription{
		updates: make(chan Update, updateBuffer(key.Kind)),
		left:    make(chan struct{}),
		hub:     h,
		feed:    f,
	}
	s.next.Store(fromByte)
	// The newest state goes to s before the feed can see s, so that only
	// one goroutine ever sends to it at a time.
	if last := f.last; last != nil {
		s.offer(*last)
	}
	f.subs[s] = struct{}{}
	h.subscriptions++
	if fresh {
		h.startFeedLocked(f)
	}
	f.joinedLocked(fromByte)
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

func (h *Hub) newFeedLocked(key Key, creds *restclient.Credentials) *feed {
	ctx, cancel := context.WithCancel(h.ctx)
	f := &feed{hub: h, key: key, creds: creds, ctx: ctx, cancel: cancel, subs: map[*Subscription]struct{}{}, asked: noWant}
	h.feeds[key] = f
	if h.fleet != nil {
		f.inbox, f.announce = make(chan string, inboxSize), make(chan struct{}, 1)
		h.channels[channelName(key)] = f
	}
	return f
}

// startFeedLocked starts what feeds f: alone, its poller; in a fleet, the
// goroutine that receives the key's events, and a claim on its poller.
func (h *Hub) startFeedLocked(f *feed) {
	if h.fleet == nil {
		h.startPollerLocked(f)
		return
	}
	h.wg.Add(1)
	go h.fleet.follow(f)
	h.fleet.kick()
}

func (h *Hub) startPollerLocked(f *feed) *poller {
	p := newPoller(f)
	f.poller = p
	h.stats.PollersStarted++
	h.wg.Add(1)
	go p.run()
	return p
}

// leave removes s; a feed whose last subscriber left stops.
func (h *Hub) leave(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := s.feed
	if _, ok := f.subs[s]; !ok {
		return
	}
	delete(f.subs, s)
	h.subscriptions--
	if len(f.subs) == 0 {
		h.dropLocked(f)
	}
}

// dropLocked forgets f and stops its poller; in a fleet, the claim on the
// key is let go.
func (h *Hub) dropLocked(f *feed) {
	if h.feeds[f.key] == f {
		delete(h.feeds, f.key)
	}
	if ch := channelName(f.key); h.channels[ch] == f {
		delete(h.channels, ch)
	}
	f.cancel()
	if h.fleet != nil {
		h.fleet.kick()
	}
}

// end ends every subscription of f with err (nil: the object is final).
func (h *Hub) end(f *feed, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ctx.Err() != nil {
		err = ErrShutdown
	}
	for s := range f.subs {
		s.err = err
		close(s.updates)
		delete(f.subs, s)
		h.subscriptions--
	}
	h.dropLocked(f)
}

// finish ends, complete, the subscriptions of f that have the object's
// final state: for a log, its logSize bytes. It returns the lowest byte
// still owed to the others, or noWant; alone, a poller starts again for them.
func (h *Hub) finish(f *feed, logSize int64) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	behind := int64(noWant)
	for s := range f.subs {
		if next := s.next.Load(); f.key.Kind == KindJobLog && next < logSize {
			behind = min(behind, next)
			continue
		}
		close(s.updates)
		delete(f.subs, s)
		h.subscriptions--
	}
	switch {
	case len(f.subs) == 0:
		h.dropLocked(f)
	case h.fleet == nil:
		h.startPollerLocked(f)
	default:
		h.fleet.kick()
	}
	return behind
}

// offer hands a new state to every subscriber of f, and keeps it for new
// ones; a state they have already is dropped.
func (h *Hub) offer(f *feed, ev *event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ev.Mark == f.mark {
		return
	}
	u := Update{Job: ev.Job, Pipeline: ev.Pipeline}
	f.last, f.mark = &u, ev.Mark
	for s := range f.subs {
		s.offer(u)
	}
}

func (h *Hub) subscribers(f *feed) []*Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*Subscription, 0, len(f.subs))
	for s := range f.subs {
		out = append(out, s)
	}
	return out
}

func (h *Hub) pollerOf(f *feed) *poller {
	h.mu.Lock()
	defer h.mu.Unlock()
	return f.poller
}

// stopped clears p from its feed, unless another poller took its place.
func (h *Hub) stopped(p *poller) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p.feed.poller == p {
		p.feed.poller = nil
	}
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

// Update is what a subscription receives: the object now, or log bytes.
type Update struct {
	Job      *restclient.Job
	Pipeline *restclient.Pipeline
	Chunk    Chunk
}

// Chunk is log bytes [From, To) of a job's log.
type Chunk struct {
	From int64  `json:"from"`
	To   int64  `json:"to"`
	Data []byte `json:"data"`
}

// Subscription is one subscriber's share of a feed.
type Subscription struct {
	updates chan Update
	left    chan struct{}
	once    sync.Once
	err     error        // set before updates is closed
	next    atomic.Int64 // the log byte owed next; written by whoever hands the feed its events
	hub     *Hub
	feed    *feed
}

// Updates delivers the updates; it is closed when the subscription ends, and
// then Err says why.
func (s *Subscription) Updates() <-chan Update { return s.updates }

// Err is nil when the object reached its final state (and a log was sent
// whole), otherwise why the subscription ended. Valid once Updates is closed.
func (s *Subscription) Err() error { return s.err }

// Close leaves the feed, which stops with its last subscriber.
func (s *Subscription) Close() {
	s.once.Do(func() {
		close(s.left)
		s.hub.leave(s)
	})
}

// offer hands over the newest state, replacing one the subscriber has not
// read: a dashboard wants the job as it is, not every state it went through.
// Only one goroutine sends at a time (under hub.mu), so after the drain there
// is room.
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
// when the subscriber left or ctx ends.
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
