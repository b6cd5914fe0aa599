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
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"jobgraph/gitlabsim"
	"jobgraph/graph"
	"jobgraph/graph/live"
	"jobgraph/graphiql"
	"jobgraph/internal/admission"
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
	return c, nil
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

	demoHeaders := ""
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
		demoHeaders = fmt.Sprintf(`{"Authorization": "Bearer %s"}`, gitlabsim.TokenMaintainer)
		fmt.Fprintf(stdout, "jobgraph: no --gitlab-url given; serving the demo world of the built-in GitLab simulator at %s\n", simURL)
		fmt.Fprintf(stdout, "jobgraph: demo token (maintainer, prefilled in GraphiQL's headers): %s\n", gitlabsim.TokenMaintainer)
	}

	handler, err := newGatewayHandler(ctx, cfg, demoHeaders)
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
	return serve(ctx, ln, handler, stderr)
}

// newGatewayHandler wires the HTTP routes of the gateway; subscriptions end
// when ctx does.
func newGatewayHandler(ctx context.Context, cfg config, graphiqlHeaders string) (http.Handler, error) {
	rc := restclient.Config{
		BaseURL:         cfg.gitlabURL,
		Timeout:         cfg.upstreamTimeout,
		MaxRetries:      cfg.maxRetries,
		MaxConnsPerHost: cfg.maxConns,
		UserAgent:       "jobgraph",
	}
	if cfg.fallbackToken != "" {
		rc.Fallback = &restclient.Credentials{Kind: restclient.PrivateToken, Token: cfg.fallbackToken}
	}
	client, err := restclient.New(rc)
	if err != nil {
		return nil, fmt.Errorf("configuring the GitLab client: %w", err)
	}
	cfg.live.MaxRetries = cfg.maxRetries
	hub := live.NewHub(client, cfg.live)
	context.AfterFunc(ctx, hub.Close)
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
		MaxUpstreamCalls: cfg.maxCalls, NaiveLoaders: cfg.naiveLoaders,
		Live: graph.LiveConfig{Hub: hub, MaxSubscriptionsPerConnection: cfg.perConnection},
	}))
	if err != nil {
		return nil, fmt.Errorf("configuring request admission: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", private(endpoint))
	mux.Handle("/{$}", ide)
	mux.Handle(graphiql.AssetsPath, ide)
	mux.HandleFunc("GET /schema.graphqls", serveSchema)
	// relay-compiler, among others, reads a schema only under the .graphql name.
	mux.HandleFunc("GET /schema.graphql", serveSchema)
	mux.Handle(graphiql.FaviconPath, ide)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	return noSniff(mux), nil
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
