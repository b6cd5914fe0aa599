// Package graph resolves jobgraph's GraphQL schema over GitLab's REST API.
//
// Resolvers map REST entities onto the models in graph/model, page lists
// through graph/paging, and fetch single objects through the operation's
// loaders (graph/loader), so each object costs at most one call per request
// and objects that list responses embed cost none.
package graph

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"

	"jobgraph/graph/paging"
	"jobgraph/restclient"
)

// Resolver is the root resolver. It holds no per-request state: credentials
// and loaders travel in the context.
type Resolver struct {
	Client *restclient.Client

	// noJobsKeyset is set once GitLab refused keyset pagination of project
	// jobs (versions before it): from then on they are paged by offset
	// without asking again.
	noJobsKeyset atomic.Bool
}

// keysetUnavailable is GitLab's answer to pagination=keyset on a list it
// pages by offset only.
const keysetUnavailable = "Keyset pagination is not yet available"

// jobsKeyset reads a page of project jobs by keyset with read, or reports
// paging.ErrKeysetUnavailable when GitLab does not offer it.
func (r *Resolver) jobsKeyset(read func() ([]*restclient.Job, string, error)) ([]*restclient.Job, string, error) {
	if r.noJobsKeyset.Load() {
		return nil, "", paging.ErrKeysetUnavailable
	}
	items, next, err := read()
	var e *restclient.Error
	if errors.As(err, &e) && e.StatusCode == http.StatusMethodNotAllowed && strings.HasPrefix(e.Message, keysetUnavailable) {
		r.noJobsKeyset.Store(true)
		return nil, "", paging.ErrKeysetUnavailable
	}
	return items, next, err
}
