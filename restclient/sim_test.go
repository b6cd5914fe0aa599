package restclient_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jobgraph/gitlabsim"
	"jobgraph/restclient"
)

// simClient starts a fresh simulator (seed 1) on loopback.
func simClient(t *testing.T, tweak ...func(*restclient.Config)) (*restclient.Client, *gitlabsim.Sim) {
	t.Helper()
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	cfg := restclient.Config{BaseURL: srv.URL, RetryBaseWait: time.Millisecond, Timeout: 10 * time.Second}
	for _, f := range tweak {
		f(&cfg)
	}
	c, err := restclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, sim
}

func as(token string) context.Context {
	return restclient.WithCredentials(context.Background(), restclient.Credentials{Kind: restclient.PrivateToken, Token: token})
}

var (
	maintainer = as(gitlabsim.TokenMaintainer)
	demo       = "1"
	demoPath   = gitlabsim.ProjectPath(gitlabsim.ProjectDemo)
)

func TestSimReadRoutes(t *testing.T) {
	c, sim := simClient(t)
	ctx := maintainer

	projects, resp, err := c.ListProjects(ctx, &restclient.ListProjectsOptions{ListOptions: restclient.ListOptions{PerPage: 100}})
	if err != nil || len(projects) == 0 || resp.Total == nil {
		t.Fatalf("ListProjects: %d projects, total %v, %v", len(projects), resp.Total, err)
	}
	project, _, err := c.GetProject(ctx, demoPath)
	if err != nil || project.ID != gitlabsim.ProjectDemo || project.PathWithNamespace != demoPath || project.Namespace == nil {
		t.Fatalf("GetProject(%q) = %+v, %v", demoPath, project, err)
	}

	jobs, resp, err := c.ListProjectJobs(ctx, demo, &restclient.ListJobsOptions{ListOptions: restclient.ListOptions{PerPage: 50}})
	if err != nil || len(jobs) != 50 || resp.NextPage != 2 || resp.Total != nil || resp.TotalPages != nil {
		t.Fatalf("ListProjectJobs: %d jobs, next %d, total %v, %v", len(jobs), resp.NextPage, resp.Total, err)
	}
	for i := 1; i < len(jobs); i++ {
		if jobs[i].ID >= jobs[i-1].ID {
			t.Fatalf("project jobs not id-descending at %d", i)
		}
	}
	failed, _, err := c.ListProjectJobs(ctx, demo, &restclient.ListJobsOptions{Scope: []restclient.JobStatus{restclient.StatusFailed, restclient.StatusManual}})
	if err != nil || len(failed) == 0 {
		t.Fatalf("scoped jobs: %d, %v", len(failed), err)
	}
	for _, j := range failed {
		if j.Status != restclient.StatusFailed && j.Status != restclient.StatusManual {
			t.Errorf("scope leaked a %s job", j.Status)
		}
		if j.Status == restclient.StatusFailed && j.FailureReason == "" {
			t.Errorf("failed job %d without failure_reason", j.ID)
		}
	}

	pipelineJobs, _, err := c.ListPipelineJobs(ctx, demo, gitlabsim.PipelineFixture, nil)
	if err != nil || len(pipelineJobs) == 0 {
		t.Fatalf("ListPipelineJobs: %d, %v", len(pipelineJobs), err)
	}
	withRetried, _, err := c.ListPipelineJobs(ctx, demo, gitlabsim.PipelineFixture, &restclient.ListPipelineJobsOptions{IncludeRetried: true})
	if err != nil || len(withRetried) < len(pipelineJobs) {
		t.Fatalf("include_retried: %d < %d, %v", len(withRetried), len(pipelineJobs), err)
	}
	bridges, _, err := c.ListPipelineBridges(ctx, demo, gitlabsim.PipelineFixture, nil)
	if err != nil || len(bridges) == 0 || bridges[0].DownstreamPipeline == nil {
		t.Fatalf("ListPipelineBridges: %+v, %v", bridges, err)
	}

	job, _, err := c.GetJob(ctx, demo, gitlabsim.JobFailed)
	if err != nil || job.ID != gitlabsim.JobFailed || job.Pipeline == nil || job.Commit == nil || job.User == nil {
		t.Fatalf("GetJob: %+v, %v", job, err)
	}
	pipelines, resp, err := c.ListProjectPipelines(ctx, demo, &restclient.ListPipelinesOptions{Ref: job.Ref})
	if err != nil || len(pipelines) == 0 || resp.PerPage != 20 {
		t.Fatalf("ListProjectPipelines: %d, per page %d, %v", len(pipelines), resp.PerPage, err)
	}
	pipeline, _, err := c.GetPipeline(ctx, demo, gitlabsim.PipelineFixture)
	if err != nil || pipeline.ID != gitlabsim.PipelineFixture || pipeline.DetailedStatus == nil {
		t.Fatalf("GetPipeline: %+v, %v", pipeline, err)
	}
	commit, _, err := c.GetCommit(ctx, demo, pipeline.SHA)
	if err != nil || commit.ID != pipeline.SHA {
		t.Fatalf("GetCommit(%s): %+v, %v", pipeline.SHA, commit, err)
	}
	user, _, err := c.GetUser(ctx, gitlabsim.UserDeveloper)
	if err != nil || user.ID != gitlabsim.UserDeveloper || user.Username == "" {
		t.Fatalf("GetUser: %+v, %v", user, err)
	}
	me, _, err := c.CurrentUser(ctx)
	if err != nil || me.ID != gitlabsim.UserMaintainer {
		t.Fatalf("CurrentUser: %+v, %v", me, err)
	}
	tokenJob, _, err := c.GetJobTokenJob(restclient.WithCredentials(context.Background(), restclient.Credentials{Kind: restclient.JobToken, Token: gitlabsim.TokenJob}))
	if err != nil || tokenJob.ID != gitlabsim.JobRunning {
		t.Fatalf("GetJobTokenJob: %+v, %v", tokenJob, err)
	}

	log, _, err := c.GetJobLog(ctx, demo, gitlabsim.JobFailed)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(log)
	_ = log.Close()
	if err != nil || len(text) == 0 {
		t.Fatalf("GetJobLog: %d bytes, %v", len(text), err)
	}

	for key, n := range sim.Stats() {
		if key != "unmatched" && n == 0 {
			t.Errorf("route %s never called", key)
		}
	}
	if sim.Stats()["unmatched"] != 0 {
		t.Errorf("%d requests matched no simulator route", sim.Stats()["unmatched"])
	}
}

func TestSimKeysetWalk(t *testing.T) {
	c, _ := simClient(t)
	opt := &restclient.ListJobsOptions{ListOptions: restclient.ListOptions{Keyset: true, PerPage: 100}}
	seen := map[int64]bool{}
	last := int64(1 << 62)
	for pages := 0; ; pages++ {
		jobs, resp, err := c.ListProjectJobs(maintainer, demo, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			if seen[j.ID] || j.ID >= last {
				t.Fatalf("keyset page %d: job %d repeated or out of order", pages, j.ID)
			}
			seen[j.ID], last = true, j.ID
		}
		if resp.NextCursor == "" {
			break
		}
		opt.Cursor = resp.NextCursor
	}
	offset := 0
	for page := 1; page != 0; {
		jobs, resp, err := c.ListProjectJobs(maintainer, demo, &restclient.ListJobsOptions{ListOptions: restclient.ListOptions{Page: page, PerPage: 100}})
		if err != nil {
			t.Fatal(err)
		}
		offset += len(jobs)
		page = resp.NextPage
	}
	if offset != len(seen) {
		t.Errorf("keyset walk saw %d jobs, offset walk %d", len(seen), offset)
	}
}

func TestSimHugeLogStreams(t *testing.T) {
	c, _ := simClient(t)
	log, _, err := c.GetJobLog(maintainer, demo, gitlabsim.JobHugeLog)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.CopyN(io.Discard, log, 4<<20)
	if err != nil || n != 4<<20 {
		t.Fatalf("read %d bytes of the huge log: %v", n, err)
	}
	if err := log.Close(); err != nil {
		t.Errorf("closing mid-stream: %v", err)
	}
}

func TestSimActions(t *testing.T) {
	c, sim := simClient(t)
	ctx := maintainer

	retried, _, err := c.RetryJob(ctx, demo, gitlabsim.JobFailed)
	if err != nil || retried.ID <= gitlabsim.JobFailed {
		t.Fatalf("RetryJob: %+v, %v", retried, err)
	}
	erased, _, err := c.EraseJob(ctx, demo, gitlabsim.JobFailed)
	if err != nil || erased.ErasedAt == nil {
		t.Fatalf("EraseJob: %+v, %v", erased, err)
	}
	canceled, _, err := c.CancelJob(ctx, demo, gitlabsim.JobPending, false)
	if err != nil || (canceled.Status != restclient.StatusCanceled && canceled.Status != restclient.StatusCanceling) {
		t.Fatalf("CancelJob: %+v, %v", canceled, err)
	}
	forced, _, err := c.CancelJob(ctx, demo, gitlabsim.JobCanceling, true)
	if err != nil || forced.Status != restclient.StatusCanceled {
		t.Fatalf("forced CancelJob: %+v, %v", forced, err)
	}
	played, _, err := c.PlayJob(ctx, demo, gitlabsim.JobManual, []restclient.JobVariable{{Key: "DEPLOY_TARGET", Value: "staging"}})
	if err != nil || played.ID != gitlabsim.JobManual || played.Status == restclient.StatusManual {
		t.Fatalf("PlayJob: %+v, %v", played, err)
	}
	for _, key := range []string{"POST /api/v4/projects/:id/jobs/:job_id/retry", "POST /api/v4/projects/:id/jobs/:job_id/erase", "POST /api/v4/projects/:id/jobs/:job_id/play"} {
		if n := sim.Stats()[key]; n != 1 {
			t.Errorf("%s called %d times, want 1", key, n)
		}
	}
	if n := sim.Stats()["POST /api/v4/projects/:id/jobs/:job_id/cancel"]; n != 2 {
		t.Errorf("cancel called %d times, want 2", n)
	}
}

func TestSimPipelineActions(t *testing.T) {
	c, sim := simClient(t)
	canceled, _, err := c.CancelPipeline(maintainer, demo, gitlabsim.PipelineFixture)
	if err != nil || canceled.ID != gitlabsim.PipelineFixture || canceled.Status != "canceling" || canceled.DetailedStatus == nil {
		t.Fatalf("CancelPipeline: %+v, %v", canceled, err)
	}
	retried, _, err := c.RetryPipeline(maintainer, demo, gitlabsim.PipelineFixture)
	if err != nil || retried.ID != gitlabsim.PipelineFixture || retried.Status != "running" {
		t.Fatalf("RetryPipeline: %+v, %v", retried, err)
	}
	_, _, err = c.RetryPipeline(as(gitlabsim.TokenGuest), demo, gitlabsim.PipelineFixture)
	if restclient.KindOf(err) != restclient.KindForbidden {
		t.Errorf("guest RetryPipeline: %v, want forbidden", err)
	}
	for _, key := range []string{"POST /api/v4/projects/:id/pipelines/:pipeline_id/cancel", "POST /api/v4/projects/:id/pipelines/:pipeline_id/retry"} {
		if n := sim.Stats()[key]; n == 0 {
			t.Errorf("%s never called", key)
		}
	}
}

func TestSimErrorClasses(t *testing.T) {
	c, _ := simClient(t)
	tests := []struct {
		name string
		call func() error
		kind restclient.ErrorKind
		msg  string
	}{
		{"no token", func() error { _, _, err := c.CurrentUser(context.Background()); return err }, restclient.KindUnauthenticated, "this route needs the caller's own credentials"},
		{"bad token", func() error { _, _, err := c.CurrentUser(as("glpat-wrong")); return err }, restclient.KindUnauthenticated, "401 Unauthorized"},
		{"outsider on private project", func() error {
			_, _, err := c.GetProject(as(gitlabsim.TokenOutsider), "4")
			return err
		}, restclient.KindNotFound, "404 Project Not Found"},
		{"guest retries", func() error {
			_, _, err := c.RetryJob(as(gitlabsim.TokenGuest), demo, gitlabsim.JobFailed)
			return err
		}, restclient.KindForbidden, "403 Forbidden"},
		{"retry a running job", func() error {
			_, _, err := c.RetryJob(maintainer, demo, gitlabsim.JobRunning)
			return err
		}, restclient.KindForbidden, "403 Forbidden - Job is not retryable"},
		{"play a running job", func() error {
			_, _, err := c.PlayJob(maintainer, demo, gitlabsim.JobRunning, nil)
			return err
		}, restclient.KindBadRequest, "400 Bad request - Unplayable Job"},
		{"missing job", func() error { _, _, err := c.GetJob(maintainer, demo, 999999999); return err }, restclient.KindNotFound, "404 Not found"},
		{"escaping project id", func() error { _, _, err := c.GetProject(maintainer, "1/../../users"); return err }, restclient.KindNotFound, "404 Project Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *restclient.Error
			if !errors.As(err, &e) || e.Kind != tt.kind || e.Message != tt.msg {
				t.Errorf("err = %v, want kind %v message %q", err, tt.kind, tt.msg)
			}
			for _, token := range []string{gitlabsim.TokenMaintainer, gitlabsim.TokenGuest, gitlabsim.TokenOutsider} {
				if err != nil && strings.Contains(err.Error(), token) {
					t.Errorf("error %q carries a token", err)
				}
			}
		})
	}
}

func TestSimFaults(t *testing.T) {
	const getJob = "GET /api/v4/projects/:id/jobs/:job_id"
	tests := []struct {
		name      string
		fault     gitlabsim.FailNext
		timeout   time.Duration
		wantKind  restclient.ErrorKind
		wantCalls int64
	}{
		{"two 503s then success", gitlabsim.FailNext{Count: 2, Kind: gitlabsim.FaultError, Status: 503}, 0, 0, 3},
		{"500s beyond retries", gitlabsim.FailNext{Count: 5, Kind: gitlabsim.FaultError}, 0, restclient.KindUpstream, 3},
		{"one 429 waited out", gitlabsim.FailNext{Count: 1, Kind: gitlabsim.FaultRateLimit}, 0, 0, 2},
		{"reset then success", gitlabsim.FailNext{Count: 1, Kind: gitlabsim.FaultReset}, 0, 0, 2},
		{"malformed body", gitlabsim.FailNext{Count: 1, Kind: gitlabsim.FaultMalformed}, 0, restclient.KindMalformed, 1},
		{"timeouts", gitlabsim.FailNext{Count: 5, Kind: gitlabsim.FaultTimeout}, 100 * time.Millisecond, restclient.KindTimeout, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, sim := simClient(t, func(cfg *restclient.Config) {
				if tt.timeout > 0 {
					cfg.Timeout = tt.timeout
				}
			})
			tt.fault.Route = getJob
			sim.SetFaults(gitlabsim.Faults{FailNext: []gitlabsim.FailNext{tt.fault}})
			_, _, err := c.GetJob(maintainer, demo, gitlabsim.JobFailed)
			if restclient.KindOf(err) != tt.wantKind {
				t.Errorf("err = %v, want kind %v", err, tt.wantKind)
			}
			if n := sim.Stats()[getJob]; n != tt.wantCalls {
				t.Errorf("%d attempts, want %d", n, tt.wantCalls)
			}
		})
	}
	t.Run("POST is not retried", func(t *testing.T) {
		c, sim := simClient(t)
		const retry = "POST /api/v4/projects/:id/jobs/:job_id/retry"
		sim.SetFaults(gitlabsim.Faults{FailNext: []gitlabsim.FailNext{{Route: retry, Count: 1, Kind: gitlabsim.FaultError, Status: 502}}})
		if _, _, err := c.RetryJob(maintainer, demo, gitlabsim.JobFailed); restclient.KindOf(err) != restclient.KindUpstream {
			t.Errorf("err = %v", err)
		}
		if n := sim.Stats()[retry]; n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
	t.Run("429 beyond the wait", func(t *testing.T) {
		c, sim := simClient(t, func(cfg *restclient.Config) { cfg.MaxRetryWait = 500 * time.Millisecond })
		sim.SetFaults(gitlabsim.Faults{FailNext: []gitlabsim.FailNext{{Route: getJob, Count: 1, Kind: gitlabsim.FaultRateLimit}}})
		_, _, err := c.GetJob(maintainer, demo, gitlabsim.JobFailed)
		var e *restclient.Error
		if !errors.As(err, &e) || e.Kind != restclient.KindRateLimited || e.RetryAfter != time.Second {
			t.Errorf("err = %v, want rate limited with RetryAfter 1s", err)
		}
	})
}
