package graph

import (
	"cmp"
	"context"
	"net"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"jobgraph/graph/coercion"
	"jobgraph/graph/generated"
	"jobgraph/graph/loader"
	"jobgraph/graph/overhttp"
	"jobgraph/graph/querylimits"
	"jobgraph/internal/requestlog"
	"jobgraph/internal/tracing"
	"jobgraph/restclient"
)

// HandlerConfig bounds what one request may cost.
type HandlerConfig struct {
	// MaxComplexity bounds a query's cost: one per field, with a list's
	// selection counted once per item it asks for (see complexity.go);
	// 0 means DefaultMaxComplexity.
	MaxComplexity int
	// MaxDepth bounds field nesting; 0 means DefaultMaxDepth. The standard
	// introspection query (graphql-js 16) nests 15 deep.
	MaxDepth int
	// MaxAliases bounds the aliases of one operation; 0 means
	// DefaultMaxAliases.
	MaxAliases int
	// MaxUpstreamCalls bounds the GitLab calls one operation makes; fields
	// needing more fail with UPSTREAM_CALL_LIMIT_EXCEEDED. 0 means
	// DefaultMaxUpstreamCalls. Every HTTP request counts, retries included.
	MaxUpstreamCalls int
	// MaxInFlightPerOperation bounds the GitLab calls one operation has in
	// flight at once; 0 means DefaultMaxInFlightPerOperation. A caller's
	// operations together are bounded by restclient's MaxInFlightPerCaller.
	MaxInFlightPerOperation int
	// Live configures subscriptions (live_transports.go).
	Live LiveConfig
	// Documents, when set, supplies queries by hash before anything else
	// reads a request: Apollo's automatic persisted queries, or trusted
	// documents alone (package persisted).
	Documents graphql.HandlerExtension
	// Tracing spans each operation and resolver field (package tracing).
	Tracing bool
	// DedupHits, when set, is told of each load an operation's loaders
	// answer without a call of their own, by loader (for metrics).
	DedupHits func(loader string)
	// NaiveLoaders gives every operation loaders that neither prime nor
	// share calls (loader.NewNaive): the N+1 resolver bench/run measures
	// the real loaders against. Never for serving callers.
	NaiveLoaders bool
}

const (
	DefaultMaxComplexity           = 5000
	DefaultMaxDepth                = 20
	DefaultMaxAliases              = 100
	DefaultMaxUpstreamCalls        = 500
	DefaultMaxInFlightPerOperation = 24
	parsedQueryCacheSize           = 1000
)

// maxCachedQuery is the longest query kept parsed between requests: queries
// are short, and a thousand megabyte queries (a long literal validates) would
// hold a gigabyte.
const maxCachedQuery = 64 << 10

// boundedCache is gqlgen's parsed-query cache, keeping queries up to
// maxCachedQuery bytes.
type boundedCache struct {
	*lru.LRU[*ast.QueryDocument]
}

func (c boundedCache) Add(ctx context.Context, query string, doc *ast.QueryDocument) {
	if len(query) <= maxCachedQuery {
		c.LRU.Add(ctx, query, doc)
	}
}

// NewHandler returns the GraphQL endpoint: POST for every operation, GET for
// queries only (as GraphQL over HTTP requires), the caller's GitLab
// credentials taken from each request and fresh loaders for each operation.
func NewHandler(client *restclient.Client, cfg HandlerConfig) http.Handler {
	cfg.MaxComplexity = cmp.Or(cfg.MaxComplexity, DefaultMaxComplexity)
	cfg.MaxDepth = cmp.Or(cfg.MaxDepth, DefaultMaxDepth)
	cfg.MaxAliases = cmp.Or(cfg.MaxAliases, DefaultMaxAliases)
	cfg.MaxUpstreamCalls = cmp.Or(cfg.MaxUpstreamCalls, DefaultMaxUpstreamCalls)
	cfg.MaxInFlightPerOperation = cmp.Or(cfg.MaxInFlightPerOperation, DefaultMaxInFlightPerOperation)
	srv := handler.New(generated.NewExecutableSchema(generated.Config{
		Resolvers:  &Resolver{Client: client, Live: cfg.Live.Hub},
		Complexity: complexity(),
	}))
	addLiveTransports(srv, client, cfg)
	srv.AddTransport(overhttp.GET{})
	srv.AddTransport(overhttp.POST{})
	documents := boundedCache{lru.New[*ast.QueryDocument](parsedQueryCacheSize)}
	srv.SetQueryCache(documents)
	if cfg.Documents != nil {
		srv.Use(cfg.Documents)
	}
	srv.Use(requestlog.GraphQL{})
	if cfg.Tracing {
		srv.Use(tracing.GraphQL{})
	}
	srv.Use(extension.Introspection{})
	// Every field scores at least one, so an operation expanding to more
	// fields than the complexity limit is refused by the cheap linear
	// measure before gqlgen's complexity walk, which expands fragments.
	srv.Use(querylimits.New(querylimits.Limits{MaxDepth: cfg.MaxDepth, MaxAliases: cfg.MaxAliases, MaxFields: cfg.MaxComplexity}))
	srv.Use(coercion.New(documents, querylimits.MaxTokens))
	srv.SetValidationRulesFn(querylimits.ValidationRules)
	srv.SetParserTokenLimit(querylimits.MaxTokens)
	srv.Use(extension.FixedComplexityLimit(cfg.MaxComplexity))
	srv.SetErrorPresenter(PresentError)
	srv.SetRecoverFunc(Recover)
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		budget := restclient.NewBudget(cfg.MaxUpstreamCalls, cfg.MaxInFlightPerOperation, callerFrom(ctx))
		respond := next(loader.With(restclient.WithBudget(ctx, budget), cfg.loaders(client)))
		counted := 0
		return func(ctx context.Context) *graphql.Response {
			resp := respond(ctx)
			sent := budget.Sent()
			requestlog.AddUpstreamCalls(ctx, sent-counted)
			counted = sent
			return resp
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		creds, ok, err := restclient.CredentialsFromRequest(r)
		switch {
		case err != nil:
			// Served with the server-wide token, the request would act
			// as someone it did not say it is.
			overhttp.WriteRequestError(w, r, http.StatusUnauthorized, err.Error(), CodeUnauthenticated)
			return
		case ok:
			r = r.WithContext(restclient.WithCredentials(r.Context(), creds))
		}
		srv.ServeHTTP(w, r.WithContext(withCaller(r.Context(), r)))
	})
}

// loaders returns an operation's fresh loaders.
func (cfg HandlerConfig) loaders(client *restclient.Client) *loader.Loaders {
	if cfg.NaiveLoaders {
		return loader.NewNaive(client)
	}
	return loader.New(client).ObserveDedup(cfg.DedupHits)
}

type callerKey struct{}

// withCaller names the request's caller for its operations' budgets: by a
// hash of its token, or, for an anonymous caller, by its address, so that
// anonymous callers are bounded one by one too.
func withCaller(ctx context.Context, r *http.Request) context.Context {
	caller := "address:" + r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		caller = "address:" + host
	}
	if creds, ok := restclient.CredentialsFrom(ctx); ok {
		caller = "token:" + creds.Fingerprint()
	}
	return context.WithValue(ctx, callerKey{}, caller)
}

func callerFrom(ctx context.Context) string {
	caller, _ := ctx.Value(callerKey{}).(string)
	return caller
}
