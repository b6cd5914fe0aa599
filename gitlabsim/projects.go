package gitlabsim

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

var projectOrderColumns = map[string]bool{
	"id": true, "name": true, "path": true, "created_at": true, "updated_at": true, "last_activity_at": true,
}

var visibilities = map[string]bool{"private": true, "internal": true, "public": true}

// listProjects serves GET /projects: every project the caller can see, filtered by
// membership, search and visibility, ordered (default created_at desc), offset-paginated with totals.
func (s *Sim) listProjects(rc *requestContext) {
	membership, ok := rc.boolParam("membership", false)
	if !ok {
		return
	}
	orderBy, ok := rc.enumParam("order_by", "created_at", projectOrderColumns)
	if !ok {
		return
	}
	sortDir, ok := rc.enumParam("sort", "desc", map[string]bool{"asc": true, "desc": true})
	if !ok {
		return
	}
	vis, ok := rc.enumParam("visibility", "", visibilities)
	if !ok {
		return
	}
	pr, ok := rc.parsePagination()
	if !ok {
		return
	}
	search := strings.ToLower(rc.query.Get("search"))
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []*project
	for _, p := range s.world.projects {
		switch {
		case !rc.canRead(p),
			membership && rc.accessLevel(p) == accessNone,
			vis != "" && string(p.Visibility) != vis,
			search != "" && !matchesSearch(p, search):
			continue
		}
		list = append(list, p)
	}
	slices.SortStableFunc(list, func(a, b *project) int {
		c := compareProjects(a, b, orderBy)
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if sortDir == "desc" {
			return -c
		}
		return c
	})
	q := rc.linkQuery(map[string]string{"page": "1", "per_page": "20", "order_by": "created_at", "sort": "desc"})
	lo, hi := rc.offsetPage(len(list), true, pr, q)
	rend := newRender(s.world, rc.base)
	out := make([]projectEntity, 0, hi-lo)
	for _, p := range list[lo:hi] {
		out = append(out, rend.project(p))
	}
	writeJSON(rc.w, http.StatusOK, out)
}

func matchesSearch(p *project, term string) bool {
	for _, field := range []string{p.Name, p.Path, p.Description} {
		if strings.Contains(strings.ToLower(field), term) {
			return true
		}
	}
	return false
}

func compareProjects(a, b *project, orderBy string) int {
	switch orderBy {
	case "id":
		return cmp.Compare(a.ID, b.ID)
	case "name":
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	case "path":
		return strings.Compare(a.Path, b.Path)
	case "updated_at", "last_activity_at":
		return a.LastActivityAt.Compare(b.LastActivityAt)
	}
	return a.CreatedAt.Compare(b.CreatedAt)
}

// getProject serves GET /projects/:id: Entities::ProjectWithAccess for an
// authenticated caller, with _links and the caller's permissions.
func (s *Sim) getProject(rc *requestContext) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.project(rc)
	if p == nil {
		return
	}
	rend := newRender(s.world, rc.base)
	if rc.user == nil {
		writeJSON(rc.w, http.StatusOK, rend.project(p))
		return
	}
	writeJSON(rc.w, http.StatusOK, rend.projectWithAccess(p, rc.accessLevel(p)))
}

// getCommit serves a single commit by full or abbreviated SHA or by branch name.
func (s *Sim) getCommit(rc *requestContext) {
	withStats, ok := rc.boolParam("stats", true)
	if !ok {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.project(rc)
	if p == nil {
		return
	}
	ref, err := url.PathUnescape(rc.params["sha"])
	c := findCommit(p, ref)
	if err != nil || c == nil {
		notFound(rc.w, "Commit")
		return
	}
	out := newRender(s.world, rc.base).commitDetail(p, c)
	if !withStats {
		out.Stats = nil
	}
	writeJSON(rc.w, http.StatusOK, out)
}

// minShortSHA is the shortest abbreviation Git resolves.
const minShortSHA = 7

func findCommit(p *project, ref string) *commit {
	if c := p.Commits[strings.ToLower(ref)]; c != nil {
		return c
	}
	for i := len(p.Pipelines) - 1; i >= 0; i-- {
		if pl := p.Pipelines[i]; pl.Ref == ref && pl.Source != "merge_request_event" {
			return pl.Commit
		}
	}
	if len(ref) < minShortSHA {
		return nil
	}
	var found *commit
	for sha, c := range p.Commits {
		if strings.HasPrefix(sha, strings.ToLower(ref)) {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	return found
}
