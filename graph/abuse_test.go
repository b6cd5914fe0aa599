package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"jobgraph/gitlabsim"
	"jobgraph/graph"
	"jobgraph/graph/globalid"
	"jobgraph/graph/paging"
	"jobgraph/restclient"
)

// pipelineIDs returns n global ids of pipelines of the big project.
func pipelineIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = globalid.Pipeline(gitlabsim.ProjectBig, int64(1000+i)).String()
	}
	return ids
}

// Retries are charged to the operation's budget: five aliased nodes() of a
// hundred pipelines each, against a GitLab answering 503, send GitLab at
// most the budget's requests, not three for every pipeline.
func TestRetriesAreChargedToTheBudget(t *testing.T) {
	const budget = 120
	s := newStackOver(t, gitlabsim.Options{Seed: 1}, graph.HandlerConfig{MaxUpstreamCalls: budget},
		restclient.Config{MaxRetries: 2, RetryBaseWait: time.Millisecond, BreakerFailures: -1}, nil)
	s.sim.SetFaults(gitlabsim.Faults{Routes: []string{routePipeline}, ErrorRate: 1, ErrorStatus: http.StatusServiceUnavailable})
	var query strings.Builder
	query.WriteString("query($ids: [ID!]!) {")
	for _, alias := range []string{"a", "b", "c", "d", "e"} {
		query.WriteString(" " + alias + ": nodes(ids: $ids) { id }")
	}
	query.WriteString(" }")
	out := s.do(t, gitlabsim.TokenMaintainer, query.String(), map[string]any{"ids": pipelineIDs(100)})
	if len(out.Errors) < 500 {
		t.Fatalf("%d errors, want one for each of the 500 nodes", len(out.Errors))
	}
	if n := s.calls()[routePipeline]; n > budget {
		t.Fatalf("GitLab got %d requests, more than the budget of %d", n, budget)
	}
}

// hanging holds the upstream requests it matches until their caller gives
// up, counting those in flight; arrived receives one value per request held.
type hanging struct {
	next     http.Handler
	match    func(*http.Request) bool
	arrived  chan struct{}
	mu       sync.Mutex
	now, max int
}

func (h *hanging) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.match(r) {
		h.next.ServeHTTP(w, r)
		return
	}
	h.mu.Lock()
	h.now++
	h.max = max(h.max, h.now)
	h.mu.Unlock()
	h.arrived <- struct{}{}
	<-r.Context().Done()
	h.mu.Lock()
	h.now--
	h.mu.Unlock()
}

// One caller cannot starve another: an anonymous nodes() of a hundred
// pipelines on a hanging route holds at most its share of GitLab's
// connections, and another caller's currentUser is answered meanwhile.
func TestOneCallerCannotStarveAnother(t *testing.T) {
	const perCaller = 8
	h := &hanging{
		match:   func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/pipelines/") },
		arrived: make(chan struct{}, 200),
	}
	s := newStackOver(t, gitlabsim.Options{Seed: 1}, graph.HandlerConfig{},
		restclient.Config{MaxConnsPerHost: perCaller + 2, MaxInFlightPerCaller: perCaller},
		func(sim http.Handler) http.Handler { h.next = sim; return h })

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		req := s.request("", map[string]any{"query": `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, "variables": map[string]any{"ids": pipelineIDs(100)}})
		if resp, err := http.DefaultClient.Do(req.WithContext(ctx)); err == nil {
			resp.Body.Close()
		}
	})
	for range perCaller {
		<-h.arrived
	}

	done := make(chan gqlResponse, 1)
	go func() { done <- s.do(t, gitlabsim.TokenMaintainer, `{ currentUser { username } }`, nil) }()
	select {
	case out := <-done:
		if len(out.Errors) > 0 || !strings.Contains(string(out.Data), "username") {
			t.Errorf("the other caller got %s %+v", out.Data, out.Errors)
		}
	case <-time.After(20 * time.Second):
		t.Error("the other caller got no answer while the first held GitLab's connections")
	}
	h.mu.Lock()
	most := h.max
	h.mu.Unlock()
	if most > perCaller {
		t.Errorf("the anonymous caller had %d calls in flight, more than its %d", most, perCaller)
	}
	cancel()
	wg.Wait()
}

// A forged cursor pointing far from its item costs a bounded number of calls,
// then BAD_USER_INPUT; it cost 49 calls before the search was bounded.
func TestForgedCursorsCostBoundedCalls(t *testing.T) {
	s := newStack(t)
	pipelines := paging.ListTag("pipelines|" + strconv.FormatInt(gitlabsim.ProjectBig, 10))
	for _, tt := range []struct {
		list   string
		route  string
		cursor paging.Cursor
	}{
		{"pipelines", routePipelines, paging.Cursor{List: pipelines, ID: 5, Offset: 1 << 29}},
		{"pipelines", routePipelines, paging.Cursor{List: pipelines, ID: 1 << 40, Offset: 1 << 29}},
		{"jobs", routeProjectJobs, paging.Cursor{ID: 999_999_999, Offset: 1 << 20}},
	} {
		query := fmt.Sprintf(`query($p: Int!, $after: String) { project(id: $p) { %s(first: 5, after: $after) { nodes { id } } } }`, tt.list)
		out := s.do(t, gitlabsim.TokenMaintainer, query, map[string]any{"p": gitlabsim.ProjectBig, "after": tt.cursor.String()})
		if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || !strings.Contains(out.Errors[0].Message, "too far") {
			t.Errorf("%s cursor %+v: %+v, want BAD_USER_INPUT for a cursor too far from its item", tt.list, tt.cursor, out.Errors)
		}
		if n := s.calls()[tt.route]; n > 17 {
			t.Errorf("%s cursor %+v cost %d calls, want at most 17", tt.list, tt.cursor, n)
		}
	}
}

// A dead GitLab gets fast UPSTREAM_ERRORs once the circuit opens, without
// more calls, and the gateway recovers by itself when GitLab is back.
func TestDeadGitLabOpensTheCircuit(t *testing.T) {
	s := newStackOver(t, gitlabsim.Options{Seed: 1}, graph.HandlerConfig{},
		restclient.Config{MaxRetries: -1, BreakerFailures: 5, BreakerCooldown: 100 * time.Millisecond}, nil)
	const query = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
	s.sim.SetFaults(gitlabsim.Faults{ErrorRate: 1, ErrorStatus: http.StatusServiceUnavailable})
	out := s.do(t, gitlabsim.TokenMaintainer, query, map[string]any{"ids": pipelineIDs(20)})
	if len(out.Errors) != 20 {
		t.Fatalf("%d errors, want 20", len(out.Errors))
	}
	for _, e := range out.Errors {
		if e.Extensions["code"] != "UPSTREAM_ERROR" {
			t.Fatalf("error %+v, want UPSTREAM_ERROR", e)
		}
	}
	s.calls()
	out = s.do(t, gitlabsim.TokenMaintainer, query, map[string]any{"ids": pipelineIDs(20)})
	if len(out.Errors) != 20 || out.Errors[0].Extensions["code"] != "UPSTREAM_ERROR" {
		t.Fatalf("with the circuit open: %+v", out.Errors)
	}
	if n := total(s.calls()); n != 0 {
		t.Errorf("with the circuit open, GitLab still got %d requests", n)
	}
	s.sim.SetFaults(gitlabsim.Faults{})
	time.Sleep(150 * time.Millisecond)
	var user struct{ CurrentUser struct{ Username string } }
	s.data(t, `{ currentUser { username } }`, nil, &user)
	if user.CurrentUser.Username == "" {
		t.Error("no answer after GitLab came back")
	}
}
