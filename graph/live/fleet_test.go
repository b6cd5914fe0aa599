package live

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"jobgraph/gitlabsim"
	"jobgraph/internal/redistest"
	"jobgraph/internal/safely"
	"jobgraph/restclient"
)

// world is gitlabsim with its clock running and a Redis, for replicas to
// share.
type world struct {
	t        *testing.T
	sim      *gitlabsim.Sim
	upstream *httptest.Server
	redisURL string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	redisURL := redistest.Start(t)
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1, LiveClock: true})
	upstream := httptest.NewServer(sim)
	t.Cleanup(func() { upstream.Close(); sim.Close() })
	return &world{t: t, sim: sim, upstream: upstream, redisURL: redisURL}
}

// replica is one gateway process: its own GitLab client, Redis client and
// Hub.
type replica struct {
	hub    *Hub
	redis  *redis.Client
	closed bool
}

func (w *world) replica(ttl time.Duration) *replica {
	w.t.Helper()
	client, err := restclient.New(restclient.Config{BaseURL: w.upstream.URL})
	if err != nil {
		w.t.Fatal(err)
	}
	opts, err := redis.ParseURL(w.redisURL)
	if err != nil {
		w.t.Fatal(err)
	}
	r := &replica{redis: redis.NewClient(opts)}
	r.hub = NewHub(client, Config{FastInterval: 100 * time.Millisecond, SlowInterval: time.Second, LeaseTTL: ttl, Redis: r.redis})
	w.t.Cleanup(r.close)
	return r
}

// close shuts the replica down as a gateway does: its pollers' leases go at
// once.
func (r *replica) close() {
	if !r.closed {
		r.closed = true
		r.hub.Close()
		_ = r.redis.Close()
	}
}

// die stops the replica without a word to Redis, as a killed process
// does: its leases stay until they expire.
func (r *replica) die() {
	r.closed = true
	_ = r.redis.Close()
	r.hub.Close()
}

func (w *world) cancelJob(id int64) {
	w.t.Helper()
	client, err := restclient.New(restclient.Config{BaseURL: w.upstream.URL})
	if err != nil {
		w.t.Fatal(err)
	}
	ctx := restclient.WithCredentials(context.Background(), maintainer)
	if _, _, err := client.CancelJob(ctx, strconv.FormatInt(gitlabsim.ProjectDemo, 10), id, false); err != nil {
		w.t.Fatal(err)
	}
}

// trace is the job's whole log, as GitLab serves it.
func (w *world) trace(id int64) []byte {
	w.t.Helper()
	client, err := restclient.New(restclient.Config{BaseURL: w.upstream.URL})
	if err != nil {
		w.t.Fatal(err)
	}
	stream, _, err := client.GetJobLog(restclient.WithCredentials(context.Background(), maintainer), strconv.FormatInt(gitlabsim.ProjectDemo, 10), id)
	if err != nil {
		w.t.Fatal(err)
	}
	defer stream.Close()
	log, err := io.ReadAll(stream)
	if err != nil {
		w.t.Fatal(err)
	}
	return log
}

var (
	maintainer = restclient.Credentials{Kind: restclient.PrivateToken, Token: gitlabsim.TokenMaintainer}
	developer  = restclient.Credentials{Kind: restclient.PrivateToken, Token: gitlabsim.TokenDeveloper}
)

func keyOf(creds restclient.Credentials, kind Kind, job int64) Key {
	return Key{Caller: "token:" + creds.Fingerprint(), Kind: kind, Project: gitlabsim.ProjectDemo, ID: job}
}

// watcher reads a subscription to its end: the statuses it went through,
// or the log its chunks make, each starting where the one before ended.
type watcher struct {
	sub  *Subscription
	from int64
	done chan struct{}

	mu       sync.Mutex
	statuses []restclient.JobStatus
	log      bytes.Buffer
	misfits  []Chunk // chunks that did not start where the log so far ended
}

func watch(t *testing.T, r *replica, key Key, creds restclient.Credentials, fromByte int64) *watcher {
	t.Helper()
	sub, err := r.hub.Subscribe(key, &creds, fromByte)
	if err != nil {
		t.Fatal(err)
	}
	w := &watcher{sub: sub, from: fromByte, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		_ = safely.Run(context.Background(), func() error {
			for u := range sub.Updates() {
				w.mu.Lock()
				switch {
				case u.Job != nil:
					if n := len(w.statuses); n == 0 || w.statuses[n-1] != u.Job.Status {
						w.statuses = append(w.statuses, u.Job.Status)
					}
				case u.Chunk.From != fromByte+int64(w.log.Len()):
					w.misfits = append(w.misfits, Chunk{From: u.Chunk.From, To: u.Chunk.To})
				default:
					w.log.Write(u.Chunk.Data)
				}
				w.mu.Unlock()
			}
			return nil
		})
	}()
	t.Cleanup(sub.Close)
	return w
}

func (w *watcher) saw(status restclient.JobStatus) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.statuses {
		if s == status {
			return true
		}
	}
	return false
}

func (w *watcher) logBytes() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.Len()
}

// end waits for the subscription to end and returns why.
func (w *watcher) end(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case <-w.done:
		return w.sub.Err()
	case <-time.After(within):
		t.Fatalf("the subscription did not end within %s", within)
		return nil
	}
}

// expectStatuses checks that a job subscription went through want in
// order, each once, and nothing else.
func (w *watcher) expectStatuses(t *testing.T, name string, want ...restclient.JobStatus) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !equalStatuses(w.statuses, want) {
		t.Errorf("%s went through %v, want %v", name, w.statuses, want)
	}
}

func equalStatuses(got, want []restclient.JobStatus) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
	}
}

func started(rs ...*replica) (n int) {
	for _, r := range rs {
		n += r.hub.Stats().PollersStarted
	}
	return n
}

func polling(rs ...*replica) (n int) {
	for _, r := range rs {
		n += r.hub.Stats().Pollers
	}
	return n
}

func verifyNoLeaks(t *testing.T) {
	// The GitLab clients' pooled connections idle on after the test.
	goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"))
}

// Six subscribers of a job with one token, three on each of two replicas,
// cost GitLab one poller, and a seventh with another token one more; every
// subscriber goes through each of the job's states once, and GitLab serves
// the job to the pollers and nobody else.
func TestAFleetPollsEachKeyOnce(t *testing.T) {
	defer verifyNoLeaks(t)
	w := newWorld(t)
	a, b := w.replica(DefaultLeaseTTL), w.replica(DefaultLeaseTTL)
	job := keyOf(maintainer, KindJob, gitlabsim.JobPending)
	var watchers []*watcher
	for _, r := range []*replica{a, b, a, b, a, b} {
		watchers = append(watchers, watch(t, r, job, maintainer, 0))
	}
	other := watch(t, b, keyOf(developer, KindJob, gitlabsim.JobPending), developer, 0)
	all := append([]*watcher{other}, watchers...)

	eventually(t, 20*time.Second, "every subscriber sees the job run", func() bool {
		for _, s := range all {
			if !s.saw(restclient.StatusRunning) {
				return false
			}
		}
		return true
	})
	w.cancelJob(gitlabsim.JobPending)
	for i, s := range all {
		if err := s.end(t, 20*time.Second); err != nil {
			t.Errorf("subscriber %d ended with %v, want the job's end", i, err)
		}
		s.expectStatuses(t, "subscriber "+strconv.Itoa(i), restclient.StatusPending, restclient.StatusRunning,
			restclient.StatusCanceling, restclient.StatusCanceled)
	}

	if n := started(a, b); n != 2 {
		t.Errorf("two tokens' subscribers on two replicas started %d pollers, want 2", n)
	}
	polled := a.hub.Stats().Calls[restclient.RouteJob] + b.hub.Stats().Calls[restclient.RouteJob]
	if served := w.sim.Stats()["GET /api/v4"+restclient.RouteJob]; served != polled {
		t.Errorf("GitLab served the job %d times, the pollers asked %d times", served, polled)
	}
	eventually(t, 5*time.Second, "the pollers stop", func() bool { return polling(a, b) == 0 })
}

// The replica polling a job dies without a word: another replica's
// subscribers, of the job and of its log, keep receiving it from a poller
// of their own replica within a few seconds, to the job's end, the log
// with no gap and no byte twice. That poller's replica then shuts down as
// a gateway does, and the third takes over at once.
func TestAFleetMovesAPollerFromAReplicaThatDies(t *testing.T) {
	defer verifyNoLeaks(t)
	w := newWorld(t)
	const ttl = time.Second
	a, b, c := w.replica(ttl), w.replica(ttl), w.replica(ttl)
	jobKey := keyOf(maintainer, KindJob, gitlabsim.JobPending)
	logKey := keyOf(maintainer, KindJobLog, gitlabsim.JobPending)

	doomedJob, doomedLog := watch(t, a, jobKey, maintainer, 0), watch(t, a, logKey, maintainer, 0)
	eventually(t, 10*time.Second, "the first replica polls", func() bool { return a.hub.Stats().Pollers == 2 })
	var jobs, logs []*watcher
	for _, r := range []*replica{b, c} {
		jobs = append(jobs, watch(t, r, jobKey, maintainer, 0))
		logs = append(logs, watch(t, r, logKey, maintainer, 0))
	}
	late := watch(t, c, logKey, maintainer, 100) // a viewer that has the log's first 100 bytes
	eventually(t, 20*time.Second, "the log grows on every replica", func() bool {
		return logs[0].logBytes() > 200 && logs[1].logBytes() > 200 && jobs[0].saw(restclient.StatusRunning) && jobs[1].saw(restclient.StatusRunning)
	})

	a.die()
	for _, s := range []*watcher{doomedJob, doomedLog} {
		if err := s.end(t, 5*time.Second); !errors.Is(err, ErrShutdown) {
			t.Errorf("a subscription of the dead replica ended with %v, want ErrShutdown", err)
		}
	}
	eventually(t, 3*ttl, "another replica polls the job and its log", func() bool { return polling(b, c) == 2 })
	grown := logs[0].logBytes()
	eventually(t, 10*time.Second, "the log keeps growing", func() bool { return logs[0].logBytes() > grown && logs[1].logBytes() > grown })

	// The replica that polls (the job, the log or both) shuts down.
	leaving, survivor, kept := b, c, 1
	if b.hub.Stats().Pollers == 0 {
		leaving, survivor, kept = c, b, 0
	}
	jobs, logs = jobs[kept:kept+1], logs[kept:kept+1]
	handed := leaving.hub.Stats().Pollers
	leaving.close()
	eventually(t, 2*ttl, "the last replica takes over", func() bool { return survivor.hub.Stats().Pollers == 2 })

	w.cancelJob(gitlabsim.JobPending)
	for _, s := range jobs {
		if err := s.end(t, 20*time.Second); err != nil {
			t.Errorf("the job's subscription ended with %v, want the job's end", err)
		}
		s.expectStatuses(t, "the job", restclient.StatusPending, restclient.StatusRunning, restclient.StatusCanceling, restclient.StatusCanceled)
	}
	trace := w.trace(gitlabsim.JobPending)
	if survivor == c {
		logs = append(logs, late)
	}
	for i, s := range logs {
		if err := s.end(t, 20*time.Second); err != nil {
			t.Errorf("log subscription %d ended with %v, want the log's end", i, err)
		}
		s.mu.Lock()
		if !bytes.Equal(s.log.Bytes(), trace[s.from:]) || len(s.misfits) > 0 {
			t.Errorf("log subscription %d assembled %d bytes (chunks out of place: %v), GitLab's log from byte %d has %d", i, s.log.Len(), s.misfits, s.from, len(trace)-int(s.from))
		}
		s.mu.Unlock()
	}
	if n, want := started(a, b, c), 4+handed; n != want {
		t.Errorf("%d pollers started, want %d: the job's and its log's, on the first replica, after its death, and %d handed over", n, want, handed)
	}
}

// A job the token may not see ends every replica's subscribers with
// restclient's NOT_FOUND error, as the one replica that polled got it, so
// that each answers its clients with the same GraphQL code.
func TestAFleetEndsEverySubscriberWithThePollersError(t *testing.T) {
	defer verifyNoLeaks(t)
	w := newWorld(t)
	a, b := w.replica(DefaultLeaseTTL), w.replica(DefaultLeaseTTL)
	missing := keyOf(maintainer, KindJob, 999999)
	// GitLab answers the 404 only after both replicas have subscribed: a
	// subscriber arriving after the holder's stream ended would rightly
	// start a poller of its own.
	w.sim.SetLatency(time.Second, 0)
	for i, s := range []*watcher{watch(t, a, missing, maintainer, 0), watch(t, b, missing, maintainer, 0)} {
		var rest *restclient.Error
		if err := s.end(t, 10*time.Second); !errors.As(err, &rest) || rest.Kind != restclient.KindNotFound || rest.StatusCode != 404 {
			t.Errorf("subscriber %d ended with %v, want GitLab's 404", i, err)
		}
	}
	if n := started(a, b); n != 1 {
		t.Errorf("%d pollers started for one key, want 1", n)
	}
}
