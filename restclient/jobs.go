package restclient

import (
	"context"
	"io"
	"net/http"
	"net/url"
)

// ListProjectJobs lists a project's jobs, newest first. GitLab sends no total
// for this route. With opt.Keyset, follow Response.NextCursor; a GitLab that
// pages jobs by offset only answers an error with ErrKeysetUnsupported.
func (c *Client) ListProjectJobs(ctx context.Context, pid string, opt *ListJobsOptions) ([]*Job, *Response, error) {
	path, pathErr := projectPath(pid, "/jobs")
	query, queryErr := opt.encode(true)
	req, err := newRequest(http.MethodGet, RouteProjectJobs, path, pathErr, query, queryErr)
	if err != nil {
		return nil, nil, err
	}
	jobs, resp, err := getList[Job](ctx, c, req)
	if err == nil && opt != nil && opt.Keyset && resp.Page != 0 {
		// GitLab ignored pagination=keyset: only offset pages say which
		// page they are.
		return nil, resp, req.fail(KindUpstream, resp.StatusCode, "GitLab answered a keyset request with an offset page", ErrKeysetUnsupported)
	}
	return jobs, resp, err
}

// ListPipelineJobs lists the jobs of one pipeline; retried jobs only with
// opt.IncludeRetried.
func (c *Client) ListPipelineJobs(ctx context.Context, pid string, pipelineID int64, opt *ListPipelineJobsOptions) ([]*Job, *Response, error) {
	path, pathErr := pipelinePath(pid, pipelineID, "/jobs")
	query, queryErr := opt.encode()
	req, err := newRequest(http.MethodGet, RoutePipelineJobs, path, pathErr, query, queryErr)
	if err != nil {
		return nil, nil, err
	}
	return getList[Job](ctx, c, req)
}

// ListPipelineBridges lists the trigger jobs of one pipeline.
func (c *Client) ListPipelineBridges(ctx context.Context, pid string, pipelineID int64, opt *ListJobsOptions) ([]*Bridge, *Response, error) {
	path, pathErr := pipelinePath(pid, pipelineID, "/bridges")
	query, queryErr := opt.encode(false)
	req, err := newRequest(http.MethodGet, RoutePipelineBridges, path, pathErr, query, queryErr)
	if err != nil {
		return nil, nil, err
	}
	return getList[Bridge](ctx, c, req)
}

// GetJob returns one job.
func (c *Client) GetJob(ctx context.Context, pid string, jobID int64) (*Job, *Response, error) {
	path, pathErr := jobPath(pid, jobID, "")
	req, err := get(RouteJob, path, pathErr)
	if err != nil {
		return nil, nil, err
	}
	return getOne[Job](ctx, c, req)
}

// GetJobLog streams a job's raw log. The caller must Close it (or the
// Response's Body, which is the same stream): until then it holds one of the
// MaxConnsPerHost connections. The log is empty when the job has none yet.
// Config.Timeout bounds the wait for the answer's headers; reading has no
// overall bound, as logs can be huge, but fails with KindTimeout once no data
// has come for Config.StreamIdleTimeout, and ends with ctx.
func (c *Client) GetJobLog(ctx context.Context, pid string, jobID int64) (io.ReadCloser, *Response, error) {
	path, pathErr := jobPath(pid, jobID, "/trace")
	req, err := get(RouteJobTrace, path, pathErr)
	if err != nil {
		return nil, nil, err
	}
	return getStream(ctx, c, req)
}

// CancelJob cancels a job; force cancels one already canceling (maintainers
// only). Never retried.
func (c *Client) CancelJob(ctx context.Context, pid string, jobID int64, force bool) (*Job, *Response, error) {
	query := url.Values{}
	if force {
		query.Set("force", "true")
	}
	path, pathErr := jobPath(pid, jobID, "/cancel")
	req, err := newRequest(http.MethodPost, RouteJobCancel, path, pathErr, query, nil)
	if err != nil {
		return nil, nil, err
	}
	return getOne[Job](ctx, c, req)
}

// RetryJob retries a job and returns the new job (a new id). Never retried.
func (c *Client) RetryJob(ctx context.Context, pid string, jobID int64) (*Job, *Response, error) {
	path, pathErr := jobPath(pid, jobID, "/retry")
	req, err := post(RouteJobRetry, path, pathErr)
	if err != nil {
		return nil, nil, err
	}
	return getOne[Job](ctx, c, req)
}

// EraseJob removes a job's log and artifacts. Never retried.
func (c *Client) EraseJob(ctx context.Context, pid string, jobID int64) (*Job, *Response, error) {
	path, pathErr := jobPath(pid, jobID, "/erase")
	req, err := post(RouteJobErase, path, pathErr)
	if err != nil {
		return nil, nil, err
	}
	return getOne[Job](ctx, c, req)
}

// playBody is the JSON body of a play with variables.
type playBody struct {
	JobVariablesAttributes []JobVariable `json:"job_variables_attributes"`
}

// PlayJob starts a manual or scheduled job, with optional variables. Never
// retried.
func (c *Client) PlayJob(ctx context.Context, pid string, jobID int64, vars []JobVariable) (*Job, *Response, error) {
	path, pathErr := jobPath(pid, jobID, "/play")
	req, err := post(RouteJobPlay, path, pathErr)
	if err != nil {
		return nil, nil, err
	}
	for _, v := range vars {
		if v.Key == "" {
			return nil, nil, req.fail(KindBadRequest, 0, "job variable with an empty key", nil)
		}
	}
	if len(vars) > 0 {
		req.body = playBody{JobVariablesAttributes: vars}
	}
	return getOne[Job](ctx, c, req)
}

// GetJobTokenJob returns the job whose CI job token ctx carries. It never
// uses the fallback credentials.
func (c *Client) GetJobTokenJob(ctx context.Context) (*Job, *Response, error) {
	req, err := get(RouteJobTokenJob, "/job", nil)
	if err != nil {
		return nil, nil, err
	}
	req.creds = callerJobToken
	return getOne[Job](ctx, c, req)
}
