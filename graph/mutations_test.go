package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jobgraph/gitlabsim"
	"jobgraph/graph/globalid"
)

func jobGID(id int64) string { return globalid.Job(gitlabsim.ProjectDemo, id).String() }

func pipelineGID(id int64) string { return globalid.Pipeline(gitlabsim.ProjectDemo, id).String() }

// actionPayload is any mutation's payload, job or pipeline.
type actionPayload struct {
	Job *struct {
		DatabaseID int64   `json:"databaseId"`
		Status     string  `json:"status"`
		ErasedAt   *string `json:"erasedAt"`
	} `json:"job"`
	Pipeline *struct {
		DatabaseID int64  `json:"databaseId"`
		Status     string `json:"status"`
	} `json:"pipeline"`
	Errors           []string `json:"errors"`
	ClientMutationID *string  `json:"clientMutationId"`
}

const jobPayload = `{ job { databaseId status erasedAt } errors clientMutationId }`
const pipelinePayload = `{ pipeline { databaseId status } errors clientMutationId }`

// mutation runs `mutation { <field>(input: $input) <payload> }` and returns
// the payload and the errors.
func (s *stack) mutation(t *testing.T, token, field string, input map[string]any) (*actionPayload, []gqlError) {
	t.Helper()
	payload := jobPayload
	if strings.HasPrefix(field, "pipeline") {
		payload = pipelinePayload
	}
	inputType := strings.ToUpper(field[:1]) + field[1:] + "Input"
	out := s.do(t, token, fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) %s }`, inputType, field, payload),
		map[string]any{"input": input})
	var data map[string]*actionPayload
	if err := json.Unmarshal(out.Data, &data); err != nil {
		t.Fatalf("data %s: %v", out.Data, err)
	}
	return data[field], out.Errors
}

// Every action's success, GitLab's refusal in its own words, and the
// permission and lookup failures, end to end over HTTP.
func TestMutations(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		field      string
		input      map[string]any
		wantCode   string
		wantErrors []string
		wantStatus string
	}{
		{"cancel a running job", gitlabsim.TokenDeveloper, "jobCancel", map[string]any{"id": jobGID(gitlabsim.JobRunning)}, "", nil, "CANCELING"},
		{"cancel a pending job", gitlabsim.TokenDeveloper, "jobCancel", map[string]any{"id": jobGID(gitlabsim.JobPending)}, "", nil, "CANCELED"},
		{"force cancel", gitlabsim.TokenMaintainer, "jobCancel", map[string]any{"id": jobGID(gitlabsim.JobCanceling), "force": true}, "", nil, "CANCELED"},
		{"force cancel is for maintainers", gitlabsim.TokenDeveloper, "jobCancel", map[string]any{"id": jobGID(gitlabsim.JobCanceling), "force": true}, "FORBIDDEN", nil, ""},
		{"guest cannot cancel", gitlabsim.TokenGuest, "jobCancel", map[string]any{"id": jobGID(gitlabsim.JobRunning)}, "FORBIDDEN", nil, ""},
		{"retry a failed job", gitlabsim.TokenDeveloper, "jobRetry", map[string]any{"id": jobGID(gitlabsim.JobFailed)}, "", nil, "PENDING"},
		{"retry a running job is refused", gitlabsim.TokenDeveloper, "jobRetry", map[string]any{"id": jobGID(gitlabsim.JobRunning)}, "", []string{"Job is not retryable"}, "RUNNING"},
		{"guest cannot retry", gitlabsim.TokenGuest, "jobRetry", map[string]any{"id": jobGID(gitlabsim.JobFailed)}, "FORBIDDEN", nil, ""},
		{"retry a job that does not exist", gitlabsim.TokenDeveloper, "jobRetry", map[string]any{"id": jobGID(987654)}, "NOT_FOUND", nil, ""},
		{"play a manual job with variables", gitlabsim.TokenDeveloper, "jobPlay", map[string]any{"id": jobGID(gitlabsim.JobManual), "variables": []map[string]string{{"key": "TARGET", "value": "eu"}}}, "", nil, "PENDING"},
		{"play a running job is refused", gitlabsim.TokenDeveloper, "jobPlay", map[string]any{"id": jobGID(gitlabsim.JobRunning)}, "", []string{"Unplayable Job"}, "RUNNING"},
		{"a variable needs a key", gitlabsim.TokenDeveloper, "jobPlay", map[string]any{"id": jobGID(gitlabsim.JobManual), "variables": []map[string]string{{"key": "", "value": "x"}}}, "BAD_USER_INPUT", nil, ""},
		{"guest cannot play", gitlabsim.TokenGuest, "jobPlay", map[string]any{"id": jobGID(gitlabsim.JobManual)}, "FORBIDDEN", nil, ""},
		{"erase a finished job", gitlabsim.TokenDeveloper, "jobErase", map[string]any{"id": jobGID(gitlabsim.JobFailed)}, "", nil, "FAILED"},
		{"erase a running job is refused", gitlabsim.TokenMaintainer, "jobErase", map[string]any{"id": jobGID(gitlabsim.JobRunning)}, "", []string{"Job is not erasable!"}, "RUNNING"},
		{"guest cannot erase", gitlabsim.TokenGuest, "jobErase", map[string]any{"id": jobGID(gitlabsim.JobFailed)}, "FORBIDDEN", nil, ""},
		{"cancel a pipeline", gitlabsim.TokenDeveloper, "pipelineCancel", map[string]any{"id": pipelineGID(gitlabsim.PipelineFixture)}, "", nil, "CANCELING"},
		{"guest cannot cancel a pipeline", gitlabsim.TokenGuest, "pipelineCancel", map[string]any{"id": pipelineGID(gitlabsim.PipelineFixture)}, "FORBIDDEN", nil, ""},
		{"retry a pipeline", gitlabsim.TokenDeveloper, "pipelineRetry", map[string]any{"id": pipelineGID(gitlabsim.PipelineFixture)}, "", nil, "RUNNING"},
		{"guest cannot retry a pipeline", gitlabsim.TokenGuest, "pipelineRetry", map[string]any{"id": pipelineGID(gitlabsim.PipelineFixture)}, "FORBIDDEN", nil, ""},
		{"retry a pipeline that does not exist", gitlabsim.TokenDeveloper, "pipelineRetry", map[string]any{"id": pipelineGID(987654)}, "NOT_FOUND", nil, ""},
		{"an action needs a token", "", "jobRetry", map[string]any{"id": jobGID(gitlabsim.JobFailed)}, "UNAUTHENTICATED", nil, ""},
		{"a bad token", "glpat-wrong", "jobRetry", map[string]any{"id": jobGID(gitlabsim.JobFailed)}, "UNAUTHENTICATED", nil, ""},
		{"a pipeline id is no job id", gitlabsim.TokenDeveloper, "jobRetry", map[string]any{"id": pipelineGID(gitlabsim.PipelineFixture)}, "BAD_USER_INPUT", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			tt.input["clientMutationId"] = "req-7"
			got, errs := s.mutation(t, tt.token, tt.field, tt.input)
			if tt.wantCode != "" {
				if len(errs) != 1 || errs[0].Extensions["code"] != tt.wantCode || got != nil {
					t.Fatalf("payload %+v, errors %+v; want null and one %s error", got, errs, tt.wantCode)
				}
				return
			}
			if len(errs) > 0 || got == nil {
				t.Fatalf("errors %+v", errs)
			}
			if fmt.Sprint(got.Errors) != fmt.Sprint(append([]string{}, tt.wantErrors...)) || got.Errors == nil {
				t.Errorf("payload errors %q, want %q", got.Errors, tt.wantErrors)
			}
			if got.ClientMutationID == nil || *got.ClientMutationID != "req-7" {
				t.Errorf("clientMutationId %v, want req-7 echoed", got.ClientMutationID)
			}
			status := ""
			switch {
			case got.Job != nil:
				status = got.Job.Status
			case got.Pipeline != nil:
				status = got.Pipeline.Status
			}
			if status != tt.wantStatus {
				t.Errorf("status %s, want %s", status, tt.wantStatus)
			}
		})
	}
}

func TestRetryAnswersTheNewJob(t *testing.T) {
	s := newStack(t)
	got, errs := s.mutation(t, gitlabsim.TokenDeveloper, "jobRetry", map[string]any{"id": jobGID(gitlabsim.JobFailed)})
	if len(errs) > 0 || got.Job == nil || got.Job.DatabaseID <= gitlabsim.JobFailed {
		t.Fatalf("payload %+v, errors %+v; want a new job", got, errs)
	}
}

func TestEraseAnswersTheErasedJob(t *testing.T) {
	s := newStack(t)
	got, errs := s.mutation(t, gitlabsim.TokenDeveloper, "jobErase", map[string]any{"id": jobGID(gitlabsim.JobFailed)})
	if len(errs) > 0 || got.Job == nil || got.Job.ErasedAt == nil {
		t.Fatalf("payload %+v, errors %+v; want the job with erasedAt", got, errs)
	}
}

// A POST that fails is made once: a retried action could run a job twice.
func TestFailingActionIsPostedOnce(t *testing.T) {
	routes := map[string]string{
		"jobCancel":      "POST /api/v4/projects/:id/jobs/:job_id/cancel",
		"jobRetry":       "POST /api/v4/projects/:id/jobs/:job_id/retry",
		"jobPlay":        "POST /api/v4/projects/:id/jobs/:job_id/play",
		"jobErase":       "POST /api/v4/projects/:id/jobs/:job_id/erase",
		"pipelineCancel": "POST /api/v4/projects/:id/pipelines/:pipeline_id/cancel",
		"pipelineRetry":  "POST /api/v4/projects/:id/pipelines/:pipeline_id/retry",
	}
	ids := map[string]string{
		"jobCancel": jobGID(gitlabsim.JobRunning), "jobRetry": jobGID(gitlabsim.JobFailed),
		"jobPlay": jobGID(gitlabsim.JobManual), "jobErase": jobGID(gitlabsim.JobFailed),
		"pipelineCancel": pipelineGID(gitlabsim.PipelineFixture), "pipelineRetry": pipelineGID(gitlabsim.PipelineFixture),
	}
	for field, route := range routes {
		for _, fault := range []gitlabsim.FaultKind{gitlabsim.FaultError, gitlabsim.FaultReset} {
			t.Run(field+"/"+string(fault), func(t *testing.T) {
				s := newStack(t)
				s.sim.SetFaults(gitlabsim.Faults{FailNext: []gitlabsim.FailNext{{Route: route, Count: 5, Kind: fault, Status: 502}}})
				got, errs := s.mutation(t, gitlabsim.TokenMaintainer, field, map[string]any{"id": ids[field]})
				if got != nil || len(errs) != 1 || errs[0].Extensions["code"] != "UPSTREAM_ERROR" {
					t.Errorf("payload %+v, errors %+v; want one UPSTREAM_ERROR", got, errs)
				}
				if n := s.sim.Stats()[route]; n != 1 {
					t.Errorf("%s made %d times, want once", route, n)
				}
			})
		}
	}
}

// Top-level mutation fields run one after another in document order: the
// retry sees the job the cancel before it canceled.
func TestMutationFieldsRunInOrder(t *testing.T) {
	s := newStack(t)
	out := s.do(t, gitlabsim.TokenDeveloper, `mutation($id: ID!) {
		cancel: jobCancel(input: {id: $id}) { job { status } }
		retry: jobRetry(input: {id: $id}) { job { databaseId status } errors }
	}`, map[string]any{"id": jobGID(gitlabsim.JobPending)})
	var got struct {
		Cancel struct{ Job struct{ Status string } }
		Retry  struct {
			Job struct {
				DatabaseID int64 `json:"databaseId"`
				Status     string
			}
			Errors []string
		}
	}
	if err := json.Unmarshal(out.Data, &got); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%s %+v %v", out.Data, out.Errors, err)
	}
	if got.Cancel.Job.Status != "CANCELED" || len(got.Retry.Errors) > 0 || got.Retry.Job.DatabaseID <= gitlabsim.JobPending {
		t.Errorf("cancel then retry: %+v", got)
	}
}

// A job read after an action is read again: the refused play before the
// cancel loaded the pending job, the refused play after it sees it canceled.
func TestFieldsAfterAnActionAreReadAfresh(t *testing.T) {
	s := newStack(t)
	out := s.do(t, gitlabsim.TokenDeveloper, `mutation($id: ID!) {
		before: jobPlay(input: {id: $id}) { job { status } errors }
		cancel: jobCancel(input: {id: $id}) { errors }
		after: jobPlay(input: {id: $id}) { job { status } errors }
	}`, map[string]any{"id": jobGID(gitlabsim.JobPending)})
	var got map[string]struct {
		Job    struct{ Status string }
		Errors []string
	}
	if err := json.Unmarshal(out.Data, &got); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%s %+v %v", out.Data, out.Errors, err)
	}
	if got["before"].Job.Status != "PENDING" || got["after"].Job.Status != "CANCELED" || len(got["after"].Errors) != 1 {
		t.Errorf("before %+v, after %+v; want PENDING then CANCELED, both refused", got["before"], got["after"])
	}
}

// GraphQL over HTTP: a GET must not act.
func TestMutationOverGETIsRefused(t *testing.T) {
	s := newStack(t)
	q := url.Values{"query": {fmt.Sprintf(`mutation { jobCancel(input: {id: %q}) { errors } }`, jobGID(gitlabsim.JobRunning))}}
	req, _ := http.NewRequest(http.MethodGet, s.gateway.URL+"?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+gitlabsim.TokenMaintainer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
		t.Errorf("status %d, Allow %q; want 405 and POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if n := total(s.calls()); n != 0 {
		t.Errorf("%d GitLab calls for a refused GET", n)
	}
}

func TestCurrentJob(t *testing.T) {
	s := newStack(t)
	query := func(header, token string) gqlResponse {
		body, _ := json.Marshal(map[string]string{"query": `{ currentJob { databaseId name status } }`})
		req, _ := http.NewRequest(http.MethodPost, s.gateway.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set(header, token)
		}
		return send(t, req)
	}
	var got struct {
		CurrentJob *struct {
			DatabaseID int64 `json:"databaseId"`
			Status     string
		} `json:"currentJob"`
	}
	out := query("JOB-TOKEN", gitlabsim.TokenJob)
	if err := json.Unmarshal(out.Data, &got); err != nil || len(out.Errors) > 0 || got.CurrentJob == nil || got.CurrentJob.DatabaseID != gitlabsim.JobRunning {
		t.Fatalf("job token: %s %+v", out.Data, out.Errors)
	}
	for _, caller := range []struct{ header, token string }{{"PRIVATE-TOKEN", gitlabsim.TokenMaintainer}, {"", ""}} {
		out := query(caller.header, caller.token)
		if string(out.Data) != `{"currentJob":null}` || len(out.Errors) > 0 {
			t.Errorf("%q caller: %s %+v; want null without error", caller.header, out.Data, out.Errors)
		}
	}
}
