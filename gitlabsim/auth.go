package gitlabsim

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

var personalTokens = map[string]int64{
	TokenMaintainer: UserMaintainer,
	TokenDeveloper:  UserDeveloper,
	TokenGuest:      UserGuest,
	TokenOutsider:   UserOutsider,
}

// requestContext is one API request after routing and authentication.
type requestContext struct {
	w      http.ResponseWriter
	r      *http.Request
	route  *route
	params routeParams
	query  url.Values
	base   string
	// user is nil for anonymous requests.
	user *user
	// jobToken is the running job whose CI_JOB_TOKEN authenticated the request.
	jobToken *job
}

// jobTokenRoutes are the routes GitLab marks job_token_allowed.
var jobTokenRoutes = map[string]bool{
	"GET /api/v4/projects/:id/jobs":                        true,
	"GET /api/v4/projects/:id/pipelines/:pipeline_id/jobs": true,
	"GET /api/v4/job":                                      true,
}

// newRequestContext authenticates like GitLab's APIGuard: a personal or OAuth token
// from PRIVATE-TOKEN, private_token, Authorization: Bearer or access_token; a CI job
// token from JOB-TOKEN or job_token on routes that accept one. On those routes a
// Bearer value is also tried as a job token (AuthFinders#find_user_from_job_token
// reads the parsed OAuth token too), which is how doc/api/jobs.md calls GET /job.
// A token that is present but invalid is a 401 everywhere.
func (s *Sim) newRequestContext(w http.ResponseWriter, r *http.Request, rt *route, params routeParams) (*requestContext, bool) {
	q := r.URL.Query()
	rc := &requestContext{w: w, r: r, route: rt, params: params, query: q, base: s.baseURL(r)}
	bearerTok := bearer(r)
	personal := firstNonEmpty(r.Header.Get("PRIVATE-TOKEN"), q.Get("private_token"), bearerTok, q.Get("access_token"))
	jobTok := firstNonEmpty(r.Header.Get("JOB-TOKEN"), q.Get("job_token"))
	jobTokenAllowed := jobTokenRoutes[rt.key()]
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case personal != "":
		if id, ok := personalTokens[personal]; ok {
			rc.user = s.world.usersByID[id]
			break
		}
		if personal != bearerTok || !jobTokenAllowed || !rc.authenticateJob(s.world, bearerTok) {
			unauthorized(w)
			return nil, false
		}
	case jobTok != "" && jobTokenAllowed:
		if !rc.authenticateJob(s.world, jobTok) {
			unauthorized(w)
			return nil, false
		}
	}
	return rc, true
}

// authenticateJob makes the running job owning token the request's job token and
// its user the caller; it reports whether token belongs to a running job.
func (rc *requestContext) authenticateJob(w *world, token string) bool {
	j := w.jobByToken(token)
	if j == nil {
		return false
	}
	rc.jobToken, rc.user = j, w.usersByID[j.UserID]
	return true
}

func bearer(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// jobByToken finds the job a CI job token belongs to; the token only works while the job runs.
func (w *world) jobByToken(token string) *job {
	j := w.jobTokens[token]
	if j == nil || j.Status != "running" {
		return nil
	}
	return j
}

// authenticated answers 401 for anonymous requests (GitLab's authenticate!).
func (rc *requestContext) authenticated() bool {
	if rc.user == nil {
		unauthorized(rc.w)
		return false
	}
	return true
}

// accessLevel is the caller's membership level in p.
func (rc *requestContext) accessLevel(p *project) int {
	if rc.user == nil || rc.jobToken != nil {
		return accessNone
	}
	return p.Members[rc.user.ID]
}

func (rc *requestContext) canRead(p *project) bool {
	if rc.jobToken != nil {
		// The job token scope lets a job read its own project.
		return rc.jobToken.Project == p
	}
	switch p.Visibility {
	case visibilityPublic:
		return true
	case visibilityInternal:
		return rc.user != nil
	}
	return rc.accessLevel(p) > accessNone
}

// project resolves :id (numeric id or URL-encoded full path) to a project the caller
// may read; otherwise it answers 404 Project Not Found, hiding whether it exists.
// The caller holds the world lock.
func (s *Sim) project(rc *requestContext) *project {
	raw, err := url.PathUnescape(rc.params["id"])
	var p *project
	if err == nil {
		if id, convErr := strconv.ParseInt(raw, 10, 64); convErr == nil {
			p = s.world.projectByID[id]
		} else {
			p = s.world.projectByPath(raw)
		}
	}
	if p == nil || !rc.canRead(p) {
		notFound(rc.w, "Project")
		return nil
	}
	return p
}

// intParam parses a required integer path parameter; Grape answers 400 "<name> is invalid".
func (rc *requestContext) intParam(name string) (int64, bool) {
	v, err := strconv.ParseInt(rc.params[name], 10, 64)
	if err != nil {
		writeError(rc.w, http.StatusBadRequest, name+" is invalid")
		return 0, false
	}
	return v, true
}
