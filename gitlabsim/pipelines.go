package gitlabsim

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
)

// pipelineSources is Ci::Pipeline.sources.keys.
var pipelineSources = map[string]bool{
	"unknown": true, "push": true, "web": true, "trigger": true, "schedule": true, "api": true, "external": true,
	"pipeline": true, "chat": true, "webide": true, "merge_request_event": true, "external_pull_request_event": true,
	"parent_pipeline": true, "ondemand_dast_scan": true, "ondemand_dast_validation": true,
	"security_orchestration_policy": true, "container_registry_push": true, "duo_workflow": true,
	"pipeline_execution_policy_schedule": true,
}

var pipelineScopes = map[string]bool{"running": true, "pending": true, "finished": true, "branches": true, "tags": true}

// pipelineOrderColumns is Ci::PipelinesFinder::ALLOWED_INDEXED_COLUMNS.
var pipelineOrderColumns = map[string]bool{"id": true, "status": true, "ref": true, "updated_at": true, "user_id": true}

// enumParam reads an optional parameter restricted to a set of values.
func (rc *requestContext) enumParam(name, def string, allowed map[string]bool) (string, bool) {
	v := rc.query.Get(name)
	if v == "" {
		return def, true
	}
	if !allowed[v] {
		writeError(rc.w, http.StatusBadRequest, name+" does not have a valid value")
		return "", false
	}
	return v, true
}

// timeParam reads an optional ISO 8601 datetime.
func (rc *requestContext) timeParam(name string) (time.Time, bool) {
	v := rc.query.Get(name)
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		writeError(rc.w, http.StatusBadRequest, name+" is invalid")
		return time.Time{}, false
	}
	return t, true
}

type pipelineFilter struct {
	// yamlErrors asks for pipelines with invalid configuration; the world has none.
	yamlErrors                                                     bool
	scope, status, ref, sha, username, source, name, orderBy, sort string
	updatedBefore, updatedAfter, createdBefore, createdAfter       time.Time
}

func (rc *requestContext) pipelineFilter() (pipelineFilter, bool) {
	f := pipelineFilter{ref: rc.query.Get("ref"), sha: rc.query.Get("sha"), username: rc.query.Get("username"), name: rc.query.Get("name")}
	ok := true
	read := func(dst *string, name, def string, allowed map[string]bool) {
		if ok {
			*dst, ok = rc.enumParam(name, def, allowed)
		}
	}
	read(&f.scope, "scope", "", pipelineScopes)
	read(&f.status, "status", "", availableStatuses)
	read(&f.orderBy, "order_by", "id", pipelineOrderColumns)
	read(&f.sort, "sort", "desc", map[string]bool{"asc": true, "desc": true})
	read(&f.source, "source", "", pipelineSources)
	if ok {
		f.yamlErrors, ok = rc.boolParam("yaml_errors", false)
	}
	for _, tp := range []struct {
		dst  *time.Time
		name string
	}{{&f.updatedBefore, "updated_before"}, {&f.updatedAfter, "updated_after"}, {&f.createdBefore, "created_before"}, {&f.createdAfter, "created_after"}} {
		if ok {
			*tp.dst, ok = rc.timeParam(tp.name)
		}
	}
	return f, ok
}

// apply filters and orders pipelines as Ci::PipelinesFinder does.
func (f pipelineFilter) apply(w *world, all []*pipeline) []*pipeline {
	latestPerRef := map[string]int64{}
	for _, pl := range all {
		latestPerRef[pl.Ref] = max(latestPerRef[pl.Ref], pl.ID)
	}
	var userID int64 = -1
	if f.username != "" {
		for _, u := range w.users {
			if u.Username == f.username {
				userID = u.ID
			}
		}
	}
	out := make([]*pipeline, 0, len(all))
	for _, pl := range all {
		if f.keep(pl, userID, latestPerRef) {
			out = append(out, pl)
		}
	}
	slices.SortStableFunc(out, func(a, b *pipeline) int {
		c := f.compare(a, b)
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if f.sort == "desc" {
			return -c
		}
		return c
	})
	return out
}

func (f pipelineFilter) keep(pl *pipeline, userID int64, latestPerRef map[string]int64) bool {
	switch f.scope {
	case "running", "pending":
		if pl.Status != f.scope {
			return false
		}
	case "finished":
		if !pl.finished() {
			return false
		}
	case "branches", "tags":
		if pl.Tag != (f.scope == "tags") || latestPerRef[pl.Ref] != pl.ID {
			return false
		}
	}
	switch {
	case f.yamlErrors,
		f.status != "" && pl.Status != f.status,
		f.ref != "" && pl.Ref != f.ref,
		f.sha != "" && pl.Commit.SHA != f.sha,
		f.username != "" && pl.UserID != userID,
		f.source != "" && pl.Source != f.source,
		f.name != "" && pl.Name != f.name,
		!f.updatedBefore.IsZero() && !pl.UpdatedAt.Before(f.updatedBefore),
		!f.updatedAfter.IsZero() && !pl.UpdatedAt.After(f.updatedAfter),
		!f.createdBefore.IsZero() && !pl.CreatedAt.Before(f.createdBefore),
		!f.createdAfter.IsZero() && !pl.CreatedAt.After(f.createdAfter):
		return false
	}
	return true
}

func (f pipelineFilter) compare(a, b *pipeline) int {
	switch f.orderBy {
	case "status":
		return strings.Compare(a.Status, b.Status)
	case "ref":
		return strings.Compare(a.Ref, b.Ref)
	case "updated_at":
		return a.UpdatedAt.Compare(b.UpdatedAt)
	case "user_id":
		return cmp.Compare(a.UserID, b.UserID)
	}
	return 0
}

func (s *Sim) listPipelines(rc *requestContext) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.project(rc)
	if p == nil {
		return
	}
	pr, ok := rc.parsePagination()
	if !ok {
		return
	}
	f, ok := rc.pipelineFilter()
	if !ok {
		return
	}
	list := f.apply(s.world, p.Pipelines)
	q := rc.linkQuery(map[string]string{"page": "1", "per_page": "20", "order_by": "id", "sort": "desc"})
	lo, hi := rc.offsetPage(len(list), true, pr, q)
	rend := newRender(s.world, rc.base)
	out := make([]pipelineListEntity, 0, hi-lo)
	for _, pl := range list[lo:hi] {
		out = append(out, rend.pipelineListItem(pl))
	}
	writeJSON(rc.w, http.StatusOK, out)
}

// pipelineOf finds :pipeline_id among p's pipelines, answering 404 Not found otherwise.
func (s *Sim) pipelineOf(rc *requestContext, p *project) *pipeline {
	id, ok := rc.intParam("pipeline_id")
	if !ok {
		return nil
	}
	pl := s.world.pipelines[id]
	if pl == nil || pl.Project != p {
		recordNotFound(rc.w)
		return nil
	}
	return pl
}

func (s *Sim) getPipeline(rc *requestContext) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.project(rc)
	if p == nil {
		return
	}
	if pl := s.pipelineOf(rc, p); pl != nil {
		writeJSON(rc.w, http.StatusOK, newRender(s.world, rc.base).pipeline(pl))
	}
}

// pipelineJobs selects a pipeline's builds or bridges, id descending, latest
// attempts only unless include_retried, filtered by scope, one offset page.
func (s *Sim) pipelineJobs(rc *requestContext, kind jobKind, emit func(*render, []*job) any) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.project(rc)
	if p == nil {
		return
	}
	pl := s.pipelineOf(rc, p)
	if pl == nil {
		return
	}
	scope, ok := rc.scopes()
	if !ok {
		return
	}
	includeRetried, ok := rc.boolParam("include_retried", false)
	if !ok {
		return
	}
	pr, ok := rc.parsePagination()
	if !ok {
		return
	}
	var list []*job
	for i := len(pl.Jobs) - 1; i >= 0; i-- {
		j := pl.Jobs[i]
		if j.Kind == kind && (includeRetried || !j.Retried) && (scope == nil || scope[j.Status]) {
			list = append(list, j)
		}
	}
	slices.SortFunc(list, func(a, b *job) int { return cmp.Compare(b.ID, a.ID) })
	defaults := map[string]string{"page": "1", "per_page": "20"}
	if kind == kindBuild {
		defaults["include_retried"] = "false"
	}
	lo, hi := rc.offsetPage(len(list), true, pr, rc.linkQuery(defaults, "scope"))
	writeJSON(rc.w, http.StatusOK, emit(newRender(s.world, rc.base), list[lo:hi]))
}

func (s *Sim) listPipelineJobs(rc *requestContext) {
	s.pipelineJobs(rc, kindBuild, func(r *render, jobs []*job) any {
		out := make([]jobEntity, 0, len(jobs))
		for _, j := range jobs {
			out = append(out, r.job(j))
		}
		return out
	})
}

func (s *Sim) listPipelineBridges(rc *requestContext) {
	s.pipelineJobs(rc, kindBridge, func(r *render, jobs []*job) any {
		out := make([]bridgeEntity, 0, len(jobs))
		for _, j := range jobs {
			out = append(out, r.bridge(j))
		}
		return out
	})
}
