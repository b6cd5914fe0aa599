package live

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// schedule paces one poller: the fast interval while its object is active,
// doubling up to the slow interval while it stays quiet, and jittered
// exponential backoff while polls fail, never sooner than GitLab's
// Retry-After, until GiveUpAfter has passed since the first failure.
type schedule struct {
	fast, giveUp time.Duration
	quiet        *backoff.ExponentialBackOff
	failing      *backoff.ExponentialBackOff
	failingSince time.Time // zero while polls succeed
	last         time.Time // when the last poll ended; zero before the first
	interval     time.Duration
}

func newSchedule(cfg Config) *schedule {
	grow := func() *backoff.ExponentialBackOff {
		b := backoff.NewExponentialBackOff()
		b.InitialInterval, b.MaxInterval, b.Multiplier = cfg.FastInterval, cfg.SlowInterval, 2
		return b
	}
	return &schedule{fast: cfg.FastInterval, giveUp: cfg.GiveUpAfter, quiet: grow(), failing: grow()}
}

// wait waits for the next poll (due) or a kick, which brings the next poll
// forward to the fast interval after the last one (not while polls fail:
// GitLab asked for patience). ok is false when ctx ends first.
func (s *schedule) wait(ctx context.Context, kick <-chan struct{}) (due, ok bool) {
	d := time.Until(s.last.Add(s.interval))
	if d <= 0 {
		return true, true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false, false
	case <-t.C:
		return true, true
	case <-kick:
		if s.failingSince.IsZero() {
			s.interval = min(s.interval, s.fast)
		}
		return false, true
	}
}

// succeeded schedules the poll after a successful one.
func (s *schedule) succeeded(active bool) {
	s.last, s.failingSince = time.Now(), time.Time{}
	s.failing.Reset()
	if active {
		s.quiet.Reset()
		s.interval = s.fast
		return
	}
	s.interval = s.quiet.NextBackOff()
}

// failed schedules a retry after a failed poll, or reports false when the
// failure is permanent or retries have run out of time.
func (s *schedule) failed(err error) bool {
	retryAfter, final := permanent(err)
	now := time.Now()
	if s.failingSince.IsZero() {
		s.failingSince = now
	}
	if final || now.Sub(s.failingSince) > s.giveUp {
		return false
	}
	s.last, s.interval = now, max(s.failing.NextBackOff(), retryAfter)
	return true
}
