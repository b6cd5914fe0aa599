package restclient

import (
	"net/http"
	"net/url"
)

// Route templates, as GitLab documents them; they name calls in errors.
const (
	RouteProjects         = "/projects"
	RouteProject          = "/projects/:id"
	RouteProjectJobs      = "/projects/:id/jobs"
	RoutePipelineJobs     = "/projects/:id/pipelines/:pipeline_id/jobs"
	RoutePipelineBridges  = "/projects/:id/pipelines/:pipeline_id/bridges"
	RouteJob              = "/projects/:id/jobs/:job_id"
	RouteJobTrace         = "/projects/:id/jobs/:job_id/trace"
	RouteJobCancel        = "/projects/:id/jobs/:job_id/cancel"
	RouteJobRetry         = "/projects/:id/jobs/:job_id/retry"
	RouteJobErase         = "/projects/:id/jobs/:job_id/erase"
	RouteJobPlay          = "/projects/:id/jobs/:job_id/play"
	RouteJobTokenJob      = "/job"
	RouteProjectPipelines = "/projects/:id/pipelines"
	RoutePipeline         = "/projects/:id/pipelines/:pipeline_id"
	RoutePipelineCancel   = "/projects/:id/pipelines/:pipeline_id/cancel"
	RoutePipelineRetry    = "/projects/:id/pipelines/:pipeline_id/retry"
	RouteCommit           = "/projects/:id/repository/commits/:sha"
	RouteUser             = "/users/:id"
	RouteCurrentUser      = "/user"
	RouteVersion          = "/version"
)

// newRequest assembles a request from an escaped path and a query, each with
// the error of building it; a building error is the caller's bad input. A POST
// changes a job in someone's name, so it is only ever the caller's: the
// server-wide fallback must not let an anonymous caller act.
func newRequest(method, route, path string, pathErr error, query url.Values, queryErr error) (*request, error) {
	req := &request{method: method, route: route, path: path, query: query}
	if method != http.MethodGet {
		req.creds = callerOnly
	}
	for _, err := range []error{pathErr, queryErr} {
		if err != nil {
			return nil, req.fail(KindBadRequest, 0, err.Error(), nil)
		}
	}
	return req, nil
}

func get(route, path string, pathErr error) (*request, error) {
	return newRequest(http.MethodGet, route, path, pathErr, nil, nil)
}

func post(route, path string, pathErr error) (*request, error) {
	return newRequest(http.MethodPost, route, path, pathErr, nil, nil)
}
