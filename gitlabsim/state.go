package gitlabsim

import (
	"slices"
	"time"
)

// addJob appends a job in status created to a pipeline and indexes it.
func (w *world) addJob(pl *pipeline, spec jobSpec, id int64) *job {
	j := &job{
		ID: id, Project: pl.Project, Pipeline: pl, Name: spec.name, Stage: spec.stage, Status: "created",
		When: "on_success", AllowFailure: spec.allowFailure, CreatedAt: pl.CreatedAt, UserID: pl.UserID,
		Tags: spec.tags,
	}
	if spec.manual {
		// GitLab makes when:manual jobs allow_failure unless rules say otherwise.
		j.When, j.AllowFailure = "manual", true
	}
	w.index(j)
	return j
}

func (w *world) index(j *job) {
	j.Pipeline.Jobs = append(j.Pipeline.Jobs, j)
	j.Project.Jobs = append(j.Project.Jobs, j)
	w.jobsByID[j.ID] = j
}

// retryJob clones a finished job into a new pending one (Ci::RetryJobService) and marks
// the original retried, which hides it from the pipeline's job list.
func (w *world) retryJob(old *job, id, userID int64) *job {
	fresh := &job{
		ID: id, Kind: old.Kind, Project: old.Project, Pipeline: old.Pipeline, Name: old.Name, Stage: old.Stage,
		Status: "pending", When: old.When, AllowFailure: old.AllowFailure, CreatedAt: w.now, QueuedAt: w.now,
		UserID: userID, Tags: old.Tags, Variables: old.Variables,
	}
	old.Retried = true
	w.index(fresh)
	return fresh
}

func (w *world) allocJobID() int64 {
	id := w.nextJobID
	w.nextJobID++
	return id
}

func (w *world) allocPipelineID() int64 {
	id := w.nextPipeID
	w.nextPipeID++
	return id
}

// refreshStatus recomputes a pipeline's status from its latest jobs, after
// Gitlab::Ci::Status::Composite.
func (pl *pipeline) refreshStatus() {
	seen := map[string]bool{}
	for _, j := range pl.Jobs {
		if j.Retried {
			continue
		}
		switch {
		case j.AllowFailure && (j.Status == "failed" || j.Status == "canceled"):
			seen["success_with_warnings"] = true
		case j.AllowFailure && j.Status == "manual":
			seen["ignored"] = true
		default:
			seen[j.Status] = true
		}
	}
	only := func(allowed ...string) bool {
		for s := range seen {
			if !slices.Contains(allowed, s) {
				return false
			}
		}
		return true
	}
	anyOf := func(states ...string) bool {
		return slices.ContainsFunc(states, func(s string) bool { return seen[s] })
	}
	switch {
	case len(seen) == 0, only("skipped", "ignored"):
		pl.Status = "skipped"
	case only("success", "skipped", "success_with_warnings", "ignored"):
		pl.Status = "success"
	case only("created", "success_with_warnings", "ignored"):
		pl.Status = "created"
	case only("canceled", "success", "skipped", "success_with_warnings", "ignored"):
		pl.Status = "canceled"
	case only("pending", "created", "skipped", "ignored"):
		pl.Status = "pending"
	case anyOf("running", "pending"):
		pl.Status = "running"
	case anyOf("canceling"):
		pl.Status = "canceling"
	case anyOf("waiting_for_resource"):
		pl.Status = "waiting_for_resource"
	case anyOf("waiting_for_callback"):
		pl.Status = "waiting_for_callback"
	case anyOf("manual"):
		pl.Status = "manual"
	case anyOf("scheduled"):
		pl.Status = "scheduled"
	case anyOf("preparing"):
		pl.Status = "preparing"
	case anyOf("created"):
		pl.Status = "running"
	default:
		pl.Status = "failed"
	}
}

func (pl *pipeline) finished() bool {
	switch pl.Status {
	case "success", "failed", "canceled", "skipped":
		return true
	}
	return false
}

// touch records a change made at the world's current time.
func (w *world) touch(pl *pipeline) {
	pl.refreshStatus()
	pl.UpdatedAt = w.now
	if pl.finished() && pl.FinishedAt.IsZero() {
		pl.FinishedAt = w.now
	}
	if !pl.finished() {
		pl.FinishedAt = time.Time{}
	}
	pl.Project.LastActivityAt = w.now
}

// newRunningPipeline creates a pipeline whose first stage runs and whose later stages wait.
func (w *world) newRunningPipeline(p *project, ref string, userID int64, rnd func(int) int) *pipeline {
	var parent string
	if last := lastPipeline(p); last != nil {
		parent = last.Commit.SHA
	}
	author := w.usersByID[userID]
	c := &commit{
		SHA: fakeSHA(w.nextPipeID, w.seed), Title: commitTitles[rnd(len(commitTitles))], AuthorName: author.Name,
		AuthorEmail: author.Email, CommitterName: author.Name, CommitterEmail: author.Email,
		AuthoredAt: w.now.Add(-time.Minute), CommittedAt: w.now.Add(-time.Minute), Zone: time.UTC,
		Additions: 1 + rnd(100), Deletions: rnd(50),
	}
	c.Message = c.Title + "\n"
	if parent != "" {
		c.ParentIDs = []string{parent}
	}
	p.Commits[c.SHA] = c
	pl := &pipeline{
		ID: w.allocPipelineID(), IID: int64(len(p.Pipelines) + 1), Project: p, Commit: c, Ref: ref, Source: "push",
		UserID: userID, CreatedAt: w.now, UpdatedAt: w.now, StartedAt: w.now, BeforeSHA: parent,
	}
	if pl.BeforeSHA == "" {
		pl.BeforeSHA = "0000000000000000000000000000000000000000"
	}
	p.Pipelines = append(p.Pipelines, pl)
	w.pipelines[pl.ID] = pl
	for _, spec := range standardJobs {
		j := w.addJob(pl, spec, w.allocJobID())
		switch {
		case spec.manual:
			j.Status = "manual"
		case spec.stage == "build":
			w.start(j)
		}
	}
	w.touch(pl)
	return pl
}

// start puts a job on a runner.
func (w *world) start(j *job) {
	j.Status = "running"
	if j.QueuedAt.IsZero() {
		j.QueuedAt = w.now
	}
	j.StartedAt = w.now
	j.Runner = w.runners[int(j.ID)%len(w.runners)]
	j.LogLines = 5
}

func lastPipeline(p *project) *pipeline {
	if len(p.Pipelines) == 0 {
		return nil
	}
	return p.Pipelines[len(p.Pipelines)-1]
}

func fakeSHA(n, seed int64) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 40)
	x := uint64(n)*0x9E3779B97F4A7C15 ^ uint64(seed)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = digits[x&15]
	}
	return string(b)
}
