package gitlabsim_test

import (
	"bytes"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"jobgraph/gitlabsim"
)

// TestClientGoConformance points GitLab's own Go client at the simulator: a client
// written against real GitLab must work unchanged.
func TestClientGoConformance(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.Options{Seed: 5})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	client, err := gitlab.NewClient(gitlabsim.TokenMaintainer, gitlab.WithBaseURL(srv.URL+"/api/v4"), gitlab.WithoutRetries())
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	project := gitlabsim.ProjectPath(gitlabsim.ProjectDemo)

	offset, err := gitlab.ScanAndCollect(func(p gitlab.PaginationOptionFunc) ([]*gitlab.Job, *gitlab.Response, error) {
		return client.Jobs.ListProjectJobs(project, &gitlab.ListJobsOptions{ListOptions: gitlab.ListOptions{PerPage: 100}}, p)
	})
	if err != nil {
		t.Fatalf("offset scan: %v", err)
	}
	keyset, err := gitlab.ScanAndCollect(func(p gitlab.PaginationOptionFunc) ([]*gitlab.Job, *gitlab.Response, error) {
		opts := &gitlab.ListJobsOptions{ListOptions: gitlab.ListOptions{Pagination: "keyset", OrderBy: "id", Sort: "desc", PerPage: 100}}
		return client.Jobs.ListProjectJobs(gitlabsim.ProjectDemo, opts, p)
	})
	if err != nil {
		t.Fatalf("keyset scan: %v", err)
	}
	ids := func(jobs []*gitlab.Job) []int64 {
		out := make([]int64, len(jobs))
		for i, j := range jobs {
			out[i] = j.ID
		}
		return out
	}
	if len(offset) < 300 || !slices.Equal(ids(offset), ids(keyset)) {
		t.Fatalf("offset listed %d jobs, keyset %d, or in another order", len(offset), len(keyset))
	}
	stats := sim.Stats()["GET /api/v4/projects/:id/jobs"]
	if want := int64((len(offset)+99)/100) * 2; stats < want {
		t.Errorf("%d list requests, want at least %d", stats, want)
	}

	job, _, err := client.Jobs.GetJob(project, gitlabsim.JobFailed)
	if err != nil || job.Status != "failed" || job.FailureReason != "script_failure" || job.Pipeline.ID != gitlabsim.PipelineFixture {
		t.Fatalf("get job: %+v %v", job, err)
	}
	if job.User == nil || job.User.Username != "dev.dana" || job.Commit == nil || job.CreatedAt == nil {
		t.Fatalf("job lacks user, commit or timestamps: %+v", job)
	}

	trace, _, err := client.Jobs.GetTraceFile(project, gitlabsim.JobFailed)
	if err != nil {
		t.Fatalf("trace: %v", err)
	}
	log, _ := io.ReadAll(trace)
	if !bytes.Contains(log, []byte("section_start:")) || !bytes.Contains(log, []byte("Job failed")) {
		t.Fatalf("trace %q", log)
	}

	canceled, _, err := client.Jobs.CancelJob(project, gitlabsim.JobPending)
	if err != nil || canceled.Status != "canceled" {
		t.Fatalf("cancel: %+v %v", canceled, err)
	}
	retried, _, err := client.Jobs.RetryJob(project, gitlabsim.JobFailed)
	if err != nil || retried.ID == gitlabsim.JobFailed || retried.Status != "pending" {
		t.Fatalf("retry: %+v %v", retried, err)
	}
	key, value := "DEPLOY_TARGET", "eu-west"
	played, _, err := client.Jobs.PlayJob(project, gitlabsim.JobManual, &gitlab.PlayJobOptions{
		JobVariablesAttributes: &[]*gitlab.JobVariableOptions{{Key: &key, Value: &value}},
	})
	if err != nil || played.Status != "pending" {
		t.Fatalf("play: %+v %v", played, err)
	}
	erased, _, err := client.Jobs.EraseJob(project, gitlabsim.JobHugeLog)
	if err != nil || erased.ErasedAt == nil || len(erased.Artifacts) != 0 {
		t.Fatalf("erase: %+v %v", erased, err)
	}
	_, resp, err := client.Jobs.RetryJob(project, gitlabsim.JobRunning)
	if err == nil || resp.StatusCode != 403 || !strings.Contains(err.Error(), "Job is not retryable") {
		t.Fatalf("retrying a running job: %v", err)
	}

	pipelineJobs, _, err := client.Jobs.ListPipelineJobs(project, gitlabsim.PipelineFixture, &gitlab.ListJobsOptions{IncludeRetried: gitlab.Ptr(true)})
	if err != nil || !slices.ContainsFunc(pipelineJobs, func(j *gitlab.Job) bool { return j.ID == retried.ID }) {
		t.Fatalf("pipeline jobs: %v", err)
	}
	bridges, _, err := client.Jobs.ListPipelineBridges(project, gitlabsim.PipelineFixture, nil)
	if err != nil || len(bridges) != 1 || bridges[0].DownstreamPipeline == nil {
		t.Fatalf("bridges: %+v %v", bridges, err)
	}
	pipeline, _, err := client.Pipelines.GetPipeline(project, gitlabsim.PipelineFixture)
	if err != nil || pipeline.User == nil || pipeline.DetailedStatus == nil {
		t.Fatalf("pipeline: %+v %v", pipeline, err)
	}
	commit, _, err := client.Commits.GetCommit(project, pipeline.SHA, nil)
	if err != nil || commit.LastPipeline == nil || commit.Stats == nil {
		t.Fatalf("commit: %+v %v", commit, err)
	}
	me, _, err := client.Users.CurrentUser()
	if err != nil || me.Username != "mia.maintainer" {
		t.Fatalf("current user: %+v %v", me, err)
	}
	projects, resp, err := client.Projects.ListProjects(&gitlab.ListProjectsOptions{Membership: gitlab.Ptr(true)})
	if err != nil || len(projects) != 4 || resp.TotalItems != 4 {
		t.Fatalf("projects: %d %v", len(projects), err)
	}
	jobClient, err := gitlab.NewJobClient(gitlabsim.TokenJob, gitlab.WithBaseURL(srv.URL+"/api/v4"), gitlab.WithoutRetries())
	if err != nil {
		t.Fatalf("job client: %v", err)
	}
	own, _, err := jobClient.Jobs.GetJobTokensJob(nil)
	if err != nil || own.ID != gitlabsim.JobRunning {
		t.Fatalf("job token job: %+v %v", own, err)
	}
}
