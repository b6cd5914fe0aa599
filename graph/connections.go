package graph

import (
	"context"
	"fmt"
	"slices"
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

// sharedKeysetPage is sharedPage for a page read by keyset pagination, after
// GitLab's cursor.
func sharedKeysetPage[T any](ctx context.Context, call, cursor string, perPage int, fetch func(context.Context) ([]T, *restclient.Response, error)) ([]T, string, error) {
	type keysetPage struct {
		items []T
		next  string
	}
	key := fmt.Sprintf("%s|keyset=%q|per_page=%d", call, cursor, perPage)
	p, err := loader.Shared(ctx, key, func(ctx context.Context) (keysetPage, error) {
		items, resp, err := fetch(ctx)
		if err != nil {
			return keysetPage{}, err
		}
		return keysetPage{items: items, next: resp.NextCursor}, nil
	})
	return p.items, p.next, err
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

// scopeOf is GitLab's scope for statuses, each once: a list repeating a
// status would otherwise go upstream as long as the client made it.
func scopeOf(statuses []model.CiStatus) []restclient.JobStatus {
	scope := make([]restclient.JobStatus, 0, min(len(statuses), len(model.AllCiStatus)))
	for _, s := range statuses {
		if st := restclient.JobStatus(strings.ToLower(s.String())); !slices.Contains(scope, st) {
			scope = append(scope, st)
		}
	}
	return scope
}

// Longest text arguments passed on to GitLab: a project's full path (up to
// 20 namespaces of 255 characters each) and a search term, ref or sha.
const (
	maxPathLen = 20 * 256
	maxTextLen = 1024
)

// boundedText refuses an argument longer than limit, rather than pass it on
// to GitLab.
func boundedText(name, text string, limit int) error {
	if len(text) > limit {
		return badInput("%s is %d bytes long, over the limit of %d", name, len(text), limit)
	}
	return nil
}

func jobID(j *restclient.Job) int64               { return j.ID }
func bridgeID(b *restclient.Bridge) int64         { return b.ID }
func pipelineID(p *restclient.PipelineInfo) int64 { return p.ID }
func projectID(p *restclient.Project) int64       { return p.ID }

// page builds a connection page's parts from a paging result: the nodes, an
// edge per node, and the page information. node maps the i-th item. The
// edges are built in one slice rather than one allocation each.
func page[T, N, E any](res paging.Result[T], node func(i int, item T) N, edge func(paging.Cursor, N) E) ([]N, []*E, *model.PageInfo) {
	nodes, edges, edgeValues := make([]N, len(res.Items)), make([]*E, len(res.Items)), make([]E, len(res.Items))
	for i, item := range res.Items {
		nodes[i] = node(i, item)
		edgeValues[i] = edge(res.Cursors[i], nodes[i])
		edges[i] = &edgeValues[i]
	}
	return nodes, edges, pageInfo(res)
}

// each adapts a mapping of one item to page's node.
func each[T, N any](node func(T) N) func(int, T) N {
	return func(_ int, item T) N { return node(item) }
}

// jobConnection pages through src, a job list of project, and primes the
// loaders with the jobs it returns.
func jobConnection(ctx context.Context, project int64, req paging.Request, src paging.Source[*restclient.Job]) (*model.JobConnection, error) {
	src.ID = jobID
	res, err := paging.Resolve(ctx, req, src)
	if err != nil {
		return nil, err
	}
	if project != 0 {
		loader.For(ctx).PrimeJobs(ctx, projectKey(project), res.Items)
	}
	// The page's jobs are built in one slice, and share the models of what
	// they embed.
	jobs := make([]model.Job, len(res.Items))
	var embedded embeddedModels
	nodes, edges, info := page(res,
		func(i int, j *restclient.Job) *model.Job {
			embedded.job(&jobs[i], project, j)
			return &jobs[i]
		},
		func(c paging.Cursor, n *model.Job) model.JobEdge { return model.JobEdge{At: c, Node: n} })
	return &model.JobConnection{Nodes: nodes, Edges: edges, PageInfo: info, TotalCount: res.Total}, nil
}

// listName names a list for its cursors (paging.Source.List): its kind and
// the ids of the objects it belongs to, or "" when one of them is not known
// (a project named by path and not fetched).
func listName(kind string, ids ...int64) string {
	name := kind
	for _, id := range ids {
		if id == 0 {
			return ""
		}
		name += "|" + strconv.FormatInt(id, 10)
	}
	return name
}

func bridgeConnection(ctx context.Context, project, pipeline int64, req paging.Request, fetch paging.FetchFunc[*restclient.Bridge]) (*model.BridgeConnection, error) {
	res, err := paging.Resolve(ctx, req, paging.Source[*restclient.Bridge]{Fetch: fetch, ID: bridgeID, List: listName("bridges", project, pipeline)})
	if err != nil {
		return nil, err
	}
	nodes, edges, info := page(res,
		each(func(b *restclient.Bridge) *model.Bridge { return bridgeModel(project, pipeline, b) }),
		func(c paging.Cursor, n *model.Bridge) model.BridgeEdge { return model.BridgeEdge{At: c, Node: n} })
	return &model.BridgeConnection{Nodes: nodes, Edges: edges, PageInfo: info, TotalCount: res.Total}, nil
}

func pipelineConnection(ctx context.Context, project int64, req paging.Request, fetch paging.FetchFunc[*restclient.PipelineInfo]) (*model.PipelineConnection, error) {
	res, err := paging.Resolve(ctx, req, paging.Source[*restclient.PipelineInfo]{Fetch: fetch, ID: pipelineID, List: listName("pipelines", project)})
	if err != nil {
		return nil, err
	}
	nodes, edges, info := page(res, each(pipelineInfoModel),
		func(c paging.Cursor, n *model.Pipeline) model.PipelineEdge {
			return model.PipelineEdge{At: c, Node: n}
		})
	return &model.PipelineConnection{Nodes: nodes, Edges: edges, PageInfo: info, TotalCount: res.Total}, nil
}

func projectConnection(ctx context.Context, req paging.Request, fetch paging.FetchFunc[*restclient.Project]) (*model.ProjectConnection, error) {
	// GitLab offers keyset pagination for projects, so it limits their
	// offset pagination.
	res, err := paging.Resolve(ctx, req, paging.Source[*restclient.Project]{Fetch: fetch, ID: projectID, OffsetLimit: paging.GitLabOffsetLimit, List: listName("projects")})
	if err != nil {
		return nil, err
	}
	loaders := loader.For(ctx)
	for _, p := range res.Items {
		loaders.PrimeProject(ctx, p)
	}
	nodes, edges, info := page(res, each(projectModel),
		func(c paging.Cursor, n *model.Project) model.ProjectEdge { return model.ProjectEdge{At: c, Node: n} })
	return &model.ProjectConnection{Nodes: nodes, Edges: edges, PageInfo: info, TotalCount: res.Total}, nil
}
