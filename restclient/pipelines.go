package restclient

import (
	"context"
	"net/http"
)

// ListProjectPipelines lists a project's pipelines.
func (c *Client) ListProjectPipelines(ctx context.Context, pid string, opt *ListPipelinesOptions) ([]*PipelineInfo, *Response, error) {
	path, pathErr := projectPath(pid, "/pipelines")
	query, queryErr := opt.encode()
	req, err := newRequest(http.MethodGet, RouteProjectPipelines, path, pathErr, query, queryErr)
	if err != nil {
		return nil, nil, err
	}
	return getList[PipelineInfo](ctx, c, req)
}

// GetPipeline returns one pipeline in full.
func (c *Client) GetPipeline(ctx context.Context, pid string, pipelineID int64) (*Pipeline, *Response, error) {
	path, pathErr := pipelinePath(pid, pipelineID, "")
	req, err := get(RoutePipeline, path, pathErr)
	if err != nil {
		return nil, nil, err
	}
	return getOne[Pipeline](ctx, c, req)
}

// CancelPipeline cancels every cancelable job of a pipeline and returns the
// pipeline. GitLab answers with the pipeline also when nothing was
// cancelable. Never retried.
func (c *Client) CancelPipeline(ctx context.Context, pid string, pipelineID int64) (*Pipeline, *Response, error) {
	return c.pipelineAction(ctx, RoutePipelineCancel, pid, pipelineID, "/cancel")
}

// RetryPipeline retries the failed and canceled jobs of a pipeline and
// returns the pipeline. Never retried.
func (c *Client) RetryPipeline(ctx context.Context, pid string, pipelineID int64) (*Pipeline, *Response, error) {
	return c.pipelineAction(ctx, RoutePipelineRetry, pid, pipelineID, "/retry")
}

func (c *Client) pipelineAction(ctx context.Context, route, pid string, pipelineID int64, suffix string) (*Pipeline, *Response, error) {
	path, pathErr := pipelinePath(pid, pipelineID, suffix)
	req, err := post(route, path, pathErr)
	if err != nil {
		return nil, nil, err
	}
	return getOne[Pipeline](ctx, c, req)
}
