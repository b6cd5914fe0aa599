package gitlabsim

import (
	"net/http"
	"time"
)

// cancelPipeline follows Ci::CancelPipelineService: every job of the pipeline
// in a cancelable status gets the cancel event (a running build moves to
// canceling). GitLab answers 200 with the pipeline whether or not anything
// was cancelable.
func (s *Sim) cancelPipeline(rc *requestContext) {
	pl, ok := actionTarget(s, rc, (*Sim).pipelineOf)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	w := s.world
	for _, j := range pl.Jobs {
		if !j.Retried && cancelableStatuses[j.Status] {
			w.cancel(j)
		}
	}
	w.touch(pl)
	writeJSON(rc.w, http.StatusOK, newRender(w, rc.base).pipeline(pl))
}

// retryPipeline follows Ci::RetryPipelineService: each latest job that failed
// or was canceled is cloned into a new job, the skipped jobs are processed
// again, and the pipeline runs on from its earliest unfinished stage. GitLab
// answers 201 with the pipeline, also when nothing was retried.
func (s *Sim) retryPipeline(rc *requestContext) {
	pl, ok := actionTarget(s, rc, (*Sim).pipelineOf)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	w := s.world
	for _, j := range append([]*job(nil), pl.Jobs...) {
		switch {
		case j.Retried:
		case j.Status == "failed" || j.Status == "canceled":
			w.awaitProcessing(w.retryJob(j, w.allocJobID(), rc.user.ID))
		case j.Status == "skipped":
			w.awaitProcessing(j)
		}
	}
	w.process(pl)
	w.touch(pl)
	writeJSON(rc.w, http.StatusCreated, newRender(w, rc.base).pipeline(pl))
}

// awaitProcessing puts a job back to where pipeline processing picks it up:
// created, or manual for a when:manual job (Ci::Processable's process and
// actionize events).
func (w *world) awaitProcessing(j *job) {
	j.Status, j.FailureReason = "created", ""
	j.QueuedAt, j.StartedAt, j.FinishedAt = time.Time{}, time.Time{}, time.Time{}
	if j.When == "manual" {
		j.Status = "manual"
	}
}

// process enqueues the created jobs whose earlier stages are done
// (Ci::ProcessPipelineService).
func (w *world) process(pl *pipeline) {
	for _, j := range pl.Jobs {
		if !j.Retried && j.Status == "created" && stagesBeforeDone(pl, j.Stage) {
			j.Status, j.QueuedAt = "pending", w.now
		}
	}
}
