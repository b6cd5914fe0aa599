package live

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"jobgraph/internal/safely"
	"jobgraph/restclient"
)

// poller follows one object for every subscription with its Key.
type poller struct {
	hub    *Hub
	key    Key
	ctx    context.Context // the poller's life, with the caller's credentials
	cancel context.CancelFunc
	wake   chan struct{}
	sched  *schedule

	subs  map[*Subscription]struct{} // guarded by hub.mu
	last  *Update                    // the newest state, for a new subscriber; guarded by hub.mu
	fresh bool                       // a subscriber joined since the log was last read; guarded by hub.mu

	// The poller goroutine's own.
	mark    string // what the last state sent is, to tell a change
	logSize int64  // the log's length at the last read
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

func (p *poller) run() {
	defer p.hub.wg.Done()
	err := safely.Run(p.ctx, p.loop)
	p.hub.end(p, err)
}

// loop polls until the object is final (nil), a poll fails for good, or the
// poller is stopped.
func (p *poller) loop() error {
	for {
		if !p.sched.wait(p.ctx, p.wake) {
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
	changed := p.changed(jobMark(j))
	if changed {
		p.broadcast(Update{Job: j})
	}
	return outcome{active: changed || activeJob(j.Status), final: Final(string(j.Status))}, nil
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
	changed := p.changed(pipelineMark(pl, jobs))
	if changed {
		p.broadcast(Update{Pipeline: pl})
	}
	return outcome{active: changed || pl.Status == string(restclient.StatusRunning), final: Final(pl.Status)}, nil
}

// changed records mark as the state sent last and reports whether it
// differs from the one before.
func (p *poller) changed(mark string) bool {
	if mark == p.mark {
		return false
	}
	p.mark = mark
	return true
}

// broadcast offers u to every subscriber, and keeps it for new ones.
func (p *poller) broadcast(u Update) {
	for _, s := range p.hub.subscribers(p, &u) {
		s.offer(u)
	}
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
