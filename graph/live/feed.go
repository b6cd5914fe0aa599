package live

import (
	"context"
	"math"
	"sync/atomic"

	"jobgraph/restclient"
)

// noWant is a log offset nobody asked for.
const noWant = math.MaxInt64

// feed is one key's subscriptions in this process: its subscribers, the
// newest state for the next one, and, while this process polls the key, the
// poller. Alone, the poller hands its events to the feed; in a fleet, events
// reach the feed through Redis from whichever replica polls.
type feed struct {
	hub    *Hub
	key    Key
	creds  *restclient.Credentials // the first subscriber's; a key's subscribers share a token
	ctx    context.Context         // ends with the feed
	cancel context.CancelFunc

	subs   map[*Subscription]struct{} // guarded by hub.mu
	last   *Update                    // the newest state, for a new subscriber; guarded by hub.mu
	mark   string                     // what last is; guarded by hub.mu
	poller *poller                    // polls for the feed while this process does; guarded by hub.mu

	// In a fleet only.
	inbox    chan string   // events from Redis, for the feed's goroutine
	dropped  atomic.Bool   // the inbox overflowed: events were lost
	announce chan struct{} // the feed should say what it wants
	asked    int64         // the log byte last asked for; the feed goroutine's own
}

// handle passes a poller's event to the feed's subscribers. Log bytes wait
// for each subscriber, until ctx ends.
func (f *feed) handle(ctx context.Context, ev *event) {
	switch {
	case ev.Job != nil || ev.Pipeline != nil:
		f.hub.offer(f, ev)
	case ev.Chunk != nil:
		f.deliver(ctx, *ev.Chunk)
	case ev.End != nil:
		f.ended(*ev.End)
	}
}

// deliver hands each subscriber the bytes of c it does not have yet. A
// subscriber owed bytes before c (it joined late, or a chunk was lost
// between replicas) gets nothing from c and the poller is asked to send the
// log again from there, so no subscriber sees a gap or a byte twice.
func (f *feed) deliver(ctx context.Context, c Chunk) {
	behind := int64(noWant)
	for _, s := range f.hub.subscribers(f) {
		next := s.next.Load()
		switch {
		case next >= c.To:
		case next < c.From:
			behind = min(behind, next)
		case s.deliver(ctx, Update{Chunk: Chunk{From: next, To: c.To, Data: c.Data[next-c.From:]}}):
			s.next.Store(c.To)
		}
	}
	if behind != noWant {
		f.ask(behind)
	}
}

// ended ends the subscriptions that are complete; a log subscriber still
// owed bytes stays, and the log is asked for again.
func (f *feed) ended(e ending) {
	if e.Err != nil {
		f.hub.end(f, e.Err)
		return
	}
	if behind := f.hub.finish(f, e.LogSize); behind != noWant {
		f.ask(behind)
	}
}

// ask asks the key's poller for the log from byte from on.
func (f *feed) ask(from int64) {
	if fl := f.hub.fleet; fl != nil {
		fl.ask(f, from)
		return
	}
	if p := f.hub.pollerOf(f); p != nil {
		p.want(from)
	}
}

// joinedLocked tells the poller of a new subscriber from byte fromByte;
// the caller holds hub.mu.
func (f *feed) joinedLocked(fromByte int64) {
	if f.hub.fleet != nil {
		if f.key.Kind == KindJobLog || f.last == nil {
			f.requestAnnounce()
		}
		return
	}
	switch {
	case f.poller == nil:
	case f.key.Kind == KindJobLog:
		f.poller.want(fromByte)
	default:
		f.poller.kick()
	}
}

// lowestNextLocked is the lowest log byte a subscriber is owed, or noWant;
// the caller holds hub.mu.
func (f *feed) lowestNextLocked() int64 {
	lowest := int64(noWant)
	if f.key.Kind != KindJobLog {
		return lowest
	}
	for s := range f.subs {
		lowest = min(lowest, s.next.Load())
	}
	return lowest
}

func (f *feed) requestAnnounce() {
	select {
	case f.announce <- struct{}{}:
	default:
	}
}

// enqueue hands an event from Redis to the feed's goroutine without waiting:
// a slow subscriber of one key must not hold up the others. What overflows
// is lost and asked for again.
func (f *feed) enqueue(payload string) {
	select {
	case f.inbox <- payload:
	default:
		f.dropped.Store(true)
	}
}
