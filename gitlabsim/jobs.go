package gitlabsim

import (
	"net/http"
	"slices"
	"strconv"
)

// availableStatuses is Ci::HasStatus::AVAILABLE_STATUSES, the values scope (and the
// pipelines' status filter) accepts.
var availableStatuses = map[string]bool{
	"created": true, "waiting_for_resource": true, "preparing": true, "waiting_for_callback": true,
	"pending": true, "running": true, "success": true, "failed": true, "canceling": true, "canceled": true,
	"skipped": true, "manual": true, "scheduled": true,
}

// scopes reads scope as one value or as scope[]; Grape rejects any unknown status.
func (rc *requestContext) scopes() (map[string]bool, bool) {
	vals := append(rc.query["scope"], rc.query["scope[]"]...)
	if len(vals) == 0 {
		return nil, true
	}
	set := map[string]bool{}
	for _, v := range vals {
		if !availableStatuses[v] {
			writeError(rc.w, http.StatusBadRequest, "scope does not have a valid value")
			return nil, false
		}
		set[v] = true
	}
	return set, true
}

// boolParam parses a Grape Boolean; absent means def.
func (rc *requestContext) boolParam(name string, def bool) (bool, bool) {
	v, present := rc.query[name]
	if !present {
		return def, true
	}
	switch v[len(v)-1] {
	case "true", "1", "t", "yes", "y", "on":
		return true, true
	case "false", "0", "f", "no", "n", "off", "":
		return false, true
	}
	writeError(rc.w, http.StatusBadRequest, name+" is invalid")
	return false, false
}

func (s *Sim) listProjectJobs(rc *requestContext) {
	if !rc.authenticated() {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.project(rc)
	if p == nil {
		return
	}
	scope, ok := rc.scopes()
	if !ok {
		return
	}
	pr, ok := rc.parsePagination()
	if !ok {
		return
	}
	keep := func(j *job) bool { return j.Kind == kindBuild && (scope == nil || scope[j.Status]) }
	rend := newRender(s.world, rc.base)
	q := rc.linkQuery(map[string]string{"page": "1", "per_page": "20"}, "scope")
	if rc.query.Get("pagination") == "keyset" {
		s.keysetJobs(rc, p, pr, q, keep, rend)
		return
	}
	if pr.page*pr.requestedPerPage > s.offsetLimit {
		writeError(rc.w, http.StatusMethodNotAllowed, "Offset pagination has a maximum allowed offset of "+
			strconv.Itoa(s.offsetLimit)+" for requests that return objects of type Ci::Build. "+
			"Remaining records can be retrieved using keyset pagination.")
		return
	}
	// The list is never counted (without_count), so walk only as far as this page
	// plus one record to learn whether a next page exists.
	want := pr.page*pr.perPage + 1
	var picked []*job
	for i := len(p.Jobs) - 1; i >= 0 && len(picked) < want; i-- {
		if keep(p.Jobs[i]) {
			picked = append(picked, p.Jobs[i])
		}
	}
	lo, hi := rc.offsetPage(len(picked), false, pr, q)
	out := make([]jobEntity, 0, hi-lo)
	for _, j := range picked[lo:hi] {
		out = append(out, rend.job(j))
	}
	writeJSON(rc.w, http.StatusOK, out)
}

// keysetJobs serves pagination=keyset: id descending only, as GitLab's
// Keyset::Paginator pages Ci::Build. A forward cursor ("_kd":"n") reads the ids
// below it; a backward one ("p") reads the page just above it (or the oldest page
// when it carries no id). Only the next page is linked (CursorPager), from the
// page's last record; a page read backwards always has one, the oldest page never.
// An undecodable cursor is not rescued by GitLab and ends in its 500.
func (s *Sim) keysetJobs(rc *requestContext, p *project, pr pageRequest, q linkQuery, keep func(*job) bool, rend *render) {
	orderBy, sortDir := rc.query.Get("order_by"), rc.query.Get("sort")
	if (orderBy != "" && orderBy != "id") || (sortDir != "" && sortDir != "desc") {
		writeError(rc.w, http.StatusMethodNotAllowed, "Keyset pagination is not yet available for this type of request")
		return
	}
	pos := keysetPosition{direction: keysetForward}
	if c := rc.query.Get("cursor"); c != "" {
		var err error
		if pos, err = decodeCursor(c); err != nil {
			internalError(rc.w)
			return
		}
	}
	backward := pos.direction == keysetBackward
	page, more := keysetPage(p.Jobs, pos, backward, pr.perPage, keep)
	linked := more
	switch {
	case backward:
		linked = pos.hasID && len(page) > 0
	case pos.direction != keysetForward:
		// Without a direction the paginator reads forwards but has no next page.
		linked = false
	}
	if linked {
		last := page[len(page)-1].ID
		rc.w.Header().Set("Link", "<"+rc.pageURL(q, map[string]string{"cursor": encodeCursor(last)})+`>; rel="next"`)
	}
	out := make([]jobEntity, 0, len(page))
	for _, j := range page {
		out = append(out, rend.job(j))
	}
	writeJSON(rc.w, http.StatusOK, out)
}

// keysetPage picks up to perPage kept jobs from jobs (id ascending) in id
// descending order: below pos.id going forward, the nearest above it going
// backward. more reports that another record lies beyond the page in the
// direction read.
func keysetPage(jobs []*job, pos keysetPosition, backward bool, perPage int, keep func(*job) bool) (page []*job, more bool) {
	if backward {
		for _, j := range jobs {
			if (pos.hasID && j.ID <= pos.id) || !keep(j) {
				continue
			}
			if len(page) == perPage {
				more = true
				break
			}
			page = append(page, j)
		}
		slices.Reverse(page)
		return page, more
	}
	for i := len(jobs) - 1; i >= 0; i-- {
		j := jobs[i]
		if (pos.hasID && j.ID >= pos.id) || !keep(j) {
			continue
		}
		if len(page) == perPage {
			return page, true
		}
		page = append(page, j)
	}
	return page, false
}

// build finds a Ci::Build (not a bridge) of p by :job_id, answering 404 Not found otherwise.
func (s *Sim) build(rc *requestContext, p *project) *job {
	j := s.processable(rc, p)
	if j != nil && j.Kind != kindBuild {
		recordNotFound(rc.w)
		return nil
	}
	return j
}

// processable finds a build or bridge of p by :job_id (GitLab's find_job!).
func (s *Sim) processable(rc *requestContext, p *project) *job {
	id, ok := rc.intParam("job_id")
	if !ok {
		return nil
	}
	j := s.world.jobsByID[id]
	if j == nil || j.Project != p {
		recordNotFound(rc.w)
		return nil
	}
	return j
}

func (s *Sim) getJob(rc *requestContext) {
	if !rc.authenticated() {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.project(rc)
	if p == nil {
		return
	}
	if j := s.build(rc, p); j != nil {
		writeJSON(rc.w, http.StatusOK, newRender(s.world, rc.base).job(j))
	}
}

// getJobOfToken serves GET /job: the job whose CI job token authenticated the request.
func (s *Sim) getJobOfToken(rc *requestContext) {
	if !rc.authenticated() {
		return
	}
	if rc.jobToken == nil {
		notFound(rc.w, "Job")
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	writeJSON(rc.w, http.StatusOK, newRender(s.world, rc.base).job(rc.jobToken))
}
