// Command jobgraph serves a GraphQL API over GitLab's REST API for CI jobs.
//
//	jobgraph [flags]            the gateway (demo upstream when --gitlab-url is empty)
//	jobgraph sim [flags]        the GitLab REST simulator on its own
//
// Every flag has a JOBGRAPH_* environment variable; a flag given on the
// command line wins.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/redis/go-redis/v9"
	"github.com/rs/cors"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	dashboard "jobgraph/examples/ci-dashboard"
	"jobgraph/gitlabsim"
	"jobgraph/graph"
	"jobgraph/graph/live"
	"jobgraph/graphiql"
	"jobgraph/internal/admission"
	"jobgraph/internal/health"
	"jobgraph/internal/metrics"
	"jobgraph/internal/persisted"
	"jobgraph/internal/requestlog"
	"jobgraph/internal/tracing"
	"jobgraph/restclient"
)

//go:embed schema.graphqls
var schemaSDL []byte

// config is the gateway's configuration.
type config struct {
	listen          string
	gitlabURL       string
	fallbackToken   string
	upstreamTimeout time.Duration
	maxRetries      int
	maxConns        int
	maxComplexity   int
	maxDepth        int
	maxAliases      int
	maxCalls        int
	demoSeed        int64
	live            live.Config
	perConnection   int

	requestTimeout       time.Duration
	bodyReadTimeout      time.Duration
	maxBodyBytesInFlight int64

	maxInFlightPerCaller    int
	maxInFlightPerOperation int
	logFormat               string
	corsOrigins             string
	redisURL                string
	persistedOnly           string
	tracing                 bool // set when the OTEL_* variables ask for traces
	// naiveLoaders is the hidden --naive-loaders: bench/run's N+1 contender.
	naiveLoaders bool
}

// hiddenFlags are left out of --help: they serve the benchmarks, not users.
var hiddenFlags = []string{"naive-loaders"}

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "sim" {
		os.Exit(runSim(args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(runGateway(args, os.Stdout, os.Stderr))
}

func parseGatewayFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("jobgraph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: jobgraph [flags]
       jobgraph sim [flags]   (run "jobgraph sim -h" for the simulator's flags)

jobgraph serves a GraphQL API (GraphiQL at /, endpoint /graphql) over GitLab's
REST API. Callers send their own GitLab token (Authorization: Bearer,
PRIVATE-TOKEN or JOB-TOKEN); it is forwarded for their request only.
Without --gitlab-url it starts the built-in GitLab simulator with demo data.

Flags (each also read from JOBGRAPH_<FLAG>, e.g. JOBGRAPH_GITLAB_URL; a flag on the
command line wins):
`)
		printVisibleDefaults(fs)
	}
	var c config
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address to serve on `host:port`")
	fs.StringVar(&c.gitlabURL, "gitlab-url", "", "GitLab root `URL`, e.g. https://gitlab.example.com; empty runs the demo simulator")
	fs.StringVar(&c.fallbackToken, "gitlab-token", "", "optional server-wide `token` for reads of requests that carry none (never for actions or currentUser)")
	fs.DurationVar(&c.upstreamTimeout, "upstream-timeout", 30*time.Second, "timeout of one upstream attempt")
	fs.IntVar(&c.maxRetries, "upstream-retries", 2, "retries of a failed idempotent upstream call")
	fs.IntVar(&c.maxConns, "upstream-max-conns", 64, "connections to GitLab at most")
	fs.IntVar(&c.maxComplexity, "max-complexity", graph.DefaultMaxComplexity, "largest query complexity accepted (a list's selection counts once per item asked for)")
	fs.IntVar(&c.maxDepth, "max-depth", graph.DefaultMaxDepth, "deepest field nesting accepted")
	fs.IntVar(&c.maxAliases, "max-aliases", graph.DefaultMaxAliases, "most aliases one operation may use")
	fs.IntVar(&c.maxCalls, "max-upstream-calls", graph.DefaultMaxUpstreamCalls, "most GitLab calls one operation may make; fields needing more fail")
	fs.IntVar(&c.live.MaxSubscriptions, "max-subscriptions", live.DefaultMaxSubscriptions, "most subscriptions served at once")
	fs.IntVar(&c.perConnection, "max-subscriptions-per-connection", graph.DefaultMaxSubscriptionsPerConnection, "most subscriptions one WebSocket holds")
	fs.Float64Var(&c.live.PollBudget, "poll-budget", live.DefaultPollBudget, "GitLab requests per second all subscriptions' pollers together may make")
	fs.DurationVar(&c.requestTimeout, "request-timeout", admission.DefaultRequestTimeout, "deadline of a GraphQL request, from the end of its body")
	fs.DurationVar(&c.bodyReadTimeout, "body-read-timeout", admission.DefaultBodyReadTimeout, "time a client may take to send a request body")
	fs.Int64Var(&c.maxBodyBytesInFlight, "max-body-bytes-in-flight", admission.DefaultMaxBodyBytesInFlight, "memory `bytes` the request bodies being read and served may hold together; past it a request gets 503")
	fs.IntVar(&c.maxInFlightPerCaller, "upstream-max-inflight-per-caller", restclient.DefaultMaxInFlightPerCaller, "GitLab requests one caller (token, or address when anonymous) may have in flight at once")
	fs.IntVar(&c.maxInFlightPerOperation, "max-inflight-per-operation", graph.DefaultMaxInFlightPerOperation, "GitLab requests one operation may have in flight at once")
	fs.StringVar(&c.logFormat, "log-format", "text", "log lines as `text` or json")
	fs.StringVar(&c.corsOrigins, "cors-origins", "", "comma-separated `origins` whose pages may call /graphql from a browser (e.g. https://ci.example.com); empty allows same-origin pages only")
	fs.StringVar(&c.redisURL, "redis-url", "", "Redis `URL` (redis://host:6379/0) replicas share persisted queries and subscription pollers through; empty runs alone")
	fs.StringVar(&c.persistedOnly, "persisted-only", "", "run only the documents of this trusted-documents manifest `file` (JSON of id to document, as relay-compiler and GraphQL Code Generator write it)")
	fs.Int64Var(&c.demoSeed, "demo-seed", 1, "seed of the demo world when --gitlab-url is empty")
	fs.BoolVar(&c.naiveLoaders, "naive-loaders", false, "turn off loader priming and call sharing (benchmarks only)")
	if err := applyEnv(fs, "JOBGRAPH_"); err != nil {
		return config{}, err
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return config{}, fmt.Errorf("--log-format %q: want text or json", c.logFormat)
	}
	return c, nil
}

// newLogger writes the gateway's log lines to w, as text or JSON.
func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// printVisibleDefaults prints the defaults of fs's flags but the hidden ones.
func printVisibleDefaults(fs *flag.FlagSet) {
	visible := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	visible.SetOutput(fs.Output())
	fs.VisitAll(func(f *flag.Flag) {
		if !slices.Contains(hiddenFlags, f.Name) {
			visible.Var(f.Value, f.Name, f.Usage)
			visible.Lookup(f.Name).DefValue = f.DefValue
		}
	})
	visible.PrintDefaults()
}

func runGateway(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseGatewayFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "jobgraph:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	slog.SetDefault(newLogger(cfg.logFormat, stderr))
	tracingOn, stopTracing, err := tracing.Setup(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "jobgraph:", err)
		return 2
	}
	defer func() { _ = stopTracing(context.WithoutCancel(ctx)) }()
	cfg.tracing = tracingOn

	demoToken := ""
	if cfg.gitlabURL == "" {
		sim := gitlabsim.New(gitlabsim.Options{Seed: cfg.demoSeed, LiveClock: true})
		defer sim.Close()
		simURL, closeSim, err := serveInBackground("127.0.0.1:0", sim)
		if err != nil {
			fmt.Fprintln(stderr, "jobgraph: starting the demo simulator:", err)
			return 1
		}
		defer closeSim()
		cfg.gitlabURL = simURL
		demoToken = gitlabsim.TokenMaintainer
		fmt.Fprintf(stdout, "jobgraph: no --gitlab-url given; serving the demo world of the built-in GitLab simulator at %s\n", simURL)
		fmt.Fprintf(stdout, "jobgraph: demo token (maintainer, prefilled in GraphiQL's headers and the dashboard): %s\n", gitlabsim.TokenMaintainer)
	}

	handler, err := newGatewayHandler(ctx, cfg, demoToken, slog.Default())
	if err != nil {
		fmt.Fprintln(stderr, "jobgraph:", err)
		return 2
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		fmt.Fprintln(stderr, "jobgraph:", err)
		return 1
	}
	fmt.Fprintf(stdout, "jobgraph: GraphiQL at http://%s/ — GraphQL endpoint http://%s/graphql (upstream %s)\n", ln.Addr(), ln.Addr(), cfg.gitlabURL)
	fmt.Fprintf(stdout, "jobgraph: example CI dashboard at http://%s%s\n", ln.Addr(), dashboard.Path)
	return serve(ctx, ln, handler, stderr)
}

// newGatewayHandler wires the HTTP routes of the gateway, logging each
// request through logger; subscriptions end, and Redis is let go, when ctx
// does. A demo token, when given, is prefilled in GraphiQL and the
// dashboard.
func newGatewayHandler(ctx context.Context, cfg config, demoToken string, logger *slog.Logger) (http.Handler, error) {
	m := metrics.New()
	rc := restclient.Config{
		BaseURL:              cfg.gitlabURL,
		Timeout:              cfg.upstreamTimeout,
		MaxRetries:           cfg.maxRetries,
		MaxConnsPerHost:      cfg.maxConns,
		MaxInFlightPerCaller: cfg.maxInFlightPerCaller,
		UserAgent:            "jobgraph",
		Observer:             m,
		WrapTransport: func(next http.RoundTripper) http.RoundTripper {
			return otelhttp.NewTransport(next, otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
				return r.Method + " " + restclient.RouteOf(r)
			}))
		},
	}
	if cfg.fallbackToken != "" {
		rc.Fallback = &restclient.Credentials{Kind: restclient.PrivateToken, Token: cfg.fallbackToken}
	}
	client, err := restclient.New(rc)
	if err != nil {
		return nil, fmt.Errorf("configuring the GitLab client: %w", err)
	}
	var shared *redis.Client
	if cfg.redisURL != "" {
		opts, err := redis.ParseURL(cfg.redisURL)
		if err != nil {
			// The parser's words quote the URL, password and all.
			return nil, errors.New("--redis-url is not a Redis URL (redis://[user:password@]host:port/db)")
		}
		shared = redis.NewClient(opts)
	}
	documents, err := persistedDocuments(cfg, shared)
	if err != nil {
		return nil, err
	}
	origins := splitOrigins(cfg.corsOrigins)
	cfg.live.MaxRetries = cfg.maxRetries
	cfg.live.Redis = shared
	hub := live.NewHub(client, cfg.live)
	m.WatchLive(func() metrics.LiveStats {
		st := hub.Stats()
		return metrics.LiveStats{Subscriptions: st.Subscriptions, Pollers: st.Pollers,
			PollersStarted: st.PollersStarted, Polls: st.Polls, Calls: st.Calls}
	})
	context.AfterFunc(ctx, func() {
		hub.Close()
		if shared != nil {
			_ = shared.Close()
		}
	})
	graphiqlHeaders := ""
	if demoToken != "" {
		graphiqlHeaders = fmt.Sprintf(`{"Authorization": "Bearer %s"}`, demoToken)
	}
	ide := graphiql.Handler(graphiql.Options{
		Endpoint:       "/graphql",
		DefaultHeaders: graphiqlHeaders,
		DefaultQuery:   firstQuery,
		Title:          "jobgraph",
	})
	endpoint, err := admission.New(admission.Config{
		BodyReadTimeout: cfg.bodyReadTimeout, MaxBodyBytesInFlight: cfg.maxBodyBytesInFlight, RequestTimeout: cfg.requestTimeout,
	}, graph.NewHandler(client, graph.HandlerConfig{
		MaxComplexity: cfg.maxComplexity, MaxDepth: cfg.maxDepth, MaxAliases: cfg.maxAliases,
		MaxUpstreamCalls: cfg.maxCalls, MaxInFlightPerOperation: cfg.maxInFlightPerOperation,
		Live: graph.LiveConfig{Hub: hub, MaxSubscriptionsPerConnection: cfg.perConnection,
			AllowedOrigins: originHosts(origins)},
		Documents:    documents,
		DedupHits:    m.DedupHit,
		Tracing:      cfg.tracing,
		NaiveLoaders: cfg.naiveLoaders,
	}))
	if err != nil {
		return nil, fmt.Errorf("configuring request admission: %w", err)
	}
	ready := health.NewReadiness(health.GitLabProbe(client), readinessInterval, readinessTimeout)
	mux := http.NewServeMux()
	mux.Handle("/graphql", crossOrigin(origins, private(otelhttp.NewHandler(endpoint, "graphql"))))
	mux.Handle("/{$}", ide)
	mux.Handle(graphiql.AssetsPath, ide)
	mux.HandleFunc("GET /schema.graphqls", serveSchema)
	// relay-compiler, among others, reads a schema only under the .graphql name.
	mux.HandleFunc("GET /schema.graphql", serveSchema)
	mux.Handle(graphiql.FaviconPath, ide)
	board := dashboard.Handler(dashboard.Options{Endpoint: "/graphql", DefaultToken: demoToken})
	mux.Handle(dashboard.Path, board)
	mux.Handle(dashboard.Path+"/", board)
	mux.Handle("GET /healthz", health.Live())
	mux.Handle("GET /readyz", ready.Handler())
	mux.Handle("GET /metrics", m.Handler())
	return noSniff(requestlog.Middleware(logger, recordRequest(m), mux)), nil
}

// How often /readyz asks GitLab, and how long it waits for an answer: an
// orchestrator probing every few seconds from every node costs GitLab one
// request per interval.
const (
	readinessInterval = 5 * time.Second
	readinessTimeout  = 3 * time.Second
)

// recordRequest counts GraphQL requests in m, by operation and outcome.
func recordRequest(m *metrics.Metrics) func(requestlog.Record) {
	return func(rec requestlog.Record) {
		if rec.Path != "/graphql" {
			return
		}
		outcome := rec.Outcome
		if outcome == "" {
			// A request error GraphQL over HTTP answers with 200: a query
			// that did not parse or validate.
			outcome = requestlog.Failed
		}
		m.Request(rec.Operation, outcome, rec.Duration)
	}
}

// persistedDocuments picks how queries may be sent by hash: only the
// documents of a trusted manifest with --persisted-only, otherwise Apollo's
// automatic persisted queries, kept in Redis when replicas share one.
func persistedDocuments(cfg config, shared *redis.Client) (graphql.HandlerExtension, error) {
	if cfg.persistedOnly != "" {
		manifest, err := persisted.LoadManifest(cfg.persistedOnly)
		if err != nil {
			return nil, err
		}
		return persisted.NewTrusted(manifest), nil
	}
	cache := persisted.NewMemoryCache(persistedQueriesKept)
	if shared != nil {
		cache = persisted.NewRedisCache(shared, persistedQueryTTL)
	}
	return extension.AutomaticPersistedQuery{Cache: cache}, nil
}

// persistedQueriesKept bounds the queries one replica keeps in memory, and
// persistedQueryTTL how long Redis keeps a query nobody sent again.
const (
	persistedQueriesKept = 1000
	persistedQueryTTL    = 24 * time.Hour
)

// splitOrigins reads --cors-origins.
func splitOrigins(list string) []string {
	var origins []string
	for _, o := range strings.Split(list, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	return origins
}

// originHosts are the hosts of origins, as the WebSocket Origin check
// matches them.
func originHosts(origins []string) []string {
	hosts := make([]string, 0, len(origins))
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}

// crossOrigin answers browsers' CORS preflights for the allowed origins,
// with the headers frontends send: credentials travel in headers, never in
// cookies, so credentialed requests are not allowed. Without origins only
// same-origin pages may call.
func crossOrigin(allowed []string, h http.Handler) http.Handler {
	if len(allowed) == 0 {
		return h
	}
	return cors.New(cors.Options{
		AllowedOrigins: allowed,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Accept", "PRIVATE-TOKEN", "JOB-TOKEN",
			"traceparent", "tracestate", requestlog.Header},
		ExposedHeaders: []string{requestlog.Header},
		MaxAge:         600,
	}).Handler(h)
}

// private marks h's answers as one caller's: a GraphQL answer holds what
// the caller's token may read, so no shared cache may store it, nor serve it
// to a caller sending other credentials.
func private(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("Vary", "Authorization, PRIVATE-TOKEN, JOB-TOKEN")
		h.ServeHTTP(w, r)
	})
}

// noSniff keeps browsers from reading an answer as another type than the
// one it says it is (a JSON answer quoting a query, run as a script).
func noSniff(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

func serveSchema(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(schemaSDL)
}

// firstQuery is what a new GraphiQL tab shows: jobs with what GitLab embeds
// in each, answered with one upstream call.
const firstQuery = `# Jobs of the demo project, with what GitLab embeds in each job.
query RecentJobs {
  project(fullPath: "demo-group/platform/web-app") {
    jobs(first: 10) {
      pageInfo { hasNextPage endCursor }
      nodes {
        name
        status
        duration
        user { username }
        commit { shortId title }
        pipeline { databaseId status ref }
      }
    }
  }
}
`

// serve runs the server until ctx ends, then shuts it down gracefully.
func serve(ctx context.Context, ln net.Listener, h http.Handler, stderr io.Writer) int {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(slog.NewTextHandler(stderr, nil), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "jobgraph:", err)
		return 1
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(stderr, "jobgraph: shutdown:", err)
		return 1
	}
	return 0
}

// serveInBackground serves h on addr until the returned stop is called.
func serveInBackground(addr string, h http.Handler) (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}
