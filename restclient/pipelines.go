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
