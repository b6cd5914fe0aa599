package graph_test

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jobgraph/gitlabsim"
	"jobgraph/graph"
	"jobgraph/graph/globalid"
	"jobgraph/graph/paging"
	"jobgraph/restclient"
)

// stack is gitlabsim and the gateway on loopback, as in production.
type stack struct {
	sim      *gitlabsim.Sim
	upstream *httptest.Server
	gateway  *httptest.Server
}

func newStack(t testing.TB) *stack {
	t.Helper()
	return newStackWith(t, gitlabsim.Options{Seed: 1}, graph.HandlerConfig{}, nil)
}

// newStackWith builds a stack from the simulator's options and the gateway's
// configuration; wrap, when set, sits between the gateway and the simulator.
func newStackWith(t testing.TB, opts gitlabsim.Options, cfg graph.HandlerConfig, wrap func(http.Handler) http.Handler) *stack {
	t.Helper()
	return newStackOver(t, opts, cfg, restclient.Config{MaxRetryWait: time.Second}, wrap)
}

// newStackOver is newStackWith with the gateway's GitLab client configured by
// rc, whose BaseURL it sets.
func newStackOver(t testing.TB, opts gitlabsim.Options, cfg graph.HandlerConfig, rc restclient.Config, wrap func(http.Handler) http.Handler) *stack {
	t.Helper()
	sim := gitlabsim.New(opts)
	var upstreamHandler http.Handler = sim
	if wrap != nil {
		upstreamHandler = wrap(sim)
	}
	upstream := httptest.NewServer(upstreamHandler)
	rc.BaseURL = upstream.URL
	client, err := restclient.New(rc)
	if err != nil {
		t.Fatal(err)
	}
	gateway := httptest.NewServer(graph.NewHandler(client, cfg))
	t.Cleanup(func() {
		gateway.Close()
		upstream.Close()
		sim.Close()
	})
	return &stack{sim: sim, upstream: upstream, gateway: gateway}
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// do posts a query with token (none when empty) and decodes the answer.
func (s *stack) do(t testing.TB, token, query string, vars map[string]any) gqlResponse {
	t.Helper()
	status, answer := s.post(t, token, map[string]any{"query": query, "variables": vars})
	var out gqlResponse
	if err := json.Unmarshal(answer, &out); err != nil {
		t.Fatalf("decoding response (status %d): %v", status, err)
	}
	return out
}

// post posts a GraphQL request (query, variables, operationName) with token
// (none when empty) and returns the answer's status and body as sent.
func (s *stack) post(t testing.TB, token string, params map[string]any) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(s.request(token, params))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, answer
}

// request builds the POST of a GraphQL request (query, variables,
// operationName) with token (none when empty).
func (s *stack) request(token string, params map[string]any) *http.Request {
	body, _ := json.Marshal(params)
	req, _ := http.NewRequest(http.MethodPost, s.gateway.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// send makes a GraphQL request and decodes its answer.
func send(t testing.TB, req *http.Request) gqlResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decoding response (status %d): %v", resp.StatusCode, err)
	}
	return out
}

// data runs a query that must succeed and decodes its data into v.
func (s *stack) data(t testing.TB, query string, vars map[string]any, v any) {
	t.Helper()
	out := s.do(t, gitlabsim.TokenMaintainer, query, vars)
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %+v", out.Errors)
	}
	if err := json.Unmarshal(out.Data, v); err != nil {
		t.Fatal(err)
	}
}

// calls returns the upstream calls made since the last reset, by route.
func (s *stack) calls() map[string]int64 {
	st := s.sim.Stats()
	s.sim.ResetStats()
	return st
}

func total(calls map[string]int64) int64 {
	var n int64
	for _, c := range calls {
		n += c
	}
	return n
}

const (
	routeProjectJobs  = "GET /api/v4/projects/:id/jobs"
	routeJob          = "GET /api/v4/projects/:id/jobs/:job_id"
	routePipeline     = "GET /api/v4/projects/:id/pipelines/:pipeline_id"
	routePipelines    = "GET /api/v4/projects/:id/pipelines"
	routePipelineJobs = "GET /api/v4/projects/:id/pipelines/:pipeline_id/jobs"
	routeProject      = "GET /api/v4/projects/:id"
)

type jobsPage struct {
	Project struct {
		Jobs struct {
			TotalCount *int `json:"totalCount"`
			PageInfo   struct {
				HasNextPage     bool   `json:"hasNextPage"`
				HasPreviousPage bool   `json:"hasPreviousPage"`
				EndCursor       string `json:"endCursor"`
			} `json:"pageInfo"`
			Nodes []struct {
				ID         string `json:"id"`
				DatabaseID int64  `json:"databaseId"`
				Pipeline   struct {
					DatabaseID int64    `json:"databaseId"`
					Duration   *float64 `json:"duration"`
				} `json:"pipeline"`
			} `json:"nodes"`
		} `json:"jobs"`
	} `json:"project"`
}

const embeddedFields = `
	id databaseId name status
	pipeline { databaseId status ref sha }
	user { username name }
	commit { title shortId }`

// 100 jobs with what GitLab embeds in each job cost exactly one call.
func TestEmbeddedFieldsCostOneCall(t *testing.T) {
	s := newStack(t)
	var got jobsPage
	s.data(t, `query($p: Int!) { project(id: $p) { jobs(first: 100) { totalCount nodes {`+embeddedFields+` } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo}, &got)
	if n := len(got.Project.Jobs.Nodes); n != 100 {
		t.Fatalf("got %d jobs, want 100", n)
	}
	if got.Project.Jobs.TotalCount != nil {
		t.Errorf("totalCount = %d, want null: GitLab gives no total for project jobs", *got.Project.Jobs.TotalCount)
	}
	if calls := s.calls(); total(calls) != 1 || calls[routeProjectJobs] != 1 {
		t.Fatalf("upstream calls %v, want exactly one %s", calls, routeProjectJobs)
	}
}

// A field only the full pipeline carries costs one call per distinct pipeline.
func TestPipelineDurationCostsOneCallPerDistinctPipeline(t *testing.T) {
	s := newStack(t)
	var got jobsPage
	s.data(t, `query($p: Int!) { project(id: $p) { jobs(first: 100) { nodes {`+embeddedFields+` pipeline { duration } } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo}, &got)
	distinct := map[int64]bool{}
	for _, j := range got.Project.Jobs.Nodes {
		distinct[j.Pipeline.DatabaseID] = true
	}
	calls := s.calls()
	if calls[routeProjectJobs] != 1 || calls[routePipeline] != int64(len(distinct)) || total(calls) != int64(1+len(distinct)) {
		t.Fatalf("upstream calls %v, want 1 + %d distinct pipelines", calls, len(distinct))
	}
	if len(distinct) < 2 {
		t.Fatalf("fixture too small: %d distinct pipelines", len(distinct))
	}
}

// node() on many job ids costs one call per distinct job at most.
func TestNodesAreDeduplicated(t *testing.T) {
	s := newStack(t)
	var page jobsPage
	s.data(t, `query($p: Int!) { project(id: $p) { jobs(first: 50) { nodes { id } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo}, &page)
	s.calls()
	var ids []string
	for _, j := range page.Project.Jobs.Nodes {
		ids = append(ids, j.ID)
	}
	ids = append(ids, ids[:10]...) // duplicates cost nothing more
	var aliases strings.Builder
	for i, id := range ids[:5] {
		fmt.Fprintf(&aliases, "a%d: node(id: %q) { id }\n", i, id)
	}
	var got struct {
		Nodes []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"nodes"`
	}
	s.data(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Job { name } } `+aliases.String()+` }`,
		map[string]any{"ids": ids}, &got)
	for i, n := range got.Nodes {
		if n.ID != ids[i] || n.Name == "" {
			t.Fatalf("node %d = %+v, want job %s", i, n, ids[i])
		}
	}
	if calls := s.calls(); calls[routeJob] != 50 || total(calls) != 50 {
		t.Fatalf("upstream calls %v, want 50 single-job calls", calls)
	}
}

// Nested connections cost one call per level per parent: 1 + 1 + 20.
func TestNestedConnectionsCostOneCallPerParent(t *testing.T) {
	s := newStack(t)
	var got struct {
		Project struct {
			Name      string `json:"name"`
			Pipelines struct {
				Nodes []struct {
					Jobs struct {
						Nodes []struct{ Name string } `json:"nodes"`
					} `json:"jobs"`
				} `json:"nodes"`
			} `json:"pipelines"`
		} `json:"project"`
	}
	s.data(t, `query($path: String!) { project(fullPath: $path) { name
		pipelines(first: 20) { nodes { jobs(first: 50) { nodes { name } } } } } }`,
		map[string]any{"path": gitlabsim.ProjectPath(gitlabsim.ProjectDemo)}, &got)
	if n := len(got.Project.Pipelines.Nodes); n != 20 {
		t.Fatalf("got %d pipelines, want 20", n)
	}
	for _, p := range got.Project.Pipelines.Nodes {
		if len(p.Jobs.Nodes) == 0 {
			t.Fatalf("a pipeline with no jobs")
		}
	}
	calls := s.calls()
	if calls[routeProject] != 1 || calls[routePipelines] != 1 || calls[routePipelineJobs] != 20 || total(calls) != 22 {
		t.Fatalf("upstream calls %v, want 1 project + 1 pipelines + 20 pipeline jobs", calls)
	}
}

// Walking a project's jobs while GitLab creates new ones returns every job
// that existed at the start exactly once.
func TestJobWalkIsStableWhileJobsAreCreated(t *testing.T) {
	s := newStack(t)
	vars := map[string]any{"p": gitlabsim.ProjectDemo, "first": 73}
	q := `query($p: Int!, $first: Int, $after: String) { project(id: $p) { jobs(first: $first, after: $after) {
		pageInfo { hasNextPage endCursor } nodes { databaseId } } } }`
	var baseline []int64
	for after := ""; ; {
		if after != "" {
			vars["after"] = after
		}
		var page jobsPage
		s.data(t, q, vars, &page)
		for _, j := range page.Project.Jobs.Nodes {
			baseline = append(baseline, j.DatabaseID)
		}
		if !page.Project.Jobs.PageInfo.HasNextPage {
			break
		}
		after = page.Project.Jobs.PageInfo.EndCursor
	}
	delete(vars, "after")
	var walked []int64
	seen := map[int64]bool{}
	for after, pages := "", 0; ; pages++ {
		if after != "" {
			vars["after"] = after
		}
		var page jobsPage
		s.data(t, q, vars, &page)
		for _, j := range page.Project.Jobs.Nodes {
			if seen[j.DatabaseID] {
				t.Fatalf("job %d returned twice", j.DatabaseID)
			}
			seen[j.DatabaseID] = true
			walked = append(walked, j.DatabaseID)
		}
		if !page.Project.Jobs.PageInfo.HasNextPage {
			break
		}
		after = page.Project.Jobs.PageInfo.EndCursor
		if _, jobs := s.sim.AddPipeline(gitlabsim.ProjectDemo, "main"); len(jobs) == 0 {
			t.Fatal("AddPipeline created no jobs")
		}
	}
	if fmt.Sprint(walked) != fmt.Sprint(baseline) {
		t.Fatalf("walk while creating jobs returned %d jobs, baseline %d", len(walked), len(baseline))
	}
}

// A walk with endCursor reads GitLab's keyset pages, one call per page, so it
// goes on past GitLab's offset limit (lowered here to 300, as administrators
// can) while jobs are created, and returns every job once, newest first.
func TestJobWalkPassesTheOffsetLimit(t *testing.T) {
	var mu sync.Mutex
	var queries []url.Values
	s := newStackWith(t, gitlabsim.Options{Seed: 1, OffsetLimit: 300}, graph.HandlerConfig{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			queries = append(queries, r.URL.Query())
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	q := `query($p: Int!, $first: Int!, $after: String) { project(id: $p) { jobs(first: $first, after: $after) {
		pageInfo { hasNextPage endCursor } edges { cursor node { databaseId } } } } }`
	type page struct {
		Project struct {
			Jobs struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Edges []struct {
					Cursor string `json:"cursor"`
					Node   struct {
						DatabaseID int64 `json:"databaseId"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"jobs"`
		} `json:"project"`
	}
	// read reads first jobs after the cursor after ("" for none) with one
	// keyset call of perPage.
	read := func(first int, after string, perPage int) (ids []int64, cursors []string, next bool) {
		t.Helper()
		vars := map[string]any{"p": gitlabsim.ProjectDemo, "first": first}
		if after != "" {
			vars["after"] = after
		}
		mu.Lock()
		queries = nil
		mu.Unlock()
		var p page
		s.data(t, q, vars, &p)
		mu.Lock()
		defer mu.Unlock()
		if len(queries) != 1 || queries[0].Get("pagination") != "keyset" || queries[0].Get("per_page") != strconv.Itoa(perPage) {
			t.Fatalf("after %q: upstream queries %v, want one keyset page of %d", after, queries, perPage)
		}
		for _, e := range p.Project.Jobs.Edges {
			ids, cursors = append(ids, e.Node.DatabaseID), append(cursors, e.Cursor)
		}
		return ids, cursors, p.Project.Jobs.PageInfo.HasNextPage
	}
	// walk reads every page, calling between after each but the last.
	walk := func(between func()) (walked []int64, cursors []string) {
		for after := ""; ; {
			ids, pageCursors, next := read(100, after, 100)
			walked, cursors = append(walked, ids...), append(cursors, pageCursors...)
			if !next {
				return walked, cursors
			}
			after = pageCursors[len(pageCursors)-1]
			between()
		}
	}
	baseline, cursors := walk(func() {})
	walked, _ := walk(func() {
		if _, jobs := s.sim.AddPipeline(gitlabsim.ProjectDemo, "main"); len(jobs) == 0 {
			t.Fatal("AddPipeline created no jobs")
		}
	})
	if len(baseline) <= 400 || !slices.IsSortedFunc(baseline, func(a, b int64) int { return cmp.Compare(b, a) }) {
		t.Fatalf("walked %d jobs, want over 400, newest first", len(baseline))
	}
	if !slices.Equal(walked, baseline) {
		t.Fatalf("walk while creating jobs returned %d jobs, baseline %d", len(walked), len(baseline))
	}
	// Past the limit, a cursor from inside a page resumes by re-reading its
	// page, and the last page's end cursor answers an empty page.
	if ids, _, next := read(3, cursors[410], 100); !slices.Equal(ids, baseline[411:414]) || !next {
		t.Fatalf("after the 411th job: %v next=%v, want %v", ids, next, baseline[411:414])
	}
	if ids, _, next := read(5, cursors[len(cursors)-1], 100); len(ids) != 0 || next {
		t.Fatalf("after the last job: %v next=%v", ids, next)
	}
	// A cursor that can only resume by offset says what to do instead.
	byOffset := paging.Cursor{ID: baseline[400], Offset: 400}.String()
	out := s.do(t, gitlabsim.TokenMaintainer, q, map[string]any{"p": gitlabsim.ProjectDemo, "first": 5, "after": byOffset})
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_USER_INPUT" ||
		!strings.Contains(out.Errors[0].Message, "first 300 items") || !strings.Contains(out.Errors[0].Message, "endCursor") {
		t.Fatalf("offset past GitLab's limit: %+v", out.Errors)
	}
}

// A GitLab that predates keyset pagination of project jobs either ignores
// pagination=keyset and answers an offset page, or refuses it with 405; jobs
// are then paged by offset, and keyset is not asked for again.
func TestJobsPageByOffsetWhereGitLabHasNoKeyset(t *testing.T) {
	oldGitLab := map[string]func(w http.ResponseWriter, r *http.Request, next http.Handler){
		"ignores the parameter": func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			q := r.URL.Query()
			q.Del("pagination")
			q.Del("cursor")
			r.URL.RawQuery = q.Encode()
			next.ServeHTTP(w, r)
		},
		"refuses it": func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = w.Write([]byte(`{"error":"Keyset pagination is not yet available for this type of request"}`))
		},
	}
	for name, answer := range oldGitLab {
		t.Run(name, func(t *testing.T) {
			var asked atomic.Int64
			s := newStackWith(t, gitlabsim.Options{Seed: 1}, graph.HandlerConfig{}, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("pagination") != "keyset" {
						next.ServeHTTP(w, r)
						return
					}
					asked.Add(1)
					answer(w, r, next)
				})
			})
			q := `query($p: Int!, $after: String) { project(id: $p) { jobs(first: 30, after: $after) {
				pageInfo { hasNextPage endCursor } nodes { databaseId } } } }`
			vars := map[string]any{"p": gitlabsim.ProjectDemo}
			var first, second jobsPage
			s.data(t, q, vars, &first)
			vars["after"] = first.Project.Jobs.PageInfo.EndCursor
			s.data(t, q, vars, &second)
			a, b := first.Project.Jobs.Nodes, second.Project.Jobs.Nodes
			if len(a) != 30 || len(b) != 30 || b[0].DatabaseID >= a[29].DatabaseID ||
				!first.Project.Jobs.PageInfo.HasNextPage || !second.Project.Jobs.PageInfo.HasNextPage {
				t.Fatalf("pages of %d and %d jobs, %+v then %+v", len(a), len(b), first.Project.Jobs.PageInfo, second.Project.Jobs.PageInfo)
			}
			if n := asked.Load(); n != 1 {
				t.Fatalf("keyset asked for %d times, want once", n)
			}
		})
	}
}

func TestErrorsArePreciseAndPartial(t *testing.T) {
	s := newStack(t)
	demo, private := gitlabsim.ProjectDemo, gitlabsim.ProjectPrivate
	cases := []struct {
		name, token, query string
		code               string
		path               string
	}{
		{"bad token", "glpat-wrong", fmt.Sprintf(`{ project(id: %d) { name } }`, demo), "UNAUTHENTICATED", "project"},
		{"hidden project", gitlabsim.TokenOutsider, fmt.Sprintf(`{ project(id: %d) { name } }`, private), "NOT_FOUND", "project"},
		{"missing job", gitlabsim.TokenMaintainer, fmt.Sprintf(`{ project(id: %d) { job(id: 999999999) { name } } }`, demo), "NOT_FOUND", "project.job"},
		{"missing project, ids only", gitlabsim.TokenMaintainer, `{ project(id: 987654) { id databaseId } }`, "NOT_FOUND", "project"},
		{"missing project, typename only", gitlabsim.TokenMaintainer, `{ project(fullPath: "no/such/project") { __typename job(id: 1) { name } } }`, "NOT_FOUND", "project"},
		{"missing project, jobs only", gitlabsim.TokenMaintainer, `{ project(fullPath: "no/such/project") { jobs { nodes { name } } } }`, "NOT_FOUND", "project.jobs"},
		{"both ids", gitlabsim.TokenMaintainer, `{ project(id: 1, fullPath: "a/b") { name } }`, "BAD_USER_INPUT", "project"},
		{"page too large", gitlabsim.TokenMaintainer, fmt.Sprintf(`{ project(id: %d) { jobs(first: 101) { nodes { name } } } }`, demo), "BAD_USER_INPUT", "project.jobs"},
		{"garbage cursor", gitlabsim.TokenMaintainer, fmt.Sprintf(`{ project(id: %d) { jobs(after: "x!") { nodes { name } } } }`, demo), "BAD_USER_INPUT", "project.jobs"},
		{"cursor carrying another job's GitLab cursor", gitlabsim.TokenMaintainer, fmt.Sprintf(`{ project(id: %d) { jobs(after: %q) { nodes { name } } } }`, demo,
			paging.Cursor{ID: 200005, Keyset: base64.URLEncoding.EncodeToString([]byte(`{"id":"200009","_kd":"n"}`)), KeysetAfter: true}), "BAD_USER_INPUT", "project.jobs"},
		{"garbage node id", gitlabsim.TokenMaintainer, `{ node(id: "Sm9iOjE6Mg==") { id } }`, "BAD_USER_INPUT", "node"},
		{"last without total", gitlabsim.TokenMaintainer, fmt.Sprintf(`{ project(id: %d) { jobs(last: 5) { nodes { name } } } }`, demo), "BAD_USER_INPUT", "project.jobs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := s.do(t, c.token, c.query, nil)
			if len(out.Errors) != 1 {
				t.Fatalf("errors %+v, want one", out.Errors)
			}
			e := out.Errors[0]
			var path []string
			for _, p := range e.Path {
				path = append(path, fmt.Sprint(p))
			}
			if e.Extensions["code"] != c.code || strings.Join(path, ".") != c.path {
				t.Fatalf("error %+v, want code %s at %s", e, c.code, c.path)
			}
			if strings.Contains(e.Message, c.token) && c.token != "" {
				t.Fatalf("error message leaks the token: %q", e.Message)
			}
		})
	}
}

// One failing field fails alone; the rest of the query answers.
func TestPartialDataAndRateLimit(t *testing.T) {
	s := newStack(t)
	s.sim.SetFaults(gitlabsim.Faults{
		Routes: []string{routePipeline}, RateLimitRate: 1, RetryAfter: 30,
	})
	out := s.do(t, gitlabsim.TokenMaintainer, fmt.Sprintf(`{
		ok: project(id: %d) { jobs(first: 1) { nodes { name } } }
		limited: project(id: %d) { pipeline(id: %d) { status } } }`,
		gitlabsim.ProjectDemo, gitlabsim.ProjectDemo, gitlabsim.PipelineFixture), nil)
	var data struct {
		OK struct {
			Jobs struct{ Nodes []struct{ Name string } } `json:"jobs"`
		} `json:"ok"`
		Limited struct {
			Pipeline *struct{ Status string } `json:"pipeline"`
		} `json:"limited"`
	}
	if err := json.Unmarshal(out.Data, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.OK.Jobs.Nodes) != 1 || data.Limited.Pipeline != nil {
		t.Fatalf("data %s, want the jobs and a null pipeline", out.Data)
	}
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "RATE_LIMITED" || out.Errors[0].Extensions["retryAfter"] != float64(30) {
		t.Fatalf("errors %+v, want one RATE_LIMITED with retryAfter 30", out.Errors)
	}
}

func TestUpstreamFailureIsUpstreamError(t *testing.T) {
	s := newStack(t)
	s.sim.SetFaults(gitlabsim.Faults{Routes: []string{routeProjectJobs}, ErrorRate: 1, ErrorStatus: 502})
	out := s.do(t, gitlabsim.TokenMaintainer, fmt.Sprintf(`{ project(id: %d) { jobs { nodes { name } } } }`, gitlabsim.ProjectDemo), nil)
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "UPSTREAM_ERROR" {
		t.Fatalf("errors %+v, want UPSTREAM_ERROR", out.Errors)
	}
	if strings.Contains(out.Errors[0].Message, "127.0.0.1") {
		t.Fatalf("error leaks the upstream address: %q", out.Errors[0].Message)
	}
}

// Requests with different tokens running at the same time never see each
// other's data.
func TestTokensAreIsolated(t *testing.T) {
	s := newStack(t)
	q := fmt.Sprintf(`{ project(id: %d) { name } }`, gitlabsim.ProjectPrivate)
	done := make(chan gqlResponse, 40)
	for i := 0; i < 20; i++ {
		go func() { done <- s.do(t, gitlabsim.TokenMaintainer, q, nil) }()
		go func() { done <- s.do(t, gitlabsim.TokenOutsider, q, nil) }()
	}
	var seen, hidden int
	for i := 0; i < 40; i++ {
		out := <-done
		if len(out.Errors) == 0 {
			seen++
		} else if out.Errors[0].Extensions["code"] == "NOT_FOUND" && string(out.Data) == `{"project":null}` {
			hidden++
		}
	}
	if seen != 20 || hidden != 20 {
		t.Fatalf("maintainer saw the project %d/20 times, outsider was refused %d/20 times", seen, hidden)
	}
}

func TestPipelineJobsHaveTotalsAndPageBackwards(t *testing.T) {
	s := newStack(t)
	var got struct {
		Project struct {
			Pipeline struct {
				Jobs struct {
					TotalCount *int `json:"totalCount"`
					PageInfo   struct {
						HasNextPage     bool `json:"hasNextPage"`
						HasPreviousPage bool `json:"hasPreviousPage"`
					} `json:"pageInfo"`
					Nodes []struct {
						DatabaseID int64 `json:"databaseId"`
					} `json:"nodes"`
				} `json:"jobs"`
			} `json:"pipeline"`
		} `json:"project"`
	}
	s.data(t, `query($p: Int!, $pl: Int!) { project(id: $p) { pipeline(id: $pl) {
		jobs(last: 2, includeRetried: true) { totalCount pageInfo { hasNextPage hasPreviousPage } nodes { databaseId } } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo, "pl": gitlabsim.PipelineFixture}, &got)
	jobs := got.Project.Pipeline.Jobs
	if jobs.TotalCount == nil || *jobs.TotalCount < 3 {
		t.Fatalf("totalCount = %v, want the pipeline's job count", jobs.TotalCount)
	}
	if len(jobs.Nodes) != 2 || !jobs.PageInfo.HasPreviousPage || jobs.PageInfo.HasNextPage {
		t.Fatalf("last: 2 = %+v", jobs)
	}
	if jobs.Nodes[0].DatabaseID <= jobs.Nodes[1].DatabaseID {
		t.Fatalf("jobs not newest first: %+v", jobs.Nodes)
	}
}

// GraphQL over HTTP: GET serves queries.
func TestGetServesQueries(t *testing.T) {
	s := newStack(t)
	req, _ := http.NewRequest(http.MethodGet, s.gateway.URL+"?query="+strings.ReplaceAll(`{currentUser{username}}`, " ", "%20"), nil)
	req.Header.Set("PRIVATE-TOKEN", gitlabsim.TokenDeveloper)
	out := send(t, req)
	if string(out.Data) != `{"currentUser":{"username":"dev.dana"}}` {
		t.Fatalf("GET query answered %s %+v", out.Data, out.Errors)
	}
}

// Identical calls inside one request are made once: the same list page asked
// for by two fields, and the same pipeline reached from several places.
func TestIdenticalCallsAreMadeOnce(t *testing.T) {
	s := newStack(t)
	var data struct {
		A, B struct {
			Jobs struct {
				Nodes []struct {
					Pipeline struct {
						DatabaseID int64 `json:"databaseId"`
					} `json:"pipeline"`
				} `json:"nodes"`
			} `json:"jobs"`
		}
	}
	s.data(t, `query($p: Int!, $pl: Int!) {
		a: project(id: $p) { jobs(first: 30) { nodes { pipeline { databaseId duration } } } }
		b: project(id: $p) { jobs(first: 30) { nodes { pipeline { databaseId duration } } } }
		c: project(id: $p) { pipeline(id: $pl) { duration } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo, "pl": gitlabsim.PipelineFixture}, &data)
	pipelines := map[int64]bool{gitlabsim.PipelineFixture: true}
	for _, j := range append(data.A.Jobs.Nodes, data.B.Jobs.Nodes...) {
		pipelines[j.Pipeline.DatabaseID] = true
	}
	calls := s.calls()
	if len(data.A.Jobs.Nodes) != 30 || calls[routeProjectJobs] != 1 || calls[routePipeline] != int64(len(pipelines)) {
		t.Fatalf("upstream calls %v, want 1 jobs page and %d distinct pipelines", calls, len(pipelines))
	}
}

// A query whose nested lists would fan out into thousands of upstream calls
// is refused before any call is made.
func TestFanOutIsRefusedBeforeAnyCall(t *testing.T) {
	s := newStack(t)
	out := s.do(t, gitlabsim.TokenMaintainer, fmt.Sprintf(`{ project(id: %d) {
		pipelines(first: 100) { nodes { jobs(first: 100) { nodes { project { pipelines(first: 100) { nodes { id } } } } } } } } }`,
		gitlabsim.ProjectDemo), nil)
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" || string(out.Data) != "null" && out.Data != nil {
		t.Fatalf("response %s %+v, want a complexity error and no data", out.Data, out.Errors)
	}
	if calls := s.calls(); total(calls) != 0 {
		t.Fatalf("upstream calls %v, want none", calls)
	}
}

// A project named by its path, and the current user, are deduplicated too.
func TestIdenticalLookupsAreMadeOnce(t *testing.T) {
	s := newStack(t)
	out := s.do(t, gitlabsim.TokenMaintainer, fmt.Sprintf(`{
		project(fullPath: %q) {
			jobs(first: 1) { nodes { name } }
			a: job(id: %[2]d) { name } b: job(id: %[2]d) { status }
			c: pipeline(id: %[3]d) { status } d: pipeline(id: %[3]d) { duration }
		}
		u1: currentUser { username } u2: currentUser { name } }`,
		gitlabsim.ProjectPath(gitlabsim.ProjectDemo), gitlabsim.JobFailed, gitlabsim.PipelineFixture), nil)
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %+v", out.Errors)
	}
	calls := s.calls()
	want := map[string]int64{routeProjectJobs: 1, routeJob: 1, routePipeline: 1, "GET /api/v4/user": 1}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("upstream calls %v, want %v", calls, want)
	}
}

// What the pipeline already knows of its commit (the sha) costs no call;
// other commit fields cost one.
func TestPipelineCommitShaCostsNothing(t *testing.T) {
	s := newStack(t)
	q := `query($p: Int!, $pl: Int!) { project(id: $p) { pipeline(id: $pl) { sha commit { id sha %s } } } }`
	vars := map[string]any{"p": gitlabsim.ProjectDemo, "pl": gitlabsim.PipelineFixture}
	var got struct {
		Project struct {
			Pipeline struct {
				Sha    string `json:"sha"`
				Commit struct {
					Sha   string `json:"sha"`
					Title string `json:"title"`
				} `json:"commit"`
			} `json:"pipeline"`
		} `json:"project"`
	}
	s.data(t, fmt.Sprintf(q, ""), vars, &got)
	if p := got.Project.Pipeline; p.Commit.Sha != p.Sha || p.Sha == "" {
		t.Fatalf("commit sha %q, pipeline sha %q", p.Commit.Sha, p.Sha)
	}
	if calls := s.calls(); total(calls) != 2 || calls[routePipeline] != 1 || calls[routeProject] != 1 {
		t.Fatalf("upstream calls %v, want only the project and the pipeline", calls)
	}
	s.data(t, fmt.Sprintf(q, "title"), vars, &got)
	if got.Project.Pipeline.Commit.Title == "" {
		t.Fatal("commit title is empty")
	}
	if calls := s.calls(); calls["GET /api/v4/projects/:id/repository/commits/:sha"] != 1 {
		t.Fatalf("upstream calls %v, want one commit call", calls)
	}
}

// A bridge's global id resolves through its pipeline's bridge list, and
// leads to the downstream pipeline.
func TestBridgeNode(t *testing.T) {
	s := newStack(t)
	var list struct {
		Project struct {
			Pipeline struct {
				Bridges struct {
					Nodes []struct {
						ID string `json:"id"`
					} `json:"nodes"`
				} `json:"bridges"`
			} `json:"pipeline"`
		} `json:"project"`
	}
	s.data(t, `query($p: Int!, $pl: Int!) { project(id: $p) { pipeline(id: $pl) { bridges { nodes { id } } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo, "pl": gitlabsim.PipelineFixture}, &list)
	bridges := list.Project.Pipeline.Bridges.Nodes
	if len(bridges) == 0 {
		t.Fatal("the fixture pipeline has no bridges")
	}
	s.calls()
	var got struct {
		Node struct {
			DatabaseID         int64 `json:"databaseId"`
			DownstreamPipeline struct {
				ProjectID int64 `json:"projectId"`
			} `json:"downstreamPipeline"`
		} `json:"node"`
	}
	s.data(t, `query($id: ID!) { node(id: $id) { ... on Bridge { databaseId downstreamPipeline { projectId } } } }`,
		map[string]any{"id": bridges[0].ID}, &got)
	if got.Node.DatabaseID != gitlabsim.JobBridge || got.Node.DownstreamPipeline.ProjectID != gitlabsim.ProjectDownstream {
		t.Fatalf("node = %+v, want bridge %d triggering project %d", got.Node, gitlabsim.JobBridge, gitlabsim.ProjectDownstream)
	}
	if calls := s.calls(); total(calls) != 1 {
		t.Fatalf("upstream calls %v, want one bridges page", calls)
	}
}

// Query.projects lists what the caller can see, newest first, filtered like
// GitLab's /projects.
func TestProjects(t *testing.T) {
	s := newStack(t)
	q := `query($search: String, $member: Boolean, $after: String) { projects(search: $search, membership: $member, first: 2, after: $after) {
		totalCount pageInfo { hasNextPage endCursor } nodes { databaseId fullPath } } }`
	type page struct {
		Projects struct {
			TotalCount *int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
			Nodes []struct {
				DatabaseID int64
				FullPath   string
			}
		}
	}
	var all []int64
	vars := map[string]any{}
	for {
		var p page
		s.data(t, q, vars, &p)
		for _, n := range p.Projects.Nodes {
			all = append(all, n.DatabaseID)
		}
		if p.Projects.TotalCount == nil || *p.Projects.TotalCount != 4 {
			t.Fatalf("maintainer's totalCount = %v, want 4", p.Projects.TotalCount)
		}
		if !p.Projects.PageInfo.HasNextPage {
			break
		}
		vars["after"] = p.Projects.PageInfo.EndCursor
	}
	if fmt.Sprint(all) != "[4 3 2 1]" {
		t.Fatalf("projects walked %v, want newest first [4 3 2 1]", all)
	}
	var found page
	s.data(t, q, map[string]any{"search": "web-app"}, &found)
	if len(found.Projects.Nodes) != 1 || found.Projects.Nodes[0].FullPath != gitlabsim.ProjectPath(gitlabsim.ProjectDemo) {
		t.Fatalf("search web-app found %+v", found.Projects.Nodes)
	}
	out := s.do(t, gitlabsim.TokenOutsider, q, map[string]any{"member": false})
	var outsider page
	if err := json.Unmarshal(out.Data, &outsider); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%s %+v", out.Data, out.Errors)
	}
	for _, n := range outsider.Projects.Nodes {
		if n.DatabaseID == gitlabsim.ProjectPrivate {
			t.Fatal("the outsider sees the private project")
		}
	}
}

// A project path that tries to name another route stays one escaped :id.
func TestProjectPathCannotEscape(t *testing.T) {
	s := newStack(t)
	for _, path := range []string{"1/../../users/1", "../user", "a?b=c#d", "%2e%2e%2fuser"} {
		out := s.do(t, gitlabsim.TokenMaintainer, `query($f: String!) { project(fullPath: $f) { name } }`, map[string]any{"f": path})
		if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "NOT_FOUND" {
			t.Errorf("%q: %s %+v, want NOT_FOUND", path, out.Data, out.Errors)
		}
		if calls := s.calls(); calls[routeProject] != 1 || total(calls) != 1 {
			t.Errorf("%q reached %v, want only %s", path, calls, routeProject)
		}
	}
}

// One operation makes at most its budget of GitLab calls however many
// distinct objects it names; the fields past the budget fail alone.
func TestUpstreamCallBudget(t *testing.T) {
	s := newStackWith(t, gitlabsim.Options{Seed: 1}, graph.HandlerConfig{MaxUpstreamCalls: 30}, nil)

	var ids []string
	for id := int64(1); id <= 100; id++ {
		ids = append(ids, globalid.Job(gitlabsim.ProjectBig, 300_000+id).String())
	}
	out := s.do(t, gitlabsim.TokenMaintainer, `query($ids: [ID!]!) { nodes(ids: $ids) { id } currentUser { username } }`,
		map[string]any{"ids": ids})
	limited := 0
	for _, e := range out.Errors {
		if e.Extensions["code"] == "UPSTREAM_CALL_LIMIT_EXCEEDED" {
			limited++
		}
	}
	if calls := s.calls(); total(calls) > 30 {
		t.Fatalf("%d upstream calls, want at most the budget of 30", total(calls))
	}
	if limited < 70 {
		t.Fatalf("%d fields failed for the budget, want at least 70: %+v", limited, out.Errors[:3])
	}
}

// gate holds the upstream requests it matches until want of them are in
// flight together, and records the most that ever were. A gateway that sends
// them one after another never fills it: each then waits out patience, and
// the test fails instead of hanging.
type gate struct {
	next      http.Handler
	match     func(*http.Request) bool
	want      int
	patience  time.Duration
	mu        sync.Mutex
	now, max  int
	full      chan struct{}
	fullClose sync.Once
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.match(r) {
		g.next.ServeHTTP(w, r)
		return
	}
	g.mu.Lock()
	g.now++
	g.max = max(g.max, g.now)
	if g.now >= g.want {
		g.fullClose.Do(func() { close(g.full) })
	}
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.now--
		g.mu.Unlock()
	}()
	select {
	case <-g.full:
	case <-time.After(g.patience):
	}
	g.next.ServeHTTP(w, r)
}

// The calls of one query level go out together: the 20 pipelines' job lists
// are all in flight at once, however slowly the machine runs.
func TestCallsOfALevelGoOutTogether(t *testing.T) {
	g := &gate{
		match:    func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/pipelines/") },
		want:     20,
		patience: 10 * time.Second,
		full:     make(chan struct{}),
	}
	s := newStackWith(t, gitlabsim.Options{Seed: 1}, graph.HandlerConfig{},
		func(sim http.Handler) http.Handler { g.next = sim; return g })

	var got struct {
		Project struct {
			Pipelines struct {
				Nodes []struct {
					Jobs struct{ Nodes []struct{ Name string } }
				}
			}
		}
	}
	s.data(t, `query($p: Int!) { project(id: $p) { pipelines(first: 20) { nodes { jobs(first: 5) { nodes { name } } } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo}, &got)
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(got.Project.Pipelines.Nodes) != 20 || g.max < 20 {
		t.Fatalf("%d pipelines; at most %d upstream calls in flight at once, want the 20 job lists together",
			len(got.Project.Pipelines.Nodes), g.max)
	}
}

// A pipeline list carries each pipeline's workflow name, where it has one.
func TestPipelineNames(t *testing.T) {
	s := newStack(t)
	rc, ctx := s.rest(t)
	want, _, err := rc.ListProjectPipelines(ctx, fmt.Sprint(gitlabsim.ProjectBig), &restclient.ListPipelinesOptions{ListOptions: restclient.ListOptions{PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Project struct {
			Pipelines struct {
				Nodes []struct{ WorkflowName *string }
			}
		}
	}
	s.data(t, `query($p: Int!) { project(id: $p) { pipelines(first: 100) { nodes { workflowName } } } }`,
		map[string]any{"p": gitlabsim.ProjectBig}, &got)
	text := func(s *string) string {
		if s == nil {
			return "<nil>"
		}
		return *s
	}
	named := 0
	for i, p := range got.Project.Pipelines.Nodes {
		if text(p.WorkflowName) != text(want[i].Name) {
			t.Fatalf("pipeline %d name %s, GitLab says %s", i, text(p.WorkflowName), text(want[i].Name))
		}
		if p.WorkflowName != nil {
			named++
		}
	}
	if named == 0 {
		t.Fatal("no named pipeline among the 100 newest: the fixture does not exercise names")
	}
}

// A cursor is refused by a list other than the one that served it, rather
// than read there as a plausible page of the wrong jobs.
func TestCursorsStayWithTheirList(t *testing.T) {
	s := newStack(t)
	q := `query($p: Int!, $after: String) { project(id: $p) { name jobs(first: 5, after: $after) { pageInfo { endCursor } } } }`
	var page struct {
		Project struct {
			Jobs struct {
				PageInfo struct{ EndCursor string }
			}
		}
	}
	s.data(t, q, map[string]any{"p": gitlabsim.ProjectDemo}, &page)
	end := page.Project.Jobs.PageInfo.EndCursor
	s.data(t, q, map[string]any{"p": gitlabsim.ProjectDemo, "after": end}, &page)
	out := s.do(t, gitlabsim.TokenMaintainer, q, map[string]any{"p": gitlabsim.ProjectBig, "after": end})
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || !strings.Contains(out.Errors[0].Message, "another list") {
		t.Fatalf("project %d's cursor on project %d: %+v", gitlabsim.ProjectDemo, gitlabsim.ProjectBig, out.Errors)
	}
	pipelines := fmt.Sprintf(`{ project(id: %d) { pipelines(after: %q) { nodes { id } } } }`, gitlabsim.ProjectDemo, end)
	if out := s.do(t, gitlabsim.TokenMaintainer, pipelines, nil); len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Fatalf("a jobs cursor on pipelines: %+v", out.Errors)
	}
}

// Text arguments GitLab would receive are bounded, and a status filter goes
// upstream with each status once, however long the client's list.
func TestArgumentsPassedToGitLabAreBounded(t *testing.T) {
	var mu sync.Mutex
	var scopes [][]string
	s := newStackWith(t, gitlabsim.Options{Seed: 1}, graph.HandlerConfig{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			scopes = append(scopes, r.URL.Query()["scope[]"])
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	long := strings.Repeat("a", 6000)
	for name, q := range map[string]string{
		"search":   fmt.Sprintf(`{ projects(search: %q) { nodes { id } } }`, long),
		"fullPath": fmt.Sprintf(`{ project(fullPath: %q) { name } }`, long),
		"ref":      fmt.Sprintf(`{ project(id: %d) { pipelines(ref: %q) { nodes { id } } } }`, gitlabsim.ProjectDemo, long),
	} {
		out := s.do(t, gitlabsim.TokenMaintainer, q, nil)
		if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || strings.Contains(out.Errors[0].Message, long) {
			t.Errorf("%s of 6,000 bytes: %.300v", name, out.Errors)
		}
	}
	if calls := s.calls(); total(calls) != 0 {
		t.Fatalf("refused arguments cost upstream calls: %v", calls)
	}
	statuses := strings.TrimSuffix(strings.Repeat("FAILED, SUCCESS, ", 500), ", ")
	out := s.do(t, gitlabsim.TokenMaintainer, fmt.Sprintf(`{ project(id: %d) { jobs(statuses: [%s]) { nodes { id } } } }`, gitlabsim.ProjectDemo, statuses), nil)
	mu.Lock()
	defer mu.Unlock()
	if len(out.Errors) != 0 || len(scopes) != 1 || len(scopes[0]) != 2 {
		t.Fatalf("1,000 statuses: errors %+v, upstream scopes %v", out.Errors, scopes)
	}
}

// A caller who sent no token and asks for a private project sees GitLab's
// 404 with a word that no token was sent; a caller whose token GitLab does
// not let see it sees GitLab's 404 alone.
func TestNotFoundSaysWhenNoTokenWasSent(t *testing.T) {
	s := newStack(t)
	q := fmt.Sprintf(`{ project(id: %d) { name } }`, gitlabsim.ProjectPrivate)
	for token, want := range map[string]string{
		"":                      "404 Project Not Found (no GitLab token was sent: pass one as Authorization: Bearer, PRIVATE-TOKEN or JOB-TOKEN)",
		gitlabsim.TokenOutsider: "404 Project Not Found",
	} {
		out := s.do(t, token, q, nil)
		if len(out.Errors) != 1 || out.Errors[0].Message != want || out.Errors[0].Extensions["code"] != "NOT_FOUND" {
			t.Errorf("token %q: errors %+v, want NOT_FOUND %q", token, out.Errors, want)
		}
	}
}
