package gitlabsim

import "time"

// fixture seeds ProjectDemo's newest pipeline with one job in every state tests need,
// at the ids fixtures.go promises.
func (s *seeder) fixture() {
	w := s.w
	p := w.projectByID[ProjectDemo]
	w.nextPipeID, w.nextJobID = PipelineFixture, JobHugeLog
	at := w.now.Add(-20 * time.Minute)
	c := s.commit(p, lastPipeline(p).Commit.SHA, at)
	pl := s.pipeline(p, c, p.DefaultBranch, "push", at, UserDeveloper)
	pl.StartedAt = at.Add(3 * time.Second)

	byName := map[string]jobSpec{}
	for _, spec := range standardJobs {
		byName[spec.name] = spec
	}
	huge := s.newJob(pl, byName["compile"])
	s.run(huge, at.Add(5*time.Second), "success")
	huge.LogBytes = HugeLogBytes

	failed := s.newJob(pl, byName["lint"])
	s.run(failed, at.Add(5*time.Second), "failed")
	failed.FailureReason = "script_failure"

	testsFrom := huge.FinishedAt
	running := s.newJob(pl, byName["rspec 1/2"])
	w.now = testsFrom.Add(10 * time.Second)
	w.start(running)
	running.LogLines = 40
	running.Token = TokenJob
	w.jobTokens[TokenJob] = running

	pending := s.newJob(pl, byName["rspec 2/2"])
	pending.Status, pending.QueuedAt = "pending", testsFrom

	canceling := s.newJob(pl, byName["jest"])
	w.start(canceling)
	canceling.Status = "canceling"
	w.now = worldEpoch

	s.newJob(pl, byName["deploy:staging"])
	s.newJob(pl, byName["deploy:production"]).Status = "manual"

	scheduled := s.newJob(pl, jobSpec{name: "nightly:cleanup", stage: "deploy", tags: []string{"docker"}})
	scheduled.Status, scheduled.When = "scheduled", "delayed"

	s.bridge(pl, "trigger:docs", "build")

	// GitLab's state machine only lets a running job wait for a callback, so
	// this job ran (it has started_at, a runner and a log) before it began to
	// wait. Its log is a debug log (CI_DEBUG_TRACE), which only callers who
	// may update jobs read.
	w.nextJobID = JobWaitingForCallback
	callback := s.newJob(pl, jobSpec{name: "e2e:device-farm", stage: "test", tags: []string{"docker"}})
	w.now = testsFrom.Add(30 * time.Second)
	w.start(callback)
	w.now = worldEpoch
	callback.Status, callback.DebugTrace = "waiting_for_callback", true
	pl.refreshStatus()
	pl.UpdatedAt = w.now

	w.nextPipeID, w.nextJobID = firstFreePipelineID, firstFreeJobID
}
