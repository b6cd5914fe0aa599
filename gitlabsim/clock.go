package gitlabsim

import (
	"math/rand/v2"
	"time"
)

// runClock moves the world forward while the simulator is open.
func (s *Sim) runClock() {
	defer close(s.clockDone)
	t := time.NewTicker(liveTick)
	defer t.Stop()
	rng := rand.New(rand.NewPCG(uint64(s.world.seed), 0xc10c))
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
			s.mu.Lock()
			s.world.advance(liveTick, rng)
			s.mu.Unlock()
		}
	}
}

// liveJobSeconds is how long a job runs under the live clock before it succeeds.
const liveJobSeconds = 45

// advance moves time by d: running jobs write log lines and finish, canceling jobs
// stop, jobs waiting for a callback get it and succeed, pending jobs start, created jobs start once earlier stages are done, and now
// and then a project gets a new pipeline.
func (w *world) advance(d time.Duration, rng *rand.Rand) {
	w.now = w.now.Add(d)
	for _, pl := range w.activePipelines() {
		for _, j := range pl.Jobs {
			switch j.Status {
			case "running":
				j.LogLines += 1 + rng.IntN(4)
				if w.now.Sub(j.StartedAt) > liveJobSeconds*time.Second {
					w.finish(j, "success")
					j.Artifacts = successArtifacts(j, rng)
					j.ArtifactsUntil = w.now.AddDate(0, 0, 30)
				}
			case "canceling":
				w.finish(j, "canceled")
			case "waiting_for_callback":
				// The external service calls back; Ci::Build's success event takes
				// the job straight from waiting_for_callback to success.
				w.finish(j, "success")
			case "pending":
				w.start(j)
			}
		}
		w.process(pl)
		w.touch(pl)
	}
	if rng.IntN(60) == 0 {
		p := w.projectByID[ProjectDemo]
		w.newRunningPipeline(p, p.DefaultBranch, humanAuthors[rng.IntN(len(humanAuthors))], rng.IntN)
	}
}

func (w *world) activePipelines() []*pipeline {
	var out []*pipeline
	for _, p := range w.projects {
		// Only the newest pipelines can still be active; the seeded history is finished.
		for i := len(p.Pipelines) - 1; i >= 0 && i >= len(p.Pipelines)-50; i-- {
			if pl := p.Pipelines[i]; !pl.finished() {
				out = append(out, pl)
			}
		}
	}
	return out
}

var stageOrder = map[string]int{"build": 0, "test": 1, "deploy": 2}

func stagesBeforeDone(pl *pipeline, stage string) bool {
	for _, j := range pl.Jobs {
		if !j.Retried && stageOrder[j.Stage] < stageOrder[stage] && !j.finished() && j.Status != "manual" {
			return false
		}
	}
	return true
}
