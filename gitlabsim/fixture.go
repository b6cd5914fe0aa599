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

	w.nextJobID = JobWaitingForCallback
	callback := s.newJob(pl, jobSpec{name: "e2e:device-farm", stage: "test", tags: []string{"docker"}})
	callback.Status = "waiting_for_callback"
	pl.refreshStatus()
	pl.UpdatedAt = w.now

	w.nextPipeID, w.nextJobID = firstFreePipelineID, firstFreeJobID
}
