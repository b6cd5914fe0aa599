package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"jobgraph/gitlabsim"
	"jobgraph/graph"
	"jobgraph/restclient"
)

// callers bounds the keep-alive connections the benchmark's own client keeps
// to each server, well above the parallel callers, so that no measured
// request pays for a new connection.
const callers = 64

// stack is gitlabsim and the gateway on loopback HTTP, wired as in production,
// and the HTTP client a caller uses to reach either.
type stack struct {
	sim      *gitlabsim.Sim
	upstream *httptest.Server
	gateway  *httptest.Server
	client   *http.Client
}

func newStack(tb testing.TB, latency time.Duration) *stack {
	tb.Helper()
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1, Latency: latency})
	upstream := httptest.NewServer(sim)
	rest, err := restclient.New(restclient.Config{BaseURL: upstream.URL})
	if err != nil {
		tb.Fatal(err)
	}
	gateway := httptest.NewServer(graph.NewHandler(rest, graph.HandlerConfig{}))
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = callers
	tb.Cleanup(func() {
		transport.CloseIdleConnections()
		gateway.Close()
		upstream.Close()
		sim.Close()
	})
	return &stack{sim: sim, upstream: upstream, gateway: gateway, client: &http.Client{Transport: transport}}
}

// calls returns the upstream requests served since the last call, by route.
func (s *stack) calls() map[string]int64 {
	st := s.sim.Stats()
	s.sim.ResetStats()
	return st
}

// get sends req with the maintainer's token and decodes a 200 answer into v.
func (s *stack) get(req *http.Request, v any) error {
	req.Header.Set("Authorization", "Bearer "+gitlabsim.TokenMaintainer)
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("decoding %s %s: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// query runs q through the gateway and returns its data, failing on any
// GraphQL error or on an answer of the wrong size.
func (s *stack) query(q *shape) (*data, error) {
	req, err := http.NewRequest(http.MethodPost, s.gateway.URL, bytes.NewReader(q.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	var out struct {
		Data   data `json:"data"`
		Errors []struct {
			Message string `json:"message"`
			Path    []any  `json:"path"`
		} `json:"errors"`
	}
	if err := s.get(req, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", q.name, err)
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("%s: errors %+v", q.name, out.Errors)
	}
	if n := q.size(&out.Data); n != q.wantSize {
		return nil, fmt.Errorf("%s: %d nodes, want %d", q.name, n, q.wantSize)
	}
	return &out.Data, nil
}

// restJob is what a frontend reads of each job GitLab lists: the fields the
// 100-jobs query asks the gateway for.
type restJob struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	Pipeline struct {
		pipelineSummary
		ID int64 `json:"id"`
	} `json:"pipeline"`
	User   *userSummary `json:"user"`
	Commit struct {
		Title   string `json:"title"`
		ShortID string `json:"short_id"`
	} `json:"commit"`
}

// restJobs is the baseline: the REST call a frontend makes by hand for the
// same n jobs, decoded.
func (s *stack) restJobs(n int) ([]restJob, error) {
	url := fmt.Sprintf("%s/api/v4/projects/%d/jobs?per_page=%d", s.upstream.URL, gitlabsim.ProjectDemo, n)
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	var jobs []restJob
	if err := s.get(req, &jobs); err != nil {
		return nil, err
	}
	if len(jobs) != n {
		return nil, fmt.Errorf("REST listed %d jobs, want %d", len(jobs), n)
	}
	return jobs, nil
}

// restOp is restJobs of n as a benchmark operation.
func (s *stack) restOp(n int) func() error {
	return func() error {
		_, err := s.restJobs(n)
		return err
	}
}
