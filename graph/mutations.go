package graph

import (
	"context"
	"errors"

	"jobgraph/graph/globalid"
	"jobgraph/graph/loader"
	"jobgraph/graph/model"
	"jobgraph/restclient"
)

// An action is one POST to GitLab; restclient never retries it, because a
// POST repeated after a lost answer could run a job twice.

// action performs an action on the object of type kind named by rawID and
// returns the object to answer with: the one GitLab returned, or, when
// GitLab refused in words meant for users, the object as it now is, read
// afresh, with the refusal as the payload's error.
func action[T any](ctx context.Context, rawID string, kind globalid.Type,
	act func(ctx context.Context, pid string, id int64) (*T, *restclient.Response, error),
	read func(l *loader.Loaders, ctx context.Context, pid string, id int64) (*T, error),
) (*T, globalid.ID, []string, error) {
	id, err := actionTarget(ctx, rawID, kind)
	if err != nil {
		return nil, id, nil, err
	}
	pid := projectKey(id.ProjectID)
	v, _, err := act(ctx, pid, id.ObjectID)
	l := loader.For(ctx)
	l.ForgetJobsAndPipelines()
	var e *restclient.Error
	if errors.As(err, &e) {
		if reason, refused := e.Refusal(); refused {
			now, err := read(l, ctx, pid, id.ObjectID)
			if err != nil {
				return nil, id, nil, err
			}
			return now, id, []string{reason}, nil
		}
	}
	if err != nil {
		return nil, id, nil, err
	}
	return v, id, []string{}, nil
}

// jobAction is action on a job; the job GitLab answered primes the loaders.
func (r *Resolver) jobAction(ctx context.Context, rawID string, act func(ctx context.Context, pid string, id int64) (*restclient.Job, *restclient.Response, error)) (*model.Job, []string, error) {
	j, id, errs, err := action(ctx, rawID, globalid.TypeJob, act, (*loader.Loaders).Job)
	if err != nil {
		return nil, nil, err
	}
	loader.For(ctx).PrimeJobs(ctx, projectKey(id.ProjectID), []*restclient.Job{j})
	return jobModel(id.ProjectID, j), errs, nil
}

// pipelineAction is action on a pipeline.
func (r *Resolver) pipelineAction(ctx context.Context, rawID string, act func(ctx context.Context, pid string, id int64) (*restclient.Pipeline, *restclient.Response, error)) (*model.Pipeline, []string, error) {
	p, _, errs, err := action(ctx, rawID, globalid.TypePipeline, act, (*loader.Loaders).Pipeline)
	if err != nil {
		return nil, nil, err
	}
	loader.For(ctx).PrimePipeline(ctx, p)
	return pipelineModel(p), errs, nil
}

// actionTarget parses the global id of an action's object, which must be of
// type want, and checks that the caller brought credentials: GitLab acts only
// in a caller's own name.
func actionTarget(ctx context.Context, rawID string, want globalid.Type) (globalid.ID, error) {
	id, err := globalid.Parse(rawID)
	if err != nil {
		return id, err
	}
	if id.Type != want {
		return id, badInput("id %q is not the id of a %s", rawID, want)
	}
	if _, ok := restclient.CredentialsFrom(ctx); !ok {
		return id, errNoCredentials
	}
	return id, nil
}

func (r *Resolver) jobCancel(ctx context.Context, in model.JobCancelInput) (*model.JobCancelPayload, error) {
	force := in.Force != nil && *in.Force
	job, errs, err := r.jobAction(ctx, in.ID, func(ctx context.Context, pid string, id int64) (*restclient.Job, *restclient.Response, error) {
		return r.Client.CancelJob(ctx, pid, id, force)
	})
	if err != nil {
		return nil, err
	}
	return &model.JobCancelPayload{Job: job, Errors: errs, ClientMutationID: in.ClientMutationID}, nil
}

func (r *Resolver) jobRetry(ctx context.Context, in model.JobRetryInput) (*model.JobRetryPayload, error) {
	job, errs, err := r.jobAction(ctx, in.ID, r.Client.RetryJob)
	if err != nil {
		return nil, err
	}
	return &model.JobRetryPayload{Job: job, Errors: errs, ClientMutationID: in.ClientMutationID}, nil
}

func (r *Resolver) jobPlay(ctx context.Context, in model.JobPlayInput) (*model.JobPlayPayload, error) {
	vars := make([]restclient.JobVariable, 0, len(in.Variables))
	for _, v := range in.Variables {
		if v.Key == "" {
			return nil, badInput("a job variable needs a key")
		}
		vars = append(vars, restclient.JobVariable{Key: v.Key, Value: v.Value})
	}
	job, errs, err := r.jobAction(ctx, in.ID, func(ctx context.Context, pid string, id int64) (*restclient.Job, *restclient.Response, error) {
		return r.Client.PlayJob(ctx, pid, id, vars)
	})
	if err != nil {
		return nil, err
	}
	return &model.JobPlayPayload{Job: job, Errors: errs, ClientMutationID: in.ClientMutationID}, nil
}

func (r *Resolver) jobErase(ctx context.Context, in model.JobEraseInput) (*model.JobErasePayload, error) {
	job, errs, err := r.jobAction(ctx, in.ID, r.Client.EraseJob)
	if err != nil {
		return nil, err
	}
	return &model.JobErasePayload{Job: job, Errors: errs, ClientMutationID: in.ClientMutationID}, nil
}

func (r *Resolver) pipelineCancel(ctx context.Context, in model.PipelineCancelInput) (*model.PipelineCancelPayload, error) {
	p, errs, err := r.pipelineAction(ctx, in.ID, r.Client.CancelPipeline)
	if err != nil {
		return nil, err
	}
	return &model.PipelineCancelPayload{Pipeline: p, Errors: errs, ClientMutationID: in.ClientMutationID}, nil
}

func (r *Resolver) pipelineRetry(ctx context.Context, in model.PipelineRetryInput) (*model.PipelineRetryPayload, error) {
	p, errs, err := r.pipelineAction(ctx, in.ID, r.Client.RetryPipeline)
	if err != nil {
		return nil, err
	}
	return &model.PipelineRetryPayload{Pipeline: p, Errors: errs, ClientMutationID: in.ClientMutationID}, nil
}
