package gitlabsim

import (
	"net/http"
	"strings"
)

// routeParams holds the raw (still escaped) path parameters of a matched route.
type routeParams map[string]string

type handlerFunc func(s *Sim, rc *requestContext)

type route struct {
	method   string
	template string // GitLab's route template under /api/v4, e.g. /projects/:id/jobs
	parts    []string
	handle   handlerFunc
}

func (r route) key() string { return r.method + " /api/v4" + r.template }

func newRoutes() []route {
	table := []route{
		{method: http.MethodGet, template: "/projects", handle: (*Sim).listProjects},
		{method: http.MethodGet, template: "/projects/:id", handle: (*Sim).getProject},
		{method: http.MethodGet, template: "/projects/:id/jobs", handle: (*Sim).listProjectJobs},
		{method: http.MethodGet, template: "/projects/:id/jobs/:job_id", handle: (*Sim).getJob},
		{method: http.MethodGet, template: "/projects/:id/jobs/:job_id/trace", handle: (*Sim).getTrace},
		{method: http.MethodPost, template: "/projects/:id/jobs/:job_id/cancel", handle: (*Sim).cancelJob},
		{method: http.MethodPost, template: "/projects/:id/jobs/:job_id/retry", handle: (*Sim).retryJob},
		{method: http.MethodPost, template: "/projects/:id/jobs/:job_id/erase", handle: (*Sim).eraseJob},
		{method: http.MethodPost, template: "/projects/:id/jobs/:job_id/play", handle: (*Sim).playJob},
		{method: http.MethodGet, template: "/projects/:id/pipelines", handle: (*Sim).listPipelines},
		{method: http.MethodGet, template: "/projects/:id/pipelines/:pipeline_id", handle: (*Sim).getPipeline},
		{method: http.MethodPost, template: "/projects/:id/pipelines/:pipeline_id/cancel", handle: (*Sim).cancelPipeline},
		{method: http.MethodPost, template: "/projects/:id/pipelines/:pipeline_id/retry", handle: (*Sim).retryPipeline},
		{method: http.MethodGet, template: "/projects/:id/pipelines/:pipeline_id/jobs", handle: (*Sim).listPipelineJobs},
		{method: http.MethodGet, template: "/projects/:id/pipelines/:pipeline_id/bridges", handle: (*Sim).listPipelineBridges},
		{method: http.MethodGet, template: "/projects/:id/repository/commits/:sha", handle: (*Sim).getCommit},
		{method: http.MethodGet, template: "/users/:id", handle: (*Sim).getUser},
		{method: http.MethodGet, template: "/user", handle: (*Sim).getCurrentUser},
		{method: http.MethodGet, template: "/job", handle: (*Sim).getJobOfToken},
		{method: http.MethodGet, template: "/version", handle: (*Sim).getVersion},
	}
	for i := range table {
		table[i].parts = strings.Split(strings.TrimPrefix(table[i].template, "/"), "/")
	}
	return table
}

// match finds the route for an escaped path below /api/v4. Matching on the escaped
// path keeps %2F inside a single segment, so "group%2Fproject" is one :id while an
// unencoded "group/project" matches nothing, as in GitLab.
func match(table []route, method, escapedPath string) (*route, routeParams) {
	rest, ok := strings.CutPrefix(escapedPath, "/api/v4/")
	if !ok {
		return nil, nil
	}
	// Grape accepts an optional format suffix on the last segment.
	rest = strings.TrimSuffix(rest, ".json")
	segs := strings.Split(rest, "/")
	for i := range table {
		r := &table[i]
		if r.method != method && !(method == http.MethodHead && r.method == http.MethodGet) {
			continue
		}
		if len(r.parts) != len(segs) {
			continue
		}
		params := routeParams{}
		for k, part := range r.parts {
			if name, isParam := strings.CutPrefix(part, ":"); isParam {
				if segs[k] == "" {
					params = nil
					break
				}
				params[name] = segs[k]
				continue
			}
			if part != segs[k] {
				params = nil
				break
			}
		}
		if params != nil {
			return r, params
		}
	}
	return nil, nil
}
