package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"jobgraph/gitlabsim"
	"jobgraph/graph/globalid"
	"jobgraph/graph/live"
	"jobgraph/graphiql"
	"jobgraph/internal/browsertest"
	"jobgraph/internal/npmtest"
)

// demoGateway serves the gateway over a gitlabsim upstream, as `jobgraph`
// does with no --gitlab-url, configured by flags.
func demoGateway(t *testing.T, flags ...string) (*httptest.Server, *gitlabsim.Sim) {
	t.Helper()
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	upstream := httptest.NewServer(sim)
	cfg, err := parseGatewayFlags(append([]string{"--gitlab-url", upstream.URL}, flags...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newGatewayHandler(t.Context(), cfg, gitlabsim.TokenMaintainer, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(h)
	t.Cleanup(func() { gw.Close(); upstream.Close(); sim.Close() })
	return gw, sim
}

// A person opens GraphiQL, runs the first query with the prefilled demo
// token, and sees the demo project's jobs.
func TestGraphiQLRunsAQueryInChromium(t *testing.T) {
	gw, _ := demoGateway(t)
	result := browsertest.RunGraphiQL(t, gw.URL+"/", `{ currentUser { username }
		project(fullPath: "demo-group/platform/web-app") { jobs(first: 2) { nodes { name status } } } }`)
	var out struct {
		Data struct {
			CurrentUser struct{ Username string } `json:"currentUser"`
			Project     struct {
				Jobs struct {
					Nodes []struct{ Name, Status string }
				} `json:"jobs"`
			} `json:"project"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(result), &out); err != nil {
		t.Fatalf("result pane is not JSON: %v\n%s", err, result)
	}
	if out.Data.CurrentUser.Username != "mia.maintainer" || len(out.Data.Project.Jobs.Nodes) != 2 {
		t.Fatalf("result pane shows %s", result)
	}
}

// A person runs a subscription in GraphiQL: it goes over the gateway's
// WebSocket with the prefilled token, and the result pane shows the job's
// status, sent once for a job that has finished.
func TestGraphiQLRunsASubscriptionInChromium(t *testing.T) {
	gw, _ := demoGateway(t)
	job := globalid.Job(gitlabsim.ProjectDemo, gitlabsim.JobFailed).String()
	result := browsertest.RunGraphiQL(t, gw.URL+"/", `subscription Follow { jobUpdated(id: "`+job+`") { name status } }`)
	var out struct {
		Data struct {
			JobUpdated struct{ Name, Status string } `json:"jobUpdated"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(result), &out); err != nil {
		t.Fatalf("result pane is not JSON: %v\n%s", err, result)
	}
	if out.Data.JobUpdated.Status != "FAILED" || out.Data.JobUpdated.Name == "" {
		t.Fatalf("result pane shows %s", result)
	}
}

// GraphiQL's docs, read from the gateway's own schema, show the mutations
// and subscriptions with their descriptions.
func TestGraphiQLDocsShowMutationsAndSubscriptions(t *testing.T) {
	gw, _ := demoGateway(t)
	ide := browsertest.OpenGraphiQL(t, gw.URL+"/")
	ide.Click(`.graphiql-sidebar button[aria-label="Show Documentation Explorer"]`)
	for root, want := range map[string][]string{
		"Mutation":     {"jobCancel", "jobRetry", "jobPlay", "jobErase", "pipelineCancel", "pipelineRetry"},
		"Subscription": {"jobUpdated", "pipelineUpdated", "jobLogAppended"},
	} {
		ide.ClickText(`.graphiql-doc-explorer a.graphiql-doc-explorer-type-name`, root)
		fields := ide.Texts(`.graphiql-doc-explorer .graphiql-doc-explorer-field-name`)
		for _, f := range want {
			if !slices.Contains(fields, f) {
				t.Errorf("the docs of %s list %q, without %s", root, fields, f)
			}
		}
		ide.Click(`.graphiql-doc-explorer-back`)
	}
}

// Every answer says its type is not to be sniffed; every GraphQL answer,
// refusals included, is the caller's alone.
func TestRoutes(t *testing.T) {
	gw, _ := demoGateway(t)
	cases := []struct {
		method, path, body string
		status             int
		contains           string
	}{
		{"GET", assetPath(t, gw.URL), "", 200, ""},
		{"PUT", "/graphql", "", 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/graphql?query=%7B", "", 200, "GRAPHQL_PARSE_FAILED"},
		{"GET", "/healthz", "", 200, "ok"},
		{"GET", "/schema.graphqls", "", 200, "type Query"},
		{"GET", "/schema.graphql", "", 200, "type Query"},
		{"GET", "/", "", 200, "<html"},
		{"GET", "/favicon.ico", "", 200, "<svg "},
		{"GET", "/dashboard", "", 200, `"defaultToken":"` + gitlabsim.TokenMaintainer + `"`},
		{"GET", "/dashboard/", "", 200, `id="dashboard-config"`},
		{"GET", "/graphql?query=%7B__typename%7D", "", 200, `"Query"`},
		{"POST", "/graphql", `{"query":"{__typename}"}`, 200, `"Query"`},
		{"POST", "/graphql", `{"query":` + strings.Repeat(" ", 2<<20) + `"{__typename}"}`, 413, ""},
		{"GET", "/nothing-here", "", 404, ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, gw.URL+c.path, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(body), c.contains) {
			t.Errorf("%s %s: %d %.200q, want %d containing %q", c.method, c.path, resp.StatusCode, body, c.status, c.contains)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s: X-Content-Type-Options %q, want nosniff", c.method, c.path, got)
		}
		cacheControl, vary := resp.Header.Get("Cache-Control"), resp.Header.Get("Vary")
		if strings.HasPrefix(c.path, "/graphql") && (cacheControl != "private, no-store" || vary != "Authorization, PRIVATE-TOKEN, JOB-TOKEN") {
			t.Errorf("%s %s: Cache-Control %q, Vary %q; want private, no-store varying by every credential header", c.method, c.path, cacheControl, vary)
		}
	}
}

// The query a new GraphiQL tab shows answers from the demo world with one
// upstream call.
func TestFirstQuery(t *testing.T) {
	gw, sim := demoGateway(t)
	body, _ := json.Marshal(map[string]string{"query": firstQuery})
	req, _ := http.NewRequest("POST", gw.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+gitlabsim.TokenMaintainer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Project struct {
				Jobs struct {
					Nodes []struct{ Name string }
				}
			}
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%v %v", err, out.Errors)
	}
	if len(out.Data.Project.Jobs.Nodes) != 10 {
		t.Fatalf("first query answered %d jobs, want 10", len(out.Data.Project.Jobs.Nodes))
	}
	var calls int64
	for _, n := range sim.Stats() {
		calls += n
	}
	if calls != 1 {
		t.Fatalf("first query cost %v upstream calls, want 1", sim.Stats())
	}
}

// A query whose upstream hangs answers by the request deadline, well before
// the upstream attempt's own timeout: the field that waited fails with
// UPSTREAM_TIMEOUT and the others answer.
func TestRequestDeadline(t *testing.T) {
	gw, sim := demoGateway(t, "--request-timeout", "300ms", "--upstream-timeout", "10m", "--upstream-retries", "0")
	sim.SetFaults(gitlabsim.Faults{FailNext: []gitlabsim.FailNext{{Route: "GET /api/v4/projects/:id", Count: 1, Kind: gitlabsim.FaultTimeout}}})
	query := fmt.Sprintf(`{ currentUser { username } project(id: %d) { name } }`, gitlabsim.ProjectDemo)
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest("POST", gw.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+gitlabsim.TokenMaintainer)
	client := http.Client{Timeout: time.Minute} // a bound for the test, far past the deadline
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			CurrentUser *struct{ Username string } `json:"currentUser"`
			Project     *struct{ Name string }     `json:"project"`
		}
		Errors []struct {
			Path       []string
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Data.CurrentUser == nil || out.Data.Project != nil || len(out.Errors) != 1 ||
		out.Errors[0].Extensions.Code != "UPSTREAM_TIMEOUT" || strings.Join(out.Errors[0].Path, ".") != "project" {
		t.Fatalf("data %+v, errors %+v; want currentUser, and project failed with UPSTREAM_TIMEOUT", out.Data, out.Errors)
	}
}

// assetPath is the path of the first GraphiQL asset the page links to.
func assetPath(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	path := regexp.MustCompile(regexp.QuoteMeta(graphiql.AssetsPath) + `[^"']+`).Find(page)
	if path == nil {
		t.Fatalf("the GraphiQL page links no asset under %s", graphiql.AssetsPath)
	}
	return string(path)
}

// With a server-wide token, only a request with no credential header at all
// is served with it: one whose credentials cannot be used is refused, with
// no upstream call.
func TestUnusableCredentialsAreRefused(t *testing.T) {
	gw, sim := demoGateway(t, "--gitlab-token", gitlabsim.TokenMaintainer)
	query := fmt.Sprintf(`{"query": "{ project(id: %d) { name } }"}`, gitlabsim.ProjectDemo)
	for _, header := range [][2]string{
		{"Authorization", "Token " + gitlabsim.TokenDeveloper},
		{"Authorization", "Basic dXNlcjpwYXNz"},
		{"Authorization", "Bearer"},
		{"PRIVATE-TOKEN", ""},
		{"JOB-TOKEN", ""},
	} {
		req, _ := http.NewRequest("POST", gw.URL+"/graphql", strings.NewReader(query))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(header[0], header[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out map[string]json.RawMessage
		if resp.StatusCode != http.StatusUnauthorized || json.Unmarshal(body, &out) != nil || out["data"] != nil ||
			!strings.Contains(string(out["errors"]), `"UNAUTHENTICATED"`) {
			t.Errorf("%s: %q: %d %s; want 401 UNAUTHENTICATED without data", header[0], header[1], resp.StatusCode, body)
		}
	}
	if calls := sim.Stats(); len(calls) != 0 {
		t.Fatalf("refused requests cost upstream calls: %v", calls)
	}
	resp, err := http.Post(gw.URL+"/graphql", "application/json", strings.NewReader(query))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if body, _ := io.ReadAll(resp.Body); !strings.Contains(string(body), `"name":`) {
		t.Fatalf("a request without credentials, with the server-wide token: %s", body)
	}
}

// graphql-http's audit of GraphQL over HTTP passes every MUST and SHOULD
// against the gateway. It needs Node and the audit's pinned packages
// (internal/httpaudit); without them it skips, and fails under CI.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	const dir = "internal/httpaudit"
	node := npmtest.Folder{Dir: dir, Install: "npm ci --no-audit --no-fund --prefix " + dir}.NodeFor(t, "graphql-http")
	gw, _ := demoGateway(t)
	out, err := exec.Command(node, filepath.Join(dir, "audit.mjs"), gw.URL+"/graphql").Output()
	if err != nil {
		t.Fatalf("running the audit: %v", err)
	}
	var results []struct{ Name, Status, Reason string }
	if err := json.Unmarshal(out, &results); err != nil || len(results) == 0 {
		t.Fatalf("the audit printed %q: %v", out, err)
	}
	for _, r := range results {
		required := strings.HasPrefix(r.Name, "MUST ") || strings.HasPrefix(r.Name, "SHOULD ")
		if r.Status != "ok" && required {
			t.Errorf("%s: %s", r.Name, r.Reason)
		}
	}
}

func TestFlagsAndEnvironment(t *testing.T) {
	defaults, err := parseGatewayFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config{listen: "127.0.0.1:8080", upstreamTimeout: 30 * time.Second, maxRetries: 2, maxConns: 64,
		maxComplexity: 5000, maxDepth: 20, maxAliases: 100, maxCalls: 500, demoSeed: 1,
		live: live.Config{MaxSubscriptions: 10000, PollBudget: 50}, perConnection: 100,
		requestTimeout: 30 * time.Second, bodyReadTimeout: 10 * time.Second, maxBodyBytesInFlight: 64 << 20,
		maxInFlightPerCaller: 32, maxInFlightPerOperation: 24, logFormat: "text"}
	if defaults != want {
		t.Fatalf("defaults %+v, want %+v as the README says", defaults, want)
	}
	t.Setenv("JOBGRAPH_LISTEN", "127.0.0.1:9999")
	t.Setenv("JOBGRAPH_UPSTREAM_TIMEOUT", "5s")
	t.Setenv("JOBGRAPH_MAX_UPSTREAM_CALLS", "42")
	t.Setenv("JOBGRAPH_POLL_BUDGET", "5")
	cfg, err := parseGatewayFlags([]string{"--upstream-timeout", "7s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.maxCalls != 42 || cfg.live.PollBudget != 5 {
		t.Fatalf("JOBGRAPH_MAX_UPSTREAM_CALLS gave %d, JOBGRAPH_POLL_BUDGET %v", cfg.maxCalls, cfg.live.PollBudget)
	}
	if cfg.listen != "127.0.0.1:9999" || cfg.upstreamTimeout != 7*time.Second {
		t.Fatalf("config %+v: environment sets listen, the flag wins over the environment", cfg)
	}
	var help bytes.Buffer
	if code := runGateway([]string{"--help"}, io.Discard, &help); code != 0 || !strings.Contains(help.String(), "-gitlab-url") {
		t.Fatalf("--help exited %d and printed %q", code, help.String())
	}
	if code := runGateway([]string{"--gitlab-url", "ftp://x"}, io.Discard, io.Discard); code != 2 {
		t.Fatalf("an unusable GitLab URL exits %d, want 2", code)
	}
	t.Setenv("JOBGRAPH_UPSTREAM_RETRIES", "many")
	if _, err := parseGatewayFlags(nil, io.Discard); err == nil || !strings.Contains(err.Error(), "JOBGRAPH_UPSTREAM_RETRIES") {
		t.Fatalf("a bad environment value gives %v, want an error naming the variable", err)
	}
}

func TestSimTokens(t *testing.T) {
	var out bytes.Buffer
	if code := runSim([]string{"--tokens"}, &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(gitlabsim.Tokens()) {
		t.Fatalf("printed %d lines, want %d", len(lines), len(gitlabsim.Tokens()))
	}
	for _, l := range lines {
		if f := strings.Split(l, "\t"); len(f) != 3 || f[2] == "" {
			t.Fatalf("line %q is not role<TAB>username<TAB>token", l)
		}
	}
}

// `jobgraph sim` serves GitLab's API on the address it is given and stops on
// cancel.
func TestSimServes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- runSimContext(ctx, []string{"--listen", addr, "--live=false"}, io.Discard, io.Discard) }()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v4/user", nil)
		req.Header.Set("PRIVATE-TOKEN", gitlabsim.TokenGuest)
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/v4/user = %d", resp.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("sim exited %d after cancel", code)
	}
}

// --naive-loaders serves the benchmarks' N+1 contender: it parses, and
// --help keeps it from users.
func TestNaiveLoadersFlagIsHidden(t *testing.T) {
	cfg, err := parseGatewayFlags([]string{"--naive-loaders"}, io.Discard)
	if err != nil || !cfg.naiveLoaders {
		t.Fatalf("--naive-loaders gave %+v, %v", cfg, err)
	}
	var help bytes.Buffer
	if code := runGateway([]string{"--help"}, io.Discard, &help); code != 0 || strings.Contains(help.String(), "naive") || !strings.Contains(help.String(), "-demo-seed") {
		t.Fatalf("--help exited %d and printed %q", code, help.String())
	}
}
