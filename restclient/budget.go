package restclient

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// ErrCallBudget is the cause of a call refused because its operation has
// sent GitLab as many requests as its Budget allows.
var ErrCallBudget = errors.New("this operation reached its limit of GitLab calls; ask for less in one query")

// A Budget bounds what one operation of the gateway (one GraphQL request, one
// subscription poll) may take of GitLab: how many HTTP requests it may send
// in all, every retry included, and how many it may have in flight at once.
// The caller it belongs to is also bounded, across all its operations, by
// Config.MaxInFlightPerCaller, so one caller cannot hold every connection to
// GitLab while another waits. A Budget is attached to a context with
// WithBudget; calls made without one are not bounded by it.
type Budget struct {
	requestsLeft atomic.Int64
	sent         atomic.Int64
	inFlight     *semaphore.Weighted
	caller       string
}

// NewBudget returns a budget of requests HTTP requests, at most inFlight of
// them at once (no bound when inFlight is 0), for the caller named caller: a
// key that tells callers apart without holding their secrets, such as
// Credentials.Fingerprint, or the client's address for anonymous callers.
func NewBudget(requests, inFlight int, caller string) *Budget {
	b := &Budget{caller: caller}
	b.requestsLeft.Store(int64(requests))
	if inFlight > 0 {
		b.inFlight = semaphore.NewWeighted(int64(inFlight))
	}
	return b
}

// spend takes one request from the budget.
func (b *Budget) spend() bool {
	if b.requestsLeft.Add(-1) < 0 {
		return false
	}
	b.sent.Add(1)
	return true
}

// Sent counts the requests the budget paid for.
func (b *Budget) Sent() int { return int(b.sent.Load()) }

type budgetKey struct{}

// WithBudget returns a context whose calls are charged to b.
func WithBudget(ctx context.Context, b *Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

func budgetFrom(ctx context.Context) *Budget {
	b, _ := ctx.Value(budgetKey{}).(*Budget)
	return b
}

// callerSlots bounds the requests each caller has in flight. A caller's
// semaphore exists while it has a request waiting or in flight, so the map
// holds only active callers.
type callerSlots struct {
	limit int64
	mu    sync.Mutex
	slots map[string]*callerSlot
}

type callerSlot struct {
	sem   *semaphore.Weighted
	users int // requests holding or waiting for sem; guarded by callerSlots.mu
}

func newCallerSlots(limit int) *callerSlots {
	if limit <= 0 {
		return nil
	}
	return &callerSlots{limit: int64(limit), slots: map[string]*callerSlot{}}
}

// acquire waits for one of caller's slots; release gives it back.
func (c *callerSlots) acquire(ctx context.Context, caller string) (release func(), err error) {
	c.mu.Lock()
	s := c.slots[caller]
	if s == nil {
		s = &callerSlot{sem: semaphore.NewWeighted(c.limit)}
		c.slots[caller] = s
	}
	s.users++
	c.mu.Unlock()
	leave := func() {
		c.mu.Lock()
		if s.users--; s.users == 0 {
			delete(c.slots, caller)
		}
		c.mu.Unlock()
	}
	if err := s.sem.Acquire(ctx, 1); err != nil {
		leave()
		return nil, err
	}
	return func() {
		s.sem.Release(1)
		leave()
	}, nil
}

// admit charges one HTTP request to ctx's budget and waits for room to send
// it: a slot of the operation's, then one of its caller's. The returned
// release frees the slots once the exchange is over (for a stream, when it
// is closed).
func (c *Client) admit(ctx context.Context, req *request) (release func(), err *Error) {
	b := budgetFrom(ctx)
	if b == nil {
		return func() {}, nil
	}
	if !b.spend() {
		return nil, req.fail(KindCallLimit, 0, "", ErrCallBudget)
	}
	var releases []func()
	release = func() {
		for _, r := range releases {
			r()
		}
	}
	if b.inFlight != nil {
		if err := b.inFlight.Acquire(ctx, 1); err != nil {
			return nil, contextError(ctx, req, err)
		}
		releases = append(releases, func() { b.inFlight.Release(1) })
	}
	if c.callers != nil && b.caller != "" {
		free, err := c.callers.acquire(ctx, b.caller)
		if err != nil {
			release()
			return nil, contextError(ctx, req, err)
		}
		releases = append(releases, free)
	}
	return release, nil
}
