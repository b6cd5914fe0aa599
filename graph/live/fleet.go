package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"jobgraph/internal/safely"
)

// A fleet shares one poller per key among the replicas of a gateway that use
// the same Redis. Every replica with subscribers of a key listens on the
// key's channel and hands what arrives to its feed. One replica, the one
// holding the key's lease, polls GitLab and publishes what it finds there;
// it claims the lease only while it has subscribers of its own, renews it
// every third of its TTL, and lets it go when they leave or it shuts down.
// A replica with subscribers whose key has no live lease claims it, so the
// poller of a replica that dies moves within a TTL and a third.
//
// The poller publishes states marked with what they are, and log chunks with
// their byte offsets; each replica drops what its subscribers have, and asks
// (a want, on the same channel) for a snapshot of the state, or for the log
// from the lowest byte a subscriber is owed, when it has a new subscriber,
// missed events, or the key got a new poller.
type fleet struct {
	hub       *Hub
	rdb       *redis.Client
	id        string // this replica, in leases
	ttl       time.Duration
	pubsub    *redis.PubSub
	messages  <-chan any
	wake      chan struct{} // a round of the leases is due
	listening sync.Mutex    // orders a channel's SUBSCRIBE and UNSUBSCRIBE
	wg        sync.WaitGroup

	leases map[*feed]*lease // the keeper's own
}

// lease is a key this replica holds, with the poller it runs for it.
type lease struct {
	poller   *poller
	finished time.Time // when the poller stopped by itself (the object is final, or polls failed for good)
}

// redisTimeout bounds one Redis call: a slow Redis delays updates, it does
// not hold up a poller or a subscriber for long.
const redisTimeout = 2 * time.Second

// inboxSize is how many events wait for a feed whose subscribers are slow.
const inboxSize = 256

// The key names in Redis: every name ends with the kind, project, object
// and caller of its key (a hash of the token, never the token).
const (
	channelPrefix = "jobgraph:live:events:"
	leasePrefix   = "jobgraph:live:lease:"
)

var kindNames = map[Kind]string{KindJob: "job", KindPipeline: "pipeline", KindJobLog: "log"}

func keyName(k Key) string {
	return kindNames[k.Kind] + ":" + strconv.FormatInt(k.Project, 10) + ":" + strconv.FormatInt(k.ID, 10) + ":" + k.Caller
}

func channelName(k Key) string { return channelPrefix + keyName(k) }
func leaseName(k Key) string   { return leasePrefix + keyName(k) }

// claim takes a free lease or renews this replica's: 1 when it holds it.
var claim = redis.NewScript(`
local holder = redis.call("GET", KEYS[1])
if holder == ARGV[1] then
	redis.call("PEXPIRE", KEYS[1], ARGV[2])
	return 1
end
if holder then
	return 0
end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return 1`)

// release lets go of this replica's lease, and of nobody else's.
var release = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

func newFleet(h *Hub, rdb *redis.Client, ttl time.Duration) *fleet {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	fl := &fleet{
		hub: h, rdb: rdb, id: hex.EncodeToString(id), ttl: ttl,
		pubsub: rdb.Subscribe(context.Background()),
		wake:   make(chan struct{}, 1),
		leases: map[*feed]*lease{},
	}
	fl.messages = fl.pubsub.ChannelWithSubscriptions(redis.WithChannelSize(1024))
	fl.wg.Add(1)
	go func() {
		defer fl.wg.Done()
		_ = safely.Run(h.ctx, fl.dispatch)
	}()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		_ = safely.Run(h.ctx, fl.keep)
	}()
	return fl
}

// close stops listening, once the Hub's feeds and pollers have stopped.
func (fl *fleet) close() {
	_ = fl.pubsub.Close()
	fl.wg.Wait()
}

// kick brings the next round of the leases forward.
func (fl *fleet) kick() {
	select {
	case fl.wake <- struct{}{}:
	default:
	}
}

// dispatch hands what arrives on the channels to the feeds; a (re)subscribed
// channel's feed says what it wants, as it may have missed events.
func (fl *fleet) dispatch() error {
	for msg := range fl.messages {
		switch m := msg.(type) {
		case *redis.Subscription:
			if f := fl.hub.feedOn(m.Channel); f != nil && m.Kind == "subscribe" {
				f.requestAnnounce()
			}
		case *redis.Message:
			if f := fl.hub.feedOn(m.Channel); f != nil {
				f.enqueue(m.Payload)
			}
		}
	}
	return nil
}

// follow runs f's goroutine: it listens on the key's channel and hands the
// events to f, until f ends.
func (fl *fleet) follow(f *feed) {
	defer fl.hub.wg.Done()
	err := safely.Run(f.ctx, func() error { return fl.serve(f) })
	if err == nil {
		err = f.ctx.Err()
	}
	fl.hub.end(f, err)
	fl.forget(f)
}

func (fl *fleet) serve(f *feed) error {
	if err := fl.listen(f); err != nil {
		return err
	}
	for {
		select {
		case <-f.ctx.Done():
			return nil
		case payload := <-f.inbox:
			var ev event
			if err := json.Unmarshal([]byte(payload), &ev); err != nil {
				slog.WarnContext(f.ctx, "live: an update from Redis is not one", "error", err)
				continue
			}
			fl.receive(f, &ev)
		case <-f.announce:
			fl.announce(f)
		}
		if f.dropped.Swap(false) {
			fl.announce(f)
		}
	}
}

func (fl *fleet) receive(f *feed, ev *event) {
	switch {
	case ev.Want != nil:
		p := fl.hub.pollerOf(f)
		switch {
		case p == nil:
		case f.key.Kind == KindJobLog:
			p.want(*ev.Want)
		default:
			p.askSnapshot()
		}
	case ev.Held:
		if f.key.Kind == KindJobLog {
			fl.announce(f)
		}
	case ev.Released:
		fl.kick()
	default:
		f.handle(f.ctx, ev)
	}
}

// announce asks the key's poller for what f's subscribers need: the state,
// or the log from the lowest byte one of them is owed.
func (fl *fleet) announce(f *feed) {
	want := int64(0)
	if f.key.Kind == KindJobLog {
		fl.hub.mu.Lock()
		want = f.lowestNextLocked()
		fl.hub.mu.Unlock()
		if want == noWant {
			return
		}
	}
	f.asked = want
	fl.sendWant(f, want)
}

// ask asks for the log from byte from, once per gap: chunks keep arriving
// until the poller's answer does.
func (fl *fleet) ask(f *feed, from int64) {
	if from == f.asked {
		return
	}
	f.asked = from
	fl.sendWant(f, from)
}

func (fl *fleet) sendWant(f *feed, from int64) {
	if err := fl.publish(f.ctx, f.key, &event{Want: &from}); err != nil && f.ctx.Err() == nil {
		slog.WarnContext(f.ctx, "live: a request for updates did not reach Redis", "error", err)
	}
}

func (fl *fleet) publish(ctx context.Context, key Key, ev *event) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding an update: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	if err := fl.rdb.Publish(ctx, channelName(key), payload).Err(); err != nil {
		return fmt.Errorf("publishing on %s: %w", channelName(key), err)
	}
	return nil
}

func (fl *fleet) listen(f *feed) error {
	fl.listening.Lock()
	defer fl.listening.Unlock()
	ctx, cancel := context.WithTimeout(f.ctx, redisTimeout)
	defer cancel()
	if err := fl.pubsub.Subscribe(ctx, channelName(f.key)); err != nil {
		return fmt.Errorf("following updates through Redis: %w", err)
	}
	return nil
}

// forget stops listening on f's channel, unless a newer feed of the key
// listens on it (or the Hub closes, which stops all listening).
func (fl *fleet) forget(f *feed) {
	fl.listening.Lock()
	defer fl.listening.Unlock()
	if fl.hub.ctx.Err() != nil || fl.hub.feedOn(channelName(f.key)) != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisTimeout)
	defer cancel()
	_ = fl.pubsub.Unsubscribe(ctx, channelName(f.key))
}

// keep claims and renews the leases of the feeds, every third of the TTL and
// whenever a feed starts or stops, and lets them all go when the Hub closes.
func (fl *fleet) keep() error {
	t := time.NewTicker(fl.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-fl.hub.ctx.Done():
			fl.releaseAll()
			return nil
		case <-t.C:
		case <-fl.wake:
		}
		fl.round()
	}
}

// round claims a lease for each feed, which renews those this replica
// holds, and lets go of those whose feed ended. A poller that stopped by
// itself has published the end; its lease goes a third of a TTL later,
// once every replica has had the end, so that none polls the object again.
func (fl *fleet) round() {
	feeds := fl.hub.liveFeeds()
	now := time.Now()
	var claims, releases []*feed
	for f, l := range fl.leases {
		switch {
		case !feeds[f]:
			releases = append(releases, f)
		case !l.poller.stopped():
			claims = append(claims, f)
		case l.finished.IsZero():
			l.finished = now
		case now.Sub(l.finished) >= fl.ttl/3:
			releases = append(releases, f)
		}
	}
	for f := range feeds {
		if fl.leases[f] == nil {
			claims = append(claims, f)
		}
	}
	if len(claims)+len(releases) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(fl.hub.ctx, redisTimeout)
	defer cancel()
	pipe := fl.rdb.Pipeline()
	claimed := make([]*redis.Cmd, len(claims))
	for i, f := range claims {
		claimed[i] = claim.Eval(ctx, pipe, []string{leaseName(f.key)}, fl.id, fl.ttl.Milliseconds())
	}
	for _, f := range releases {
		release.Eval(ctx, pipe, []string{leaseName(f.key)}, fl.id)
	}
	if _, err := pipe.Exec(ctx); err != nil && ctx.Err() == nil {
		slog.WarnContext(ctx, "live: claiming the pollers' leases in Redis", "error", err)
	}
	for _, f := range releases {
		fl.let(f)
		_ = fl.publish(ctx, f.key, &event{Released: true})
	}
	for i, f := range claims {
		held, _ := claimed[i].Int()
		switch l := fl.leases[f]; {
		case l != nil && held != 1:
			fl.let(f)
		case l == nil && held == 1:
			fl.poll(ctx, f)
		}
	}
}

// poll starts polling for f, whose lease this replica now holds, and tells
// the other replicas.
func (fl *fleet) poll(ctx context.Context, f *feed) {
	fl.hub.mu.Lock()
	if fl.hub.feeds[f.key] != f {
		fl.hub.mu.Unlock()
		_ = release.Run(ctx, fl.rdb, []string{leaseName(f.key)}, fl.id).Err() // f ended meanwhile
		return
	}
	p := fl.hub.startPollerLocked(f)
	fl.hub.mu.Unlock()
	fl.leases[f] = &lease{poller: p}
	_ = fl.publish(ctx, f.key, &event{Held: true})
}

// let stops the poller of a lease this replica no longer holds.
func (fl *fleet) let(f *feed) {
	if l := fl.leases[f]; l != nil {
		l.poller.cancel()
		delete(fl.leases, f)
	}
}

// releaseAll lets go of every lease at shutdown, so that the other replicas
// take over at once rather than when the leases expire.
func (fl *fleet) releaseAll() {
	ctx, cancel := context.WithTimeout(context.Background(), redisTimeout)
	defer cancel()
	for f := range fl.leases {
		if release.Run(ctx, fl.rdb, []string{leaseName(f.key)}, fl.id).Err() == nil {
			_ = fl.publish(ctx, f.key, &event{Released: true})
		}
		fl.let(f)
	}
}

// feedOn returns the feed listening on a channel, or nil.
func (h *Hub) feedOn(channel string) *feed {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.channels[channel]
}

// liveFeeds returns the feeds that have subscribers now.
func (h *Hub) liveFeeds() map[*feed]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[*feed]bool, len(h.feeds))
	for _, f := range h.feeds {
		out[f] = true
	}
	return out
}

// stopped reports whether the poller has stopped.
func (p *poller) stopped() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}
