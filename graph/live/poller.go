package live

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"jobgraph/internal/safely"
	"jobgraph/restclient"
)

// poller polls one object for a feed: for its subscribers alone, or, in a
// fleet, for every replica's, while this process holds the key's lease.
type poller struct {
	hub    *Hub
	feed   *feed
	key    Key
	ctx    context.Context // the poller's life, with the caller's credentials
	cancel context.CancelFunc
	wake   chan struct{}
	done   chan struct{} // closed when the poller stopped
	sched  *schedule

	mu       sync.Mutex
	floor    int64 // the lowest log byte asked for since the last read; noWant when none
	snapshot bool  // a replica asked for the newest state

	// The poller goroutine's own.
	mark      string // what the last state sent is, to tell a change
	state     *event // the last state sent, for a snapshot
	logSize   int64  // the log's length at the last read
	published int64  // where the log bytes sent so far end; noWant before any
}

// newPoller returns a poller for f, owing the log from the lowest byte its
// subscribers are owed; the caller holds hub.mu.
func newPoller(f *feed) *poller {
	ctx, cancel := context.WithCancel(f.ctx)
	if f.creds != nil {
		ctx = restclient.WithCredentials(ctx, *f.creds)
	}
	return &poller{
		hub: f.hub, feed: f, key: f.key, ctx: ctx, cancel: cancel,
		wake: make(chan struct{}, 1), done: make(chan struct{}),
		sched: newSchedule(f.hub.cfg), floor: f.lowestNextLocked(), published: noWant,
	}
}

// outcome is what a poll found.
type outcome struct {
	active bool // poll again soon: the object runs, grows or just changed
	final  bool // the object reached its final state and every subscriber has it all
}

// kick brings the next poll forward, for a new subscriber (at most to the
// fast interval after the last poll, so joins cost no extra polls).
func (p *poller) kick() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// want asks for the log from byte from on at the next read.
func (p *poller) want(from int64) {
	p.mu.Lock()
	p.floor = min(p.floor, from)
	p.mu.Unlock()
	p.kick()
}

// askSnapshot asks for the newest state to be sent again, at once: a replica
// has a subscriber that has none.
func (p *poller) askSnapshot() {
	p.mu.Lock()
	p.snapshot = true
	p.mu.Unlock()
	p.kick()
}

func (p *poller) run() {
	defer p.hub.wg.Done()
	defer close(p.done)
	defer p.cancel()
	defer p.hub.stopped(p)
	err := safely.Run(p.ctx, p.loop)
	switch {
	case p.ctx.Err() == nil:
		p.send(&event{End: &ending{Err: err, LogSize: p.logSize}})
	case p.hub.fleet == nil:
		p.hub.end(p.feed, p.ctx.Err())
	}
	if fl := p.hub.fleet; fl != nil {
		fl.kick()
	}
}

// loop polls until the object is final (nil), a poll fails for good, or the
// poller is stopped.
func (p *poller) loop() error {
	for {
		if !p.waitTurn() {
			return p.ctx.Err()
		}
		calls := callsPerPoll(p.key.Kind)
		if err := p.hub.limiter.WaitN(p.ctx, calls); err != nil {
			return p.ctx.Err()
		}
		budget := restclient.NewBudget(calls*(1+p.hub.cfg.MaxRetries), calls, p.key.Caller)
		got, err := p.poll(restclient.WithBudget(p.ctx, budget))
		p.hub.countPoll()
		switch {
		case p.ctx.Err() != nil:
			return p.ctx.Err()
		case err != nil:
			if !p.sched.failed(err) {
				return err
			}
		case got.final:
			return nil
		default:
			p.sched.succeeded(got.active)
		}
	}
}

// waitTurn waits for the next poll, sending the newest state again whenever
// it is asked for meanwhile; it reports false when the poller stops.
func (p *poller) waitTurn() bool {
	for {
		due, ok := p.sched.wait(p.ctx, p.wake)
		if !ok || due {
			return ok
		}
		p.mu.Lock()
		snapshot := p.snapshot && p.state != nil
		p.snapshot = false
		p.mu.Unlock()
		if snapshot {
			p.send(p.state)
		}
	}
}

// send hands ev to the feed, or to the fleet; it reports false when ev is
// lost: the poller stops, or Redis did not take it (said once in the log,
// and sent again by the next poll).
func (p *poller) send(ev *event) bool {
	fl := p.hub.fleet
	if fl == nil {
		p.feed.handle(p.ctx, ev)
		return p.ctx.Err() == nil
	}
	if err := fl.publish(p.ctx, p.key, ev); err != nil {
		if p.ctx.Err() == nil {
			slog.WarnContext(p.ctx, "live: an update did not reach Redis", "error", err)
		}
		return false
	}
	return true
}

// sendState sends a state that differs from the last one sent, reporting
// whether the subscribers have the object's state now.
func (p *poller) sendState(ev *event) bool {
	if ev.Mark == p.mark {
		return true
	}
	if !p.send(ev) {
		return false
	}
	p.mark, p.state = ev.Mark, ev
	return true
}

// callsPerPoll is the GitLab requests one poll of a kind makes at most.
func callsPerPoll(k Kind) int {
	if k == KindJob {
		return 1
	}
	return 2
}

func (p *poller) poll(ctx context.Context) (outcome, error) {
	switch p.key.Kind {
	case KindJob:
		return p.pollJob(ctx)
	case KindPipeline:
		return p.pollPipeline(ctx)
	default:
		return p.pollLog(ctx)
	}
}

func (p *poller) project() string { return strconv.FormatInt(p.key.Project, 10) }

func (p *poller) getJob(ctx context.Context) (*restclient.Job, error) {
	p.hub.counted(restclient.RouteJob)
	j, _, err := p.hub.client.GetJob(ctx, p.project(), p.key.ID)
	return j, err
}

func (p *poller) pollJob(ctx context.Context) (outcome, error) {
	j, err := p.getJob(ctx)
	if err != nil {
		return outcome{}, err
	}
	mark := jobMark(j)
	changed := mark != p.mark
	sent := p.sendState(&event{Job: j, Mark: mark})
	return outcome{active: changed || activeJob(j.Status), final: sent && Final(string(j.Status))}, nil
}

func (p *poller) pollPipeline(ctx context.Context) (outcome, error) {
	p.hub.counted(restclient.RoutePipeline)
	pl, _, err := p.hub.client.GetPipeline(ctx, p.project(), p.key.ID)
	if err != nil {
		return outcome{}, err
	}
	// The newest hundred jobs: one page, enough for the statuses of nearly
	// every pipeline (GitLab's own pipeline page shows the same).
	p.hub.counted(restclient.RoutePipelineJobs)
	jobs, _, err := p.hub.client.ListPipelineJobs(ctx, p.project(), p.key.ID,
		&restclient.ListPipelineJobsOptions{ListOptions: restclient.ListOptions{PerPage: 100}})
	if err != nil {
		return outcome{}, err
	}
	mark := pipelineMark(pl, jobs)
	changed := mark != p.mark
	sent := p.sendState(&event{Pipeline: pl, Mark: mark})
	return outcome{active: changed || pl.Status == string(restclient.StatusRunning), final: sent && Final(pl.Status)}, nil
}

// Final reports whether a job or pipeline status is one GitLab never leaves.
func Final(status string) bool {
	switch restclient.JobStatus(status) {
	case restclient.StatusSuccess, restclient.StatusFailed, restclient.StatusCanceled, restclient.StatusSkipped:
		return true
	}
	return false
}

func activeJob(s restclient.JobStatus) bool {
	return s == restclient.StatusRunning || s == restclient.StatusCanceling
}

// jobMark is what makes a job's new state worth sending: status, timing,
// runner, outcome, artifacts, archive. Durations are left out: GitLab counts a
// running job's up on every read.
func jobMark(j *restclient.Job) string {
	var b strings.Builder
	b.WriteString(string(j.Status))
	for _, t := range []*time.Time{j.StartedAt, j.FinishedAt, j.ErasedAt, j.ArtifactsExpireAt} {
		b.WriteByte('|')
		if t != nil {
			b.WriteString(t.UTC().Format(time.RFC3339Nano))
		}
	}
	b.WriteByte('|')
	if j.Runner != nil {
		b.WriteString(strconv.FormatInt(j.Runner.ID, 10))
	}
	b.WriteString("|" + j.FailureReason + "|" + strconv.FormatBool(j.Archived) + "|" + strconv.Itoa(len(j.Artifacts)))
	if j.Coverage != nil {
		b.WriteString("|" + strconv.FormatFloat(*j.Coverage, 'g', -1, 64))
	}
	return b.String()
}

// pipelineMark is a pipeline's status, timing and coverage with its jobs'
// statuses; updated_at and durations move without news.
func pipelineMark(pl *restclient.Pipeline, jobs []*restclient.Job) string {
	var b strings.Builder
	b.WriteString(pl.Status)
	for _, t := range []*time.Time{pl.StartedAt, pl.FinishedAt} {
		b.WriteByte('|')
		if t != nil {
			b.WriteString(t.UTC().Format(time.RFC3339Nano))
		}
	}
	if pl.Coverage != nil {
		b.WriteString("|" + strconv.FormatFloat(*pl.Coverage, 'g', -1, 64))
	}
	for _, j := range jobs {
		b.WriteString("|" + strconv.FormatInt(j.ID, 10) + ":" + string(j.Status))
	}
	return b.String()
}

// permanent reports whether a failed poll would fail again: the object is
// gone or hidden, the token is refused, or the failure is not GitLab's.
// Anything else (5xx, timeouts, 429, cut connections) is retried.
func permanent(err error) (retryAfter time.Duration, final bool) {
	var e *restclient.Error
	if !errors.As(err, &e) {
		return 0, true
	}
	switch e.Kind {
	case restclient.KindRateLimited, restclient.KindUpstream, restclient.KindTimeout,
		restclient.KindMalformed, restclient.KindTransport:
		return e.RetryAfter, false
	}
	return 0, true
}
