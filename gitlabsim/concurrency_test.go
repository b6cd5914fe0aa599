package gitlabsim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestConcurrentReadsAndActions mixes list, get, trace and every action from many
// goroutines; run with -race it proves the world lock covers every path.
func TestConcurrentReadsAndActions(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1, Jitter: time.Millisecond})
	paths := []string{
		"/api/v4/projects/1/jobs?per_page=50",
		"/api/v4/projects/1/jobs?pagination=keyset&per_page=20",
		fmt.Sprintf("/api/v4/projects/1/pipelines/%d/jobs?include_retried=true", PipelineFixture),
		fmt.Sprintf("/api/v4/projects/1/jobs/%d/trace", JobFailed),
		"/api/v4/projects/1/pipelines",
		"/api/v4/projects",
	}
	actions := []string{"cancel", "retry", "play", "erase", "cancel?force=true"}
	fixture := []int64{JobFailed, JobRunning, JobPending, JobCanceling, JobCreated, JobManual, JobScheduled, JobBridge}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for range 25 {
				if rng.IntN(3) == 0 {
					path := fmt.Sprintf("/api/v4/projects/1/jobs/%d/%s", fixture[rng.IntN(len(fixture))], actions[rng.IntN(len(actions))])
					do(t, srv, http.MethodPost, path, TokenMaintainer, "")
					continue
				}
				if r := get(t, srv, paths[rng.IntN(len(paths))], TokenMaintainer); r.status != http.StatusOK {
					t.Errorf("status %d: %s", r.status, r.body)
				}
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			sim.AddPipeline(ProjectDemo, "main")
			sim.mu.Lock()
			sim.world.advance(liveTick, rand.New(rand.NewPCG(1, 2)))
			sim.mu.Unlock()
		}
	})
	wg.Wait()
}

func TestLiveClockMovesJobsForward(t *testing.T) {
	w := newWorld(1)
	rng := rand.New(rand.NewPCG(1, 1))
	running := w.jobsByID[JobRunning]
	lines := running.LogLines
	w.advance(liveTick, rng)
	if running.LogLines <= lines {
		t.Fatal("running job wrote no log lines")
	}
	if w.jobsByID[JobPending].Status != "running" || w.jobsByID[JobCanceling].Status != "canceled" || w.jobsByID[JobWaitingForCallback].Status != "success" {
		t.Fatalf("pending %s, canceling %s, waiting for callback %s",
			w.jobsByID[JobPending].Status, w.jobsByID[JobCanceling].Status, w.jobsByID[JobWaitingForCallback].Status)
	}
	for range 2 * liveJobSeconds {
		w.advance(liveTick, rng)
	}
	if running.Status != "success" || running.FinishedAt.IsZero() {
		t.Fatalf("running job after %d ticks: %s", 2*liveJobSeconds, running.Status)
	}
	if w.jobsByID[JobCreated].Status == "created" {
		t.Fatal("deploy job never left created once tests finished")
	}
	if !w.now.After(worldEpoch) {
		t.Fatal("clock did not move")
	}
}
