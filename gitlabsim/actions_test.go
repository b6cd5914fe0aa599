package gitlabsim

import (
	"fmt"
	"net/http"
	"testing"
)

type jobView struct {
	ID         int64
	Status     string
	ErasedAt   *string `json:"erased_at"`
	FinishedAt *string `json:"finished_at"`
	User       struct{ Username string }
	Artifacts  []any
}

func TestJobActions(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		project    int64
		job        int64
		verb       string
		body       string
		status     int
		wantBody   string
		wantStatus string
	}{
		{"cancel running starts canceling", TokenDeveloper, 1, JobRunning, "cancel", "", 201, "", "canceling"},
		{"cancel pending", TokenDeveloper, 1, JobPending, "cancel", "", 201, "", "canceled"},
		{"cancel created", TokenDeveloper, 1, JobCreated, "cancel", "", 201, "", "canceled"},
		{"cancel scheduled", TokenDeveloper, 1, JobScheduled, "cancel", "", 201, "", "canceled"},
		{"cancel waiting for callback", TokenDeveloper, 1, JobWaitingForCallback, "cancel", "", 201, "", "canceled"},
		{"cancel manual", TokenDeveloper, 1, JobManual, "cancel", "", 201, "", "canceled"},
		{"force cancel of a job not canceling answers it unchanged", TokenMaintainer, 1, JobRunning, "cancel?force=true", "", 201, "", "running"},
		{"cancel finished answers the job unchanged", TokenDeveloper, 1, JobHugeLog, "cancel", "", 201, "", "success"},
		{"cancel canceling without force changes nothing", TokenDeveloper, 1, JobCanceling, "cancel", "", 201, "", "canceling"},
		{"force cancel needs a maintainer", TokenDeveloper, 1, JobCanceling, "cancel?force=true", "", 403, `{"message":"403 Forbidden"}`, ""},
		{"force cancel", TokenMaintainer, 1, JobCanceling, "cancel?force=true", "", 201, "", "canceled"},
		{"bad force", TokenMaintainer, 1, JobCanceling, "cancel?force=maybe", "", 400, `{"error":"force is invalid"}`, ""},
		{"guest cannot cancel", TokenGuest, 1, JobRunning, "cancel", "", 403, `{"message":"403 Forbidden"}`, ""},
		{"outsider cannot cancel", TokenOutsider, 1, JobRunning, "cancel", "", 403, `{"message":"403 Forbidden"}`, ""},
		{"anonymous cannot cancel", "", 1, JobRunning, "cancel", "", 401, `{"message":"401 Unauthorized"}`, ""},
		{"retry running", TokenDeveloper, 1, JobRunning, "retry", "", 403, `{"message":"403 Forbidden - Job is not retryable"}`, ""},
		{"retry manual", TokenDeveloper, 1, JobManual, "retry", "", 403, `{"message":"403 Forbidden - Job is not retryable"}`, ""},
		{"guest cannot retry", TokenGuest, 1, JobFailed, "retry", "", 403, `{"message":"403 Forbidden"}`, ""},
		{"retry failed", TokenDeveloper, 1, JobFailed, "retry", "", 201, "", "pending"},
		{"retry bridge", TokenDeveloper, 1, JobBridge, "retry", "", 201, "", "pending"},
		{"erase running", TokenMaintainer, 1, JobRunning, "erase", "", 403, `{"message":"403 Forbidden - Job is not erasable!"}`, ""},
		{"erase own failed job", TokenDeveloper, 1, JobFailed, "erase", "", 201, "", "failed"},
		{"guest cannot erase", TokenGuest, 1, JobFailed, "erase", "", 403, `{"message":"403 Forbidden"}`, ""},
		{"play manual", TokenDeveloper, 1, JobManual, "play", `{"job_variables_attributes":[{"key":"TARGET","value":"eu"}]}`, 200, "", "pending"},
		{"play scheduled", TokenDeveloper, 1, JobScheduled, "play", "", 200, "", "pending"},
		{"play running", TokenDeveloper, 1, JobRunning, "play", "", 400, `{"message":"400 Bad request - Unplayable Job"}`, ""},
		{"play variable without value", TokenDeveloper, 1, JobManual, "play", `{"job_variables_attributes":[{"key":"A"}]}`, 400, `{"error":"job_variables_attributes[0][value] is missing"}`, ""},
		{"guest cannot play", TokenGuest, 1, JobManual, "play", "", 403, `{"message":"403 Forbidden"}`, ""},
		{"unknown job", TokenDeveloper, 1, 987654, "retry", "", 404, `{"message":"404 Not found"}`, ""},
		{"outsider on private", TokenOutsider, 4, 1, "retry", "", 404, `{"message":"404 Project Not Found"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newTestServer(t, Options{Seed: 1})
			path := fmt.Sprintf("/api/v4/projects/%d/jobs/%d/%s", tt.project, tt.job, tt.verb)
			r := do(t, srv, http.MethodPost, path, tt.token, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.wantBody != "" && string(r.body) != tt.wantBody {
				t.Errorf("body %s, want %s", r.body, tt.wantBody)
			}
			if tt.wantStatus != "" {
				var j jobView
				r.json(t, &j)
				if j.Status != tt.wantStatus {
					t.Errorf("job status %s, want %s", j.Status, tt.wantStatus)
				}
			}
		})
	}
}

func TestRetryHidesOldJobFromPipeline(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	var fresh jobView
	do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/retry", JobFailed), TokenDeveloper, "").json(t, &fresh)
	if fresh.ID < firstFreeJobID || fresh.User.Username != "dev.dana" {
		t.Fatalf("new job %+v", fresh)
	}
	ids := func(query string) map[int64]bool {
		var items []idOnly
		get(t, srv, fmt.Sprintf("/api/v4/projects/1/pipelines/%d/jobs?per_page=100%s", PipelineFixture, query), TokenDeveloper).json(t, &items)
		out := map[int64]bool{}
		for _, it := range items {
			out[it.ID] = true
		}
		return out
	}
	latest := ids("")
	if latest[JobFailed] || !latest[fresh.ID] {
		t.Fatalf("latest jobs %v", latest)
	}
	all := ids("&include_retried=true")
	if !all[JobFailed] || !all[fresh.ID] {
		t.Fatalf("with retried %v", all)
	}
	var again jobView
	r := do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/retry", JobFailed), TokenDeveloper, "")
	if r.status != http.StatusForbidden {
		r.json(t, &again)
		t.Fatalf("retrying a retried job gave %d %+v", r.status, again)
	}
}

func TestEraseRemovesLogAndArtifacts(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	path := fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobFailed)
	if r := get(t, srv, path+"/trace", TokenMaintainer); len(r.body) == 0 {
		t.Fatal("failed job has no log before erase")
	}
	var j jobView
	do(t, srv, http.MethodPost, path+"/erase", TokenMaintainer, "").json(t, &j)
	if j.ErasedAt == nil || len(j.Artifacts) != 0 {
		t.Fatalf("erased job %+v", j)
	}
	if r := get(t, srv, path+"/trace", TokenMaintainer); r.status != 200 || len(r.body) != 0 {
		t.Fatalf("trace after erase: %d %d bytes", r.status, len(r.body))
	}
	if r := do(t, srv, http.MethodPost, path+"/erase", TokenMaintainer, ""); r.status != http.StatusForbidden {
		t.Fatalf("second erase %d", r.status)
	}
}

func TestDeveloperErasesOnlyOwnJobs(t *testing.T) {
	w := newWorld(1)
	var other *job
	for _, j := range w.projectByID[ProjectDemo].Jobs {
		if j.finished() && j.UserID != UserDeveloper && j.hasLog() {
			other = j
			break
		}
	}
	_, srv := newTestServer(t, Options{Seed: 1})
	r := do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/erase", other.ID), TokenDeveloper, "")
	if r.status != http.StatusForbidden {
		t.Fatalf("developer erased someone else's job: %d %s", r.status, r.body)
	}
}

func TestPlayStoresVariablesAndPlayer(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	body := `{"job_variables_attributes":[{"key":"TARGET","value":"eu"}]}`
	var j jobView
	do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/play", JobManual), TokenMaintainer, body).json(t, &j)
	if j.User.Username != "mia.maintainer" {
		t.Errorf("played by %s", j.User.Username)
	}
	sim.mu.RLock()
	vars := sim.world.jobsByID[JobManual].Variables
	sim.mu.RUnlock()
	if len(vars) != 1 || vars[0] != (variable{Key: "TARGET", Value: "eu"}) {
		t.Errorf("variables %v", vars)
	}
}

func TestPipelineStatusFollowsJobs(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	plID, jobs := sim.AddPipeline(ProjectDemo, "feature")
	for _, id := range jobs {
		do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/cancel", id), TokenMaintainer, "")
		do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/cancel?force=true", id), TokenMaintainer, "")
	}
	var pl struct {
		Status     string
		FinishedAt *string `json:"finished_at"`
	}
	get(t, srv, fmt.Sprintf("/api/v4/projects/1/pipelines/%d", plID), TokenMaintainer).json(t, &pl)
	if pl.Status != "canceled" || pl.FinishedAt == nil {
		t.Fatalf("pipeline after cancelling every job: %+v", pl)
	}
}

// TestRetryRunnerManagerKey pins Entities::Ci::Job's `runner_manager ... if:
// job.is_a?(Ci::Build)`: a retried bridge has no key, a new build without a
// runner has null.
func TestRetryRunnerManagerKey(t *testing.T) {
	tests := []struct {
		name    string
		job     int64
		present bool
	}{
		{"bridge has no runner_manager", JobBridge, false},
		{"build without runner has null runner_manager", JobFailed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newTestServer(t, Options{Seed: 1})
			r := do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/retry", tt.job), TokenDeveloper, "")
			if r.status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var m map[string]any
			r.json(t, &m)
			v, present := m["runner_manager"]
			if present != tt.present || v != nil {
				t.Errorf("runner_manager present=%v value=%v, want present=%v and null", present, v, tt.present)
			}
		})
	}
}
