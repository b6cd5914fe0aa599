package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"jobgraph/graph/globalid"
	"jobgraph/graph/loader"
	"jobgraph/graph/model"
	"jobgraph/internal/safely"
)

// idOnlyProjectFields are the Project fields that need nothing of the project
// but the key GitLab's routes take.
var idOnlyProjectFields = map[string]bool{
	"__typename": true, "jobs": true, "job": true, "pipeline": true, "pipelines": true,
}

// lazyProject returns a project model that is not fetched, when the selection
// allows it; nil when the project must be fetched. A query selecting only
// id-only fields, at least one of them a non-null list (say
// `project(fullPath:…){jobs{…}}`), costs no project call: the list call
// answers 404 for a project that does not exist or is hidden, and the list
// being non-null, that error nulls the project as a fetch would have.
func lazyProject(ctx context.Context, key string, id *int) *model.Project {
	provesExistence := false
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		numericField := f.Name == "id" || f.Name == "databaseId"
		if !idOnlyProjectFields[f.Name] && !(numericField && id != nil) {
			return nil
		}
		provesExistence = provesExistence || f.Name == "jobs" || f.Name == "pipelines"
	}
	if !provesExistence {
		return nil
	}
	p := &model.Project{Key: key}
	if id != nil {
		p.DatabaseID = int64(*id)
	}
	return p
}

// onlyFields reports whether the field being resolved selects nothing but
// the named fields of its object: what the parent already knows answers
// those without a call.
func onlyFields(ctx context.Context, names ...string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if !slices.Contains(names, f.Name) {
			return false
		}
	}
	return true
}

func (r *Resolver) projectByID(ctx context.Context, id int64) (*model.Project, error) {
	p, err := loader.For(ctx).Project(ctx, projectKey(id))
	if err != nil {
		return nil, err
	}
	return projectModel(p), nil
}

// pipelineDetail returns what only the full pipeline carries, fetching it
// (once per request) when the pipeline came embedded in another response.
func (r *Resolver) pipelineDetail(ctx context.Context, p *model.Pipeline) (*model.PipelineDetail, error) {
	if p.Detail != nil {
		return p.Detail, nil
	}
	full, err := loader.For(ctx).Pipeline(ctx, projectKey(p.ProjectID), p.DatabaseID)
	if err != nil {
		return nil, err
	}
	return pipelineDetail(full), nil
}

// detailField answers a field that only an object's full form carries (see
// pipelineDetail, commitDetail): pick reads it from the detail.
func detailField[O, D, F any](ctx context.Context, obj O, detail func(context.Context, O) (*D, error), pick func(*D) F) (F, error) {
	d, err := detail(ctx, obj)
	if err != nil {
		var zero F
		return zero, err
	}
	return pick(d), nil
}

// commitDetail returns what only the single-commit response carries.
func (r *Resolver) commitDetail(ctx context.Context, c *model.Commit) (*model.CommitDetail, error) {
	if c.Detail != nil {
		return c.Detail, nil
	}
	full, err := loader.For(ctx).Commit(ctx, projectKey(c.ProjectID), c.Sha)
	if err != nil {
		return nil, err
	}
	return commitDetail(full), nil
}

// node resolves a global id through the loaders.
func (r *Resolver) node(ctx context.Context, raw string) (model.Node, error) {
	id, err := globalid.Parse(raw)
	if err != nil {
		return nil, err
	}
	l := loader.For(ctx)
	switch id.Type {
	case globalid.TypeProject:
		p, err := l.Project(ctx, projectKey(id.ObjectID))
		if err != nil {
			return nil, err
		}
		return projectModel(p), nil
	case globalid.TypeJob:
		j, err := l.Job(ctx, projectKey(id.ProjectID), id.ObjectID)
		if err != nil {
			return nil, err
		}
		return jobModel(id.ProjectID, j), nil
	case globalid.TypePipeline:
		p, err := l.Pipeline(ctx, projectKey(id.ProjectID), id.ObjectID)
		if err != nil {
			return nil, err
		}
		return pipelineModel(p), nil
	case globalid.TypeCommit:
		c, err := l.Commit(ctx, projectKey(id.ProjectID), id.SHA)
		if err != nil {
			return nil, err
		}
		m := commitModel(id.ProjectID, c)
		m.Detail = commitDetail(c)
		return m, nil
	case globalid.TypeUser:
		u, err := l.User(ctx, id.ObjectID)
		if err != nil {
			return nil, err
		}
		return userModel(u), nil
	case globalid.TypeBridge:
		bridges, err := l.Bridges(ctx, projectKey(id.ProjectID), id.PipelineID)
		if err != nil {
			return nil, err
		}
		for _, b := range bridges {
			if b.ID == id.ObjectID {
				return bridgeModel(id.ProjectID, id.PipelineID, b), nil
			}
		}
		return nil, &notFoundError{msg: "404 Bridge Not Found"}
	case globalid.TypeRunner, globalid.TypeRunnerManager, globalid.TypeNamespace:
		// GitLab's REST API shows a runner and its managers by id only to
		// their administrators, and jobgraph does not call the namespaces API.
		return nil, badInput("a %s's id keys it in client caches; node() does not fetch %[1]ss", id.Type)
	}
	return nil, globalid.ErrInvalid
}

// nodes resolves ids concurrently; a failed entry is null with its own error
// at its index, the others still resolve.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodeIDs {
		return nil, badInput("at most %d ids per call, got %d", maxNodeIDs, len(ids))
	}
	out := make([]model.Node, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, raw := range ids {
		wg.Go(func() {
			errs[i] = safely.Run(ctx, func() (err error) {
				out[i], err = r.node(ctx, raw)
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			path := append(ast.Path{}, graphql.GetPath(ctx)...)
			graphql.AddError(ctx, gqlerror.WrapPath(append(path, ast.PathIndex(i)), err))
		}
	}
	return out, nil
}

// maxNodeIDs bounds one nodes() call, like GitLab's own GraphQL API.
const maxNodeIDs = 100
