// Command loadrun drives jobgraph under load and faults: gitlabsim and the
// gateway as separate processes on loopback, GitLab answering some requests
// with 503s, 429s, resets, hangs and cut bodies, and callers with several
// tokens sending a mix of queries at a fixed concurrency. It reports
// throughput, latency percentiles and the gateway's peak RSS, and counts
// every answer a client must never see: a status other than 200, a body
// that is not a GraphQL response, an INTERNAL_SERVER_ERROR, or a panic in
// the gateway's log. Errors GitLab's faults explain (UPSTREAM_ERROR,
// RATE_LIMITED, UPSTREAM_TIMEOUT, ...) are expected and counted apart.
//
// Run it with `go run ./bench/loadrun`; the suite runs it briefly.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"jobgraph/bench/procs"
	"jobgraph/gitlabsim"
	"jobgraph/graph/globalid"
)

// Config says what to run.
type Config struct {
	Binary      string        // the jobgraph binary
	Concurrency []int         // one stage per level, run in order
	Duration    time.Duration // of each stage
	Faults      gitlabsim.Faults
}

// DefaultFaults fail about one GitLab request in eight, in every way the
// simulator can.
var DefaultFaults = gitlabsim.Faults{
	ErrorRate: 0.05, ErrorStatus: http.StatusServiceUnavailable,
	RateLimitRate: 0.02, RetryAfter: 1,
	ResetRate:     0.02,
	TimeoutRate:   0.005,
	MalformedRate: 0.02,
}

// Stage is the outcome of one concurrency level.
type Stage struct {
	Concurrency int
	Requests    int
	Throughput  float64 // answered requests per second
	P50, P99    time.Duration
	// FieldErrors counts the errors GitLab's faults explain, by code.
	FieldErrors map[string]int
	// Unexpected lists what a client must never see, at most a few of each.
	Unexpected []string
}

// Report is a whole run.
type Report struct {
	Stages     []Stage
	PeakRSSMiB float64 // the gateway's, over the whole run
	// GatewayPanics counts panics the gateway logged, recovered or not.
	GatewayPanics int
}

// Unexpected is every stage's unexpected answers and the gateway's panics.
func (r Report) Unexpected() []string {
	var all []string
	for _, s := range r.Stages {
		all = append(all, s.Unexpected...)
	}
	if r.GatewayPanics > 0 {
		all = append(all, fmt.Sprintf("the gateway logged %d panics", r.GatewayPanics))
	}
	return all
}

// expectedCodes are the error codes GitLab's injected faults, or a caller's
// lack of access, explain.
var expectedCodes = map[string]bool{
	"UPSTREAM_ERROR": true, "RATE_LIMITED": true, "UPSTREAM_TIMEOUT": true,
	"NOT_FOUND": true, "FORBIDDEN": true, "UPSTREAM_CALL_LIMIT_EXCEEDED": true,
}

// Run starts the simulator and the gateway, runs every stage, and stops both.
func Run(ctx context.Context, cfg Config) (Report, error) {
	sim, err := procs.Start(ctx, cfg.Binary, []string{"sim", "--listen", "127.0.0.1:0", "--live=false"}, procs.SimAddress, "")
	if err != nil {
		return Report{}, fmt.Errorf("starting gitlabsim: %w", err)
	}
	defer sim.Stop()
	gateway, err := procs.Start(ctx, cfg.Binary, []string{
		"--listen", "127.0.0.1:0", "--gitlab-url", sim.URL,
		"--upstream-timeout", "2s", "--upstream-retries", "2",
	}, procs.GatewayAddress, "")
	if err != nil {
		return Report{}, fmt.Errorf("starting the gateway: %w", err)
	}
	defer gateway.Stop()
	if err := putFaults(ctx, sim.URL, cfg.Faults); err != nil {
		return Report{}, err
	}

	rss := procs.WatchRSS(gateway.Pid())
	var report Report
	for _, n := range cfg.Concurrency {
		report.Stages = append(report.Stages, runStage(ctx, gateway.URL+"/graphql", n, cfg.Duration))
	}
	report.PeakRSSMiB = rss.Stop()
	gateway.Stop()
	report.GatewayPanics = strings.Count(gateway.Log.String(), "panic")
	return report, nil
}

func putFaults(ctx context.Context, simURL string, f gitlabsim.Faults) error {
	body, _ := json.Marshal(f)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, simURL+"/_sim/faults", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("setting gitlabsim's faults: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("setting gitlabsim's faults: status %d", resp.StatusCode)
	}
	return nil
}

// query is one request of the mix.
type query struct {
	name      string
	text      string
	variables map[string]any
}

func mix() []query {
	var pipelines []string
	for id := int64(1); id <= 10; id++ {
		pipelines = append(pipelines, globalid.Pipeline(gitlabsim.ProjectBig, 1000+id).String())
	}
	return []query{
		{"jobs page", `query($path: String!) { project(fullPath: $path) { jobs(first: 50) { pageInfo { endCursor hasNextPage } nodes { id name status duration user { username } commit { shortId } pipeline { id status } } } } }`,
			map[string]any{"path": gitlabsim.ProjectPath(gitlabsim.ProjectDemo)}},
		{"pipelines with jobs", `query($id: Int!) { project(id: $id) { pipelines(first: 10) { nodes { id status jobs(first: 20) { totalCount nodes { name status } } } } } }`,
			map[string]any{"id": gitlabsim.ProjectBig}},
		{"pipeline nodes", `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Pipeline { status duration coverage } } }`,
			map[string]any{"ids": pipelines}},
		{"current user", `{ currentUser { username name } }`, nil},
		{"projects", `{ projects(first: 20) { totalCount nodes { id fullPath } } }`, nil},
	}
}

// callers are the seeded users' tokens, and a caller without one. The CI
// job token is left out: GitLab takes it on a few routes only.
func callers() []string {
	tokens := []string{""}
	for _, t := range gitlabsim.Tokens() {
		if t.Role != "job" {
			tokens = append(tokens, t.Token)
		}
	}
	return tokens
}

// maxUnexpected bounds the unexpected answers kept per stage as examples.
const maxUnexpected = 20

func runStage(ctx context.Context, endpoint string, concurrency int, d time.Duration) Stage {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = concurrency
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	defer transport.CloseIdleConnections()

	queries, tokens := mix(), callers()
	stage := Stage{Concurrency: concurrency, FieldErrors: map[string]int{}}
	var mu sync.Mutex
	var latencies []time.Duration
	unexpected := 0
	stopAt := time.Now().Add(d)
	var wg sync.WaitGroup
	for worker := range concurrency {
		rng := rand.New(rand.NewPCG(uint64(worker), 7))
		wg.Go(func() {
			for time.Now().Before(stopAt) && ctx.Err() == nil {
				q, token := queries[rng.IntN(len(queries))], tokens[rng.IntN(len(tokens))]
				began := time.Now()
				codes, problem := send(ctx, client, endpoint, q, token)
				took := time.Since(began)
				mu.Lock()
				latencies = append(latencies, took)
				for _, c := range codes {
					stage.FieldErrors[c]++
				}
				if problem != "" {
					if unexpected++; unexpected <= maxUnexpected {
						stage.Unexpected = append(stage.Unexpected, q.name+": "+problem)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	stage.Requests = len(latencies)
	stage.Throughput = float64(len(latencies)) / d.Seconds()
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		stage.P50, stage.P99 = latencies[n/2], latencies[min(n*99/100, n-1)]
	}
	if unexpected > maxUnexpected {
		stage.Unexpected = append(stage.Unexpected, fmt.Sprintf("and %d more", unexpected-maxUnexpected))
	}
	return stage
}

// send posts q as token's caller and returns the expected error codes of
// the answer, or a description of what is wrong with it.
func send(ctx context.Context, client *http.Client, endpoint string, q query, token string) (codes []string, problem string) {
	body, _ := json.Marshal(map[string]any{"query": q.text, "variables": q.variables})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "no answer: " + err.Error()
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "answer cut: " + err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Sprintf("status %d: %.200s", resp.StatusCode, answer)
	}
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(answer, &out); err != nil {
		return nil, fmt.Sprintf("not a GraphQL response: %.200s", answer)
	}
	if (len(out.Data) == 0 || string(out.Data) == "null") && len(out.Errors) == 0 {
		return nil, fmt.Sprintf("no data and no error: %.200s", answer)
	}
	for _, e := range out.Errors {
		// GitLab's Jobs API serves authenticated callers only.
		anonymous := token == "" && e.Extensions.Code == "UNAUTHENTICATED"
		if !expectedCodes[e.Extensions.Code] && !anonymous {
			return codes, fmt.Sprintf("error %s: %s", e.Extensions.Code, e.Message)
		}
		codes = append(codes, e.Extensions.Code)
	}
	return codes, ""
}

// ErrUnexpected is returned by Check when a run saw what a client must never
// see.
var ErrUnexpected = errors.New("unexpected answers under load")

// Check returns ErrUnexpected, with the answers, when the run saw any.
func (r Report) Check() error {
	if u := r.Unexpected(); len(u) > 0 {
		return fmt.Errorf("%w:\n%s", ErrUnexpected, strings.Join(u, "\n"))
	}
	return nil
}

// Table renders the report for a terminal.
func (r Report) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %9s %12s %9s %9s %s\n", "concurrency", "requests", "requests/s", "p50", "p99", "field errors (expected)")
	for _, s := range r.Stages {
		codes := make([]string, 0, len(s.FieldErrors))
		for c, n := range s.FieldErrors {
			codes = append(codes, fmt.Sprintf("%s %d", c, n))
		}
		slices.Sort(codes)
		fmt.Fprintf(&b, "%-12d %9d %12.1f %9s %9s %s\n", s.Concurrency, s.Requests, s.Throughput,
			s.P50.Round(time.Millisecond), s.P99.Round(time.Millisecond), strings.Join(codes, ", "))
	}
	fmt.Fprintf(&b, "gateway peak RSS %.1f MiB; unexpected answers: %d\n", r.PeakRSSMiB, len(r.Unexpected()))
	return b.String()
}
