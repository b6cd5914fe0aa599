package gitlabsim

import (
	"math/rand/v2"
	"testing"
	"time"
)

// GitLab's state machine lets only a running job wait for a callback, and
// started_at is set on the way to running alone: a job that waited and then
// succeeded has started_at and a duration.
func TestCallbackJobRanBeforeItWaited(t *testing.T) {
	w := newWorld(1)
	j := w.jobsByID[JobWaitingForCallback]
	if j.StartedAt.IsZero() || j.Runner == nil || !j.hasLog() {
		t.Fatalf("waiting job: started %v, runner %v, log %v; want all of them", j.StartedAt, j.Runner, j.hasLog())
	}
	started := j.StartedAt
	w.advance(liveTick, rand.New(rand.NewPCG(1, 2)))
	if j.Status != "success" || j.StartedAt != started || !j.FinishedAt.After(started) {
		t.Fatalf("after the callback: %s, started %v, finished %v", j.Status, j.StartedAt, j.FinishedAt)
	}
	if d := j.FinishedAt.Sub(j.StartedAt); d < time.Second {
		t.Errorf("duration %v", d)
	}
}
