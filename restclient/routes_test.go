package restclient

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const (
	jobJSON      = `{"id":7,"status":"failed","stage":"test","name":"rspec","ref":"main","tag":false,"coverage":null,"allow_failure":false,"created_at":"2015-12-24T15:51:21.802Z","started_at":"2015-12-24T17:54:27.722Z","finished_at":null,"erased_at":null,"duration":0.173,"queued_duration":0.01,"user":{"id":1,"username":"root","name":"Administrator","state":"active","created_at":"2015-12-21T13:14:24.077Z","bio":null},"commit":{"id":"0ff3ae198f8601a285adcf5c0fff204ee6fba5fd","short_id":"0ff3ae19","created_at":"2015-12-24T16:51:14.000+01:00","parent_ids":[],"trailers":{},"extended_trailers":{}},"pipeline":{"id":6,"iid":3,"project_id":1,"ref":"main","sha":"0ff3ae19","status":"pending","source":"push"},"failure_reason":"script_failure","web_url":"https://example.com/foo/bar/-/jobs/7","project":{"ci_job_token_scope_enabled":false},"artifacts_file":{"filename":"artifacts.zip","size":1000},"artifacts":[{"file_type":"archive","size":1000,"filename":"artifacts.zip","file_format":"zip"}],"runner":null,"runner_manager":null,"artifacts_expire_at":"2016-01-23T17:54:27.895Z","archived":false,"tag_list":["docker runner","ubuntu18"]}`
	bridgeJSON   = `{"id":8,"status":"success","name":"trigger","downstream_pipeline":{"id":9,"project_id":2,"status":"success"}}`
	pipelineJSON = `{"id":6,"iid":3,"project_id":1,"sha":"abc","ref":"main","status":"success","source":"push","before_sha":"0000","tag":false,"yaml_errors":null,"user":{"id":1,"username":"root"},"duration":127,"queued_duration":63,"coverage":"30.0","detailed_status":{"icon":"status_success","text":"passed","group":"success","has_details":true}}`
	commitJSON   = `{"id":"abc","short_id":"ab","title":"t","stats":{"additions":1,"deletions":2,"total":3},"status":"success","project_id":1,"last_pipeline":{"id":6}}`
	projectJSON  = `{"id":1,"name":"proj","path_with_namespace":"group/sub/proj","namespace":{"id":2,"full_path":"group/sub","parent_id":null},"visibility":"private"}`
	userJSON     = `{"id":1,"username":"root","name":"Administrator","state":"active","locked":false}`
)

// captured is what the server saw of one request.
type captured struct {
	method, escapedPath, rawQuery string
	header                        http.Header
	body                          string
}

// recordOne serves body with status and records the request.
func recordOne(status int, body string, seen *captured) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*seen = captured{method: r.Method, escapedPath: r.URL.EscapedPath(), rawQuery: r.URL.RawQuery, header: r.Header.Clone(), body: string(b)}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func TestEveryRoute(t *testing.T) {
	yes := true
	tests := []struct {
		name       string
		status     int
		body       string
		call       func(context.Context, *Client) (any, error)
		method     string
		path       string
		query      string
		wantBody   string
		checkValue func(t *testing.T, v any)
	}{
		{
			name: "list projects", status: 200, body: "[" + projectJSON + "]",
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.ListProjects(ctx, &ListProjectsOptions{Search: "pro", Membership: &yes, OrderBy: "id", Sort: "asc", Simple: true, ListOptions: ListOptions{PerPage: 50}})
				return v, err
			},
			method: "GET", path: "/api/v4/projects", query: "membership=true&order_by=id&per_page=50&search=pro&simple=true&sort=asc",
		},
		{
			name: "get project by path", status: 200, body: projectJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.GetProject(ctx, "group/sub/proj")
				return v, err
			},
			method: "GET", path: "/api/v4/projects/group%2Fsub%2Fproj",
			checkValue: func(t *testing.T, v any) {
				p := v.(*Project)
				if p.PathWithNamespace != "group/sub/proj" || p.Namespace == nil || p.Namespace.FullPath != "group/sub" || p.Namespace.ParentID != nil {
					t.Errorf("project decoded as %+v", p)
				}
			},
		},
		{
			name: "list project jobs with scope", status: 200, body: "[" + jobJSON + "]",
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.ListProjectJobs(ctx, "42", &ListJobsOptions{Scope: []JobStatus{StatusPending, StatusRunning}, ListOptions: ListOptions{Page: 2, PerPage: 100}})
				return v, err
			},
			method: "GET", path: "/api/v4/projects/42/jobs", query: "page=2&per_page=100&scope%5B%5D=pending&scope%5B%5D=running",
			checkValue: func(t *testing.T, v any) {
				jobs := v.([]*Job)
				j := jobs[0]
				if len(jobs) != 1 || j.ID != 7 || j.Status != StatusFailed || j.Coverage != nil || j.Duration == nil || *j.Duration != 0.173 ||
					j.User == nil || j.User.Username != "root" || j.Pipeline == nil || j.Pipeline.IID != 3 || j.ArtifactsFile == nil ||
					len(j.Artifacts) != 1 || j.Runner != nil || j.FinishedAt != nil || len(j.TagList) != 2 || j.Project == nil {
					t.Errorf("job decoded as %+v", j)
				}
			},
		},
		{
			name: "list project jobs keyset", status: 200, body: "[]",
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.ListProjectJobs(ctx, "42", &ListJobsOptions{ListOptions: ListOptions{Keyset: true, Cursor: "eyJpZCI6IjQyIn0=", PerPage: 20}})
				return v, err
			},
			method: "GET", path: "/api/v4/projects/42/jobs", query: "cursor=eyJpZCI6IjQyIn0%3D&order_by=id&pagination=keyset&per_page=20&sort=desc",
		},
		{
			name: "list pipeline jobs", status: 200, body: "[" + jobJSON + "]",
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.ListPipelineJobs(ctx, "g/p", 6, &ListPipelineJobsOptions{Scope: []JobStatus{StatusManual}, IncludeRetried: true})
				return v, err
			},
			method: "GET", path: "/api/v4/projects/g%2Fp/pipelines/6/jobs", query: "include_retried=true&scope%5B%5D=manual",
		},
		{
			name: "list pipeline bridges", status: 200, body: "[" + bridgeJSON + "]",
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.ListPipelineBridges(ctx, "1", 6, nil)
				return v, err
			},
			method: "GET", path: "/api/v4/projects/1/pipelines/6/bridges",
			checkValue: func(t *testing.T, v any) {
				b := v.([]*Bridge)[0]
				if b.DownstreamPipeline == nil || b.DownstreamPipeline.ID != 9 {
					t.Errorf("bridge decoded as %+v", b)
				}
			},
		},
		{
			name: "get job", status: 200, body: jobJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.GetJob(ctx, "1", 7)
				return v, err
			},
			method: "GET", path: "/api/v4/projects/1/jobs/7",
		},
		{
			name: "cancel job", status: 201, body: jobJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.CancelJob(ctx, "1", 7, false)
				return v, err
			},
			method: "POST", path: "/api/v4/projects/1/jobs/7/cancel",
		},
		{
			name: "force cancel job", status: 201, body: jobJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.CancelJob(ctx, "1", 7, true)
				return v, err
			},
			method: "POST", path: "/api/v4/projects/1/jobs/7/cancel", query: "force=true",
		},
		{
			name: "retry job", status: 201, body: jobJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.RetryJob(ctx, "1", 7)
				return v, err
			},
			method: "POST", path: "/api/v4/projects/1/jobs/7/retry",
		},
		{
			name: "erase job", status: 201, body: jobJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.EraseJob(ctx, "1", 7)
				return v, err
			},
			method: "POST", path: "/api/v4/projects/1/jobs/7/erase",
		},
		{
			name: "play job with variables", status: 200, body: jobJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PlayJob(ctx, "1", 7, []JobVariable{{Key: "A", Value: "b"}})
				return v, err
			},
			method: "POST", path: "/api/v4/projects/1/jobs/7/play",
			wantBody: `{"job_variables_attributes":[{"key":"A","value":"b"}]}`,
		},
		{
			name: "play job without variables", status: 200, body: jobJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PlayJob(ctx, "1", 7, nil)
				return v, err
			},
			method: "POST", path: "/api/v4/projects/1/jobs/7/play",
		},
		{
			name: "list pipelines", status: 200, body: `[{"id":6,"iid":3,"status":"success"}]`,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.ListProjectPipelines(ctx, "1", &ListPipelinesOptions{Scope: "finished", Status: "success", Ref: "main", SHA: "abc", Username: "root", Source: "push", OrderBy: "id", Sort: "desc"})
				return v, err
			},
			method: "GET", path: "/api/v4/projects/1/pipelines", query: "order_by=id&ref=main&scope=finished&sha=abc&sort=desc&source=push&status=success&username=root",
		},
		{
			name: "get pipeline", status: 200, body: pipelineJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.GetPipeline(ctx, "1", 6)
				return v, err
			},
			method: "GET", path: "/api/v4/projects/1/pipelines/6",
			checkValue: func(t *testing.T, v any) {
				p := v.(*Pipeline)
				if p.Coverage == nil || *p.Coverage != 30 || p.Duration == nil || *p.Duration != 127 || p.DetailedStatus == nil || p.DetailedStatus.Text != "passed" || p.User == nil || p.IID != 3 || p.BeforeSHA != "0000" {
					t.Errorf("pipeline decoded as %+v", p)
				}
			},
		},
		{
			name: "get commit by branch name", status: 200, body: commitJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.GetCommit(ctx, "1", "feature/x")
				return v, err
			},
			method: "GET", path: "/api/v4/projects/1/repository/commits/feature%2Fx",
			checkValue: func(t *testing.T, v any) {
				cm := v.(*Commit)
				if cm.Stats == nil || cm.Stats.Total != 3 || cm.LastPipeline == nil || cm.Status == nil {
					t.Errorf("commit decoded as %+v", cm)
				}
			},
		},
		{
			name: "get user", status: 200, body: userJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.GetUser(ctx, 1)
				return v, err
			},
			method: "GET", path: "/api/v4/users/1",
		},
		{
			name: "current user", status: 200, body: userJSON,
			call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.CurrentUser(ctx)
				return v, err
			},
			method: "GET", path: "/api/v4/user",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen captured
			c, _ := newTestClient(t, recordOne(tt.status, tt.body, &seen))
			v, err := tt.call(authed(), c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if seen.method != tt.method || seen.escapedPath != tt.path || seen.rawQuery != tt.query {
				t.Errorf("sent %s %s?%s, want %s %s?%s", seen.method, seen.escapedPath, seen.rawQuery, tt.method, tt.path, tt.query)
			}
			if got := seen.header.Get("PRIVATE-TOKEN"); got != testToken {
				t.Errorf("PRIVATE-TOKEN = %q", got)
			}
			if seen.body != tt.wantBody {
				t.Errorf("body = %q, want %q", seen.body, tt.wantBody)
			}
			if tt.wantBody != "" && seen.header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", seen.header.Get("Content-Type"))
			}
			if tt.checkValue != nil {
				tt.checkValue(t, v)
			}
		})
	}
}

func TestGetJobTokenJobSendsJobToken(t *testing.T) {
	var seen captured
	fallback := Credentials{Kind: PrivateToken, Token: "fallback-token"}
	c, counter := newTestClient(t, recordOne(200, jobJSON, &seen), func(cfg *Config) { cfg.Fallback = &fallback })

	ctx := WithCredentials(context.Background(), Credentials{Kind: JobToken, Token: "job-token-1"})
	if _, _, err := c.GetJobTokenJob(ctx); err != nil {
		t.Fatal(err)
	}
	if seen.escapedPath != "/api/v4/job" || seen.header.Get("JOB-TOKEN") != "job-token-1" || seen.header.Get("PRIVATE-TOKEN") != "" {
		t.Errorf("sent %s with headers %v", seen.escapedPath, seen.header)
	}
	for _, ctx := range []context.Context{context.Background(), authed()} {
		if _, _, err := c.GetJobTokenJob(ctx); KindOf(err) != KindUnauthenticated {
			t.Errorf("without a job token: err = %v, want unauthenticated", err)
		}
	}
	if n := counter.calls.Load(); n != 1 {
		t.Errorf("%d requests, want 1: the fallback must not stand in for a job token", n)
	}
}

func TestJobLogStreams(t *testing.T) {
	const chunk = "line of log output\n"
	var seen captured
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = captured{escapedPath: r.URL.EscapedPath(), header: r.Header.Clone()}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Disposition", `infile; filename="7.log"`)
		for range 1000 {
			_, _ = io.WriteString(w, chunk)
		}
	}))
	log, resp, err := c.GetJobLog(authed(), "group/proj", 7)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, log)
	if err != nil || n != int64(1000*len(chunk)) {
		t.Errorf("read %d bytes, err %v", n, err)
	}
	if err := log.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if seen.escapedPath != "/api/v4/projects/group%2Fproj/jobs/7/trace" || resp.Header.Get("Content-Disposition") != `infile; filename="7.log"` {
		t.Errorf("path %s, response headers %v", seen.escapedPath, resp.Header)
	}
}

func TestEmptyJobLog(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
	}))
	log, _, err := c.GetJobLog(authed(), "1", 7)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	b, err := io.ReadAll(log)
	if err != nil || len(b) != 0 {
		t.Errorf("got %q, %v; want an empty log", b, err)
	}
}

func TestInvalidArgumentsSendNothing(t *testing.T) {
	c, counter := newTestClient(t, respond(200, "[]"))
	ctx := authed()
	calls := map[string]func() error{
		"per_page over 100": func() error {
			_, _, err := c.ListProjectJobs(ctx, "1", &ListJobsOptions{ListOptions: ListOptions{PerPage: 101}})
			return err
		},
		"negative page": func() error {
			_, _, err := c.ListProjects(ctx, &ListProjectsOptions{ListOptions: ListOptions{Page: -1}})
			return err
		},
		"unknown scope": func() error {
			_, _, err := c.ListProjectJobs(ctx, "1", &ListJobsOptions{Scope: []JobStatus{"bogus"}})
			return err
		},
		"keyset on pipeline jobs": func() error {
			_, _, err := c.ListPipelineJobs(ctx, "1", 2, &ListPipelineJobsOptions{ListOptions: ListOptions{Keyset: true}})
			return err
		},
		"keyset with page": func() error {
			_, _, err := c.ListProjectJobs(ctx, "1", &ListJobsOptions{ListOptions: ListOptions{Keyset: true, Page: 2}})
			return err
		},
		"cursor without keyset": func() error {
			_, _, err := c.ListProjectJobs(ctx, "1", &ListJobsOptions{ListOptions: ListOptions{Cursor: "x"}})
			return err
		},
		"empty project id":   func() error { _, _, err := c.GetProject(ctx, ""); return err },
		"dot-dot project id": func() error { _, _, err := c.GetProject(ctx, ".."); return err },
		"zero job id":        func() error { _, _, err := c.GetJob(ctx, "1", 0); return err },
		"negative pipeline":  func() error { _, _, err := c.GetPipeline(ctx, "1", -5); return err },
		"empty sha":          func() error { _, _, err := c.GetCommit(ctx, "1", ""); return err },
		"zero user id":       func() error { _, _, err := c.GetUser(ctx, 0); return err },
		"empty variable key": func() error {
			_, _, err := c.PlayJob(ctx, "1", 7, []JobVariable{{Value: "v"}})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			var e *Error
			if !asError(err, &e) || e.Kind != KindBadRequest || e.Route == "" || e.Message == "" {
				t.Errorf("err = %#v, want a KindBadRequest *Error with route and message", err)
			}
		})
	}
	if n := counter.calls.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestNullBodyIsMalformed(t *testing.T) {
	c, _ := newTestClient(t, respond(200, "null"))
	if _, _, err := c.GetJob(authed(), "1", 1); KindOf(err) != KindMalformed {
		t.Errorf("GetJob on null: %v", err)
	}
	if _, _, err := c.ListProjectJobs(authed(), "1", nil); KindOf(err) != KindMalformed {
		t.Errorf("ListProjectJobs on null: %v", err)
	}
}

func TestJobJSONRoundTrip(t *testing.T) {
	var j Job
	if err := json.Unmarshal([]byte(jobJSON), &j); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(j.WebURL, "/-/jobs/7") || j.CreatedAt.IsZero() || j.Commit.CreatedAt == nil {
		t.Errorf("decoded %+v", j)
	}
}

func TestPlayRefusesInvalidUTF8(t *testing.T) {
	c, counter := newTestClient(t, respond(200, jobJSON))
	_, _, err := c.PlayJob(authed(), "1", 7, []JobVariable{{Key: "K", Value: "bad \xff"}})
	if KindOf(err) != KindBadRequest || counter.calls.Load() != 0 {
		t.Errorf("err = %v after %d requests; want bad request before any", err, counter.calls.Load())
	}
}
