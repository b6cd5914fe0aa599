// Package graph resolves jobgraph's GraphQL schema over GitLab's REST API.
//
// Resolvers map REST entities onto the models in graph/model, page lists
// through graph/paging, and fetch single objects through the operation's
// loaders (graph/loader), so each object costs at most one call per request
// and objects that list responses embed cost none.
package graph

import (
	"jobgraph/restclient"
)

// Resolver is the root resolver. It holds no per-request state: credentials
// and loaders travel in the context.
type Resolver struct {
	Client *restclient.Client
}
