package gitlabsim

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// cancelableStatuses is Ci::HasStatus::CANCELABLE_STATUSES: the active statuses
// (waiting_for_resource, preparing, waiting_for_callback, pending, running), created and scheduled.
// A job's cancel event also takes a manual job; a pipeline's cancel only these.
var cancelableStatuses = map[string]bool{
	"running": true, "waiting_for_resource": true, "preparing": true, "waiting_for_callback": true,
	"pending": true, "created": true, "scheduled": true,
}

// actionTarget resolves the project of an action and, through find, its object
// (a job or a pipeline) for a caller with at least Developer access (GitLab's
// update_build and update_pipeline); it holds the world's write lock on success.
func actionTarget[T any](s *Sim, rc *requestContext, find func(*Sim, *requestContext, *project) *T) (*T, bool) {
	if !rc.authenticated() {
		return nil, false
	}
	s.mu.Lock()
	p := s.project(rc)
	if p == nil {
		s.mu.Unlock()
		return nil, false
	}
	target := find(s, rc, p)
	if target == nil {
		s.mu.Unlock()
		return nil, false
	}
	if rc.accessLevel(p) < accessDeveloper {
		s.mu.Unlock()
		forbidden(rc.w, "")
		return nil, false
	}
	return target, true
}

// cancelJob follows the API's cancel route: Ci::Build's cancel event, or with
// force (maintainers only) its force_cancel event, which finishes a canceling
// job. A job neither event applies to is answered unchanged, as GitLab does.
func (s *Sim) cancelJob(rc *requestContext) {
	force, ok := rc.boolParam("force", false)
	if !ok {
		return
	}
	j, ok := actionTarget(s, rc, (*Sim).build)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	w := s.world
	switch {
	case force && rc.accessLevel(j.Project) < accessMaintainer:
		forbidden(rc.w, "")
		return
	case force && j.Status == "canceling":
		w.finish(j, "canceled")
	case !force:
		w.cancel(j)
	}
	writeJSON(rc.w, http.StatusCreated, newRender(w, rc.base).job(j))
}

// cancel is CommitStatus's cancel event: a running build moves to canceling
// (its runner stops it gracefully and reports back), any other cancelable or
// manual job to canceled. Other jobs are left as they are.
func (w *world) cancel(j *job) {
	switch {
	case j.Status == "running" && j.Kind == kindBuild:
		j.Status = "canceling"
		w.touch(j.Pipeline)
	case cancelableStatuses[j.Status] || j.Status == "manual":
		w.finish(j, "canceled")
	}
}

// finish ends a job now with the given status.
func (w *world) finish(j *job, status string) {
	j.Status = status
	j.FinishedAt = w.now
	if status != "failed" {
		j.FailureReason = ""
	}
	w.touch(j.Pipeline)
}

func retryable(j *job) bool {
	return !j.Retried && (j.Status == "success" || j.Status == "failed" || j.Status == "canceled")
}

// retryJob answers 201 with the new job; the old one becomes retried.
func (s *Sim) retryJob(rc *requestContext) {
	j, ok := actionTarget(s, rc, (*Sim).processable)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	if !retryable(j) {
		forbidden(rc.w, "Job is not retryable")
		return
	}
	w := s.world
	fresh := w.retryJob(j, w.allocJobID(), rc.user.ID)
	w.touch(fresh.Pipeline)
	writeJSON(rc.w, http.StatusCreated, newRender(w, rc.base).job(fresh))
}

// eraseJob removes the log and artifacts of a finished job (Ci::BuildEraseService).
// Maintainers erase any job, developers only their own.
func (s *Sim) eraseJob(rc *requestContext) {
	j, ok := actionTarget(s, rc, (*Sim).build)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	if rc.accessLevel(j.Project) < accessMaintainer && j.UserID != rc.user.ID {
		forbidden(rc.w, "")
		return
	}
	if !j.finished() || !j.ErasedAt.IsZero() || (len(j.Artifacts) == 0 && !j.hasLog()) {
		forbidden(rc.w, "Job is not erasable!")
		return
	}
	j.Artifacts, j.ArtifactsUntil, j.ErasedAt = nil, time.Time{}, s.world.now
	writeJSON(rc.w, http.StatusCreated, newRender(s.world, rc.base).job(j))
}

// playJob starts a manual or scheduled job with optional variables; a finished
// action job is played again by retrying it (Ci::Processable#playable?).
func (s *Sim) playJob(rc *requestContext) {
	vars, ok := rc.jobVariables()
	if !ok {
		return
	}
	j, ok := actionTarget(s, rc, (*Sim).processable)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	w := s.world
	action := j.When == "manual" || j.When == "delayed"
	switch {
	case action && (j.Status == "manual" || j.Status == "scheduled"):
		j.Status, j.QueuedAt, j.UserID, j.Variables = "pending", w.now, rc.user.ID, vars
		w.touch(j.Pipeline)
	case action && retryable(j):
		fresh := w.retryJob(j, w.allocJobID(), rc.user.ID)
		fresh.Variables = vars
		w.touch(fresh.Pipeline)
	default:
		writeMessage(rc.w, http.StatusBadRequest, "400 Bad request - Unplayable Job")
		return
	}
	rend := newRender(w, rc.base)
	if j.Kind == kindBridge {
		writeJSON(rc.w, http.StatusOK, rend.bridge(j))
		return
	}
	writeJSON(rc.w, http.StatusOK, rend.job(j))
}

// maxBodyBytes bounds request bodies the simulator reads.
const maxBodyBytes = 1 << 20

// jobVariables reads job_variables_attributes from a JSON body (what clients send)
// and validates each entry as Grape does.
func (rc *requestContext) jobVariables() ([]variable, bool) {
	ct, _, _ := mime.ParseMediaType(rc.r.Header.Get("Content-Type"))
	if ct != "application/json" {
		return nil, true
	}
	raw, err := io.ReadAll(io.LimitReader(rc.r.Body, maxBodyBytes))
	if err != nil {
		writeMessage(rc.w, http.StatusBadRequest, "400 Bad request - unreadable body")
		return nil, false
	}
	if len(raw) == 0 {
		return nil, true
	}
	var body struct {
		Vars []map[string]any `json:"job_variables_attributes"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		writeError(rc.w, http.StatusBadRequest, "job_variables_attributes is invalid")
		return nil, false
	}
	out := make([]variable, 0, len(body.Vars))
	for i, v := range body.Vars {
		key, keyOK := v["key"].(string)
		value, valueOK := v["value"].(string)
		switch {
		case !keyOK:
			writeError(rc.w, http.StatusBadRequest, fmt.Sprintf("job_variables_attributes[%d][key] is missing", i))
			return nil, false
		case !valueOK:
			writeError(rc.w, http.StatusBadRequest, fmt.Sprintf("job_variables_attributes[%d][value] is missing", i))
			return nil, false
		}
		out = append(out, variable{Key: key, Value: value})
	}
	return out, true
}
