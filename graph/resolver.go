// Package graph resolves jobgraph's GraphQL schema over GitLab's REST API.
//
// Resolvers map REST entities onto the models in graph/model, page lists
// through graph/paging, and fetch single objects through the operation's
// loaders (graph/loader), so each object costs at most one call per request
// and objects that list responses embed cost none.
package graph

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"jobgraph/graph/live"
	"jobgraph/graph/paging"
	"jobgraph/restclient"
)

// Resolver is the root resolver. It holds no per-request state: credentials
// and loaders travel in the context.
type Resolver struct {
	Client *restclient.Client
	// Live runs the pollers of subscriptions; nil serves none.
	Live *live.Hub

	// noJobsKeysetSince is when GitLab last refused keyset pagination of
	// project jobs, nil for never; its monotonic reading measures the wait.
	noJobsKeysetSince atomic.Pointer[time.Time]
}

// jobsKeysetRetry is how long project jobs are paged by offset alone after
// GitLab refused keyset pagination for them, before it is asked again: an
// upgrade may have brought it.
const jobsKeysetRetry = 10 * time.Minute

// jobsSource completes src, a list of project jobs, with keyset pagination
// read through readKeyset, unless GitLab refused it lately (GitLab versions
// before keyset pagination of jobs). GitLab limits offsets only on lists it
// offers keyset pagination for.
func (r *Resolver) jobsSource(src paging.Source[*restclient.Job], readKeyset func(ctx context.Context, cursor string, perPage int) ([]*restclient.Job, string, error)) paging.Source[*restclient.Job] {
	if since := r.noJobsKeysetSince.Load(); since != nil && time.Since(*since) < jobsKeysetRetry {
		return src
	}
	src.OffsetLimit = paging.GitLabOffsetLimit
	src.Keyset = func(ctx context.Context, cursor string, perPage int) ([]*restclient.Job, string, error) {
		items, next, err := readKeyset(ctx, cursor, perPage)
		if errors.Is(err, restclient.ErrKeysetUnsupported) {
			now := time.Now()
			r.noJobsKeysetSince.Store(&now)
			return nil, "", paging.ErrKeysetUnavailable
		}
		return items, next, err
	}
	return src
}
