package graph

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"jobgraph/graph/loader"
	"jobgraph/graph/model"
	"jobgraph/graph/paging"
	"jobgraph/restclient"
)

func pageRequest(first *int, after *string, last *int, before *string) (paging.Request, error) {
	return paging.Args{First: first, After: after, Last: last, Before: before}.Validate()
}

// sharedPage fetches one upstream page of a list, once per operation however
// many fields ask for the same page; call names the list and its filters.
func sharedPage[T any](ctx context.Context, call string, page, perPage int, fetch func(context.Context) ([]T, *restclient.Response, error)) (paging.Page[T], error) {
	key := fmt.Sprintf("%s|page=%d|per_page=%d", call, page, perPage)
	return loader.Shared(ctx, key, func(ctx context.Context) (paging.Page[T], error) {
		items, resp, err := fetch(ctx)
		if err != nil {
			return paging.Page[T]{}, err
		}
		return paging.Page[T]{Items: items, HasNext: resp.NextPage != 0, Total: resp.Total}, nil
	})
}

func pageInfo[T any](res paging.Result[T]) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: res.HasNext, HasPreviousPage: res.HasPrevious}
	if n := len(res.Cursors); n > 0 {
		start, end := res.Cursors[0].String(), res.Cursors[n-1].String()
		info.StartCursor, info.EndCursor = &start, &end
	}
	return info
}

func projectKey(id int64) string { return strconv.FormatInt(id, 10) }

func scopeOf(statuses []model.JobStatus) []restclient.JobStatus {
	scope := make([]restclient.JobStatus, len(statuses))
	for i, s := range statuses {
		scope[i] = restclient.JobStatus(strings.ToLower(s.String()))
	}
	return scope
}

func jobID(j *restclient.Job) int64               { return j.ID }
func bridgeID(b *restclient.Bridge) int64         { return b.ID }
func pipelineID(p *restclient.PipelineInfo) int64 { return p.ID }
func projectID(p *restclient.Project) int64       { return p.ID }

// jobConnection pages through a job list of project and primes the loaders
// with the jobs it returns.
func jobConnection(ctx context.Context, project int64, req paging.Request, fetch paging.FetchFunc[*restclient.Job]) (*model.JobConnection, error) {
	res, err := paging.Resolve(ctx, req, fetch, jobID)
	if err != nil {
		return nil, err
	}
	conn := &model.JobConnection{
		Edges: make([]*model.JobEdge, len(res.Items)), Nodes: make([]*model.Job, len(res.Items)),
		PageInfo: pageInfo(res), TotalCount: res.Total,
	}
	for i, j := range res.Items {
		m := jobModel(project, j)
		conn.Nodes[i] = m
		conn.Edges[i] = &model.JobEdge{Cursor: res.Cursors[i].String(), Node: m}
	}
	if project != 0 {
		loader.For(ctx).PrimeJobs(ctx, projectKey(project), res.Items)
	}
	return conn, nil
}

func bridgeConnection(ctx context.Context, project, pipeline int64, req paging.Request, fetch paging.FetchFunc[*restclient.Bridge]) (*model.BridgeConnection, error) {
	res, err := paging.Resolve(ctx, req, fetch, bridgeID)
	if err != nil {
		return nil, err
	}
	conn := &model.BridgeConnection{
		Edges: make([]*model.BridgeEdge, len(res.Items)), Nodes: make([]*model.Bridge, len(res.Items)),
		PageInfo: pageInfo(res), TotalCount: res.Total,
	}
	for i, b := range res.Items {
		m := bridgeModel(project, pipeline, b)
		conn.Nodes[i] = m
		conn.Edges[i] = &model.BridgeEdge{Cursor: res.Cursors[i].String(), Node: m}
	}
	return conn, nil
}

func pipelineConnection(ctx context.Context, req paging.Request, fetch paging.FetchFunc[*restclient.PipelineInfo]) (*model.PipelineConnection, error) {
	res, err := paging.Resolve(ctx, req, fetch, pipelineID)
	if err != nil {
		return nil, err
	}
	conn := &model.PipelineConnection{
		Edges: make([]*model.PipelineEdge, len(res.Items)), Nodes: make([]*model.Pipeline, len(res.Items)),
		PageInfo: pageInfo(res), TotalCount: res.Total,
	}
	for i, p := range res.Items {
		m := pipelineInfoModel(p)
		conn.Nodes[i] = m
		conn.Edges[i] = &model.PipelineEdge{Cursor: res.Cursors[i].String(), Node: m}
	}
	return conn, nil
}

func projectConnection(ctx context.Context, req paging.Request, fetch paging.FetchFunc[*restclient.Project]) (*model.ProjectConnection, error) {
	res, err := paging.Resolve(ctx, req, fetch, projectID)
	if err != nil {
		return nil, err
	}
	conn := &model.ProjectConnection{
		Edges: make([]*model.ProjectEdge, len(res.Items)), Nodes: make([]*model.Project, len(res.Items)),
		PageInfo: pageInfo(res), TotalCount: res.Total,
	}
	loaders := loader.For(ctx)
	for i, p := range res.Items {
		m := projectModel(p)
		conn.Nodes[i] = m
		conn.Edges[i] = &model.ProjectEdge{Cursor: res.Cursors[i].String(), Node: m}
		loaders.PrimeProject(ctx, p)
	}
	return conn, nil
}
