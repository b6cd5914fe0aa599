package gitlabsim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

type pipelineView struct {
	ID     int64
	Status string
}

// jobStatuses reads the latest jobs of a pipeline, by name.
func jobStatuses(t *testing.T, srv *httptest.Server, pipelineID int64) map[string]string {
	t.Helper()
	var jobs []struct{ Name, Status string }
	get(t, srv, fmt.Sprintf("/api/v4/projects/1/pipelines/%d/jobs?per_page=100", pipelineID), TokenMaintainer).json(t, &jobs)
	out := map[string]string{}
	for _, j := range jobs {
		out[j.Name] = j.Status
	}
	return out
}

func TestCancelPipeline(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	r := do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/pipelines/%d/cancel", PipelineFixture), TokenDeveloper, "")
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	var pl pipelineView
	r.json(t, &pl)
	if pl.ID != PipelineFixture || pl.Status != "canceling" {
		t.Errorf("pipeline %d %s, want %d canceling (its running jobs stop gracefully)", pl.ID, pl.Status, PipelineFixture)
	}
	want := map[string]string{
		"compile": "success", "lint": "failed", "rspec 1/2": "canceling", "rspec 2/2": "canceled",
		"jest": "canceling", "deploy:staging": "canceled", "deploy:production": "manual",
		"nightly:cleanup": "canceled", "e2e:device-farm": "canceled",
	}
	got := jobStatuses(t, srv, PipelineFixture)
	for name, status := range want {
		if got[name] != status {
			t.Errorf("job %s is %s, want %s", name, got[name], status)
		}
	}
	again := do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/pipelines/%d/cancel", PipelineFixture), TokenDeveloper, "")
	if again.status != http.StatusOK {
		t.Errorf("cancelling a pipeline with nothing left to cancel: status %d, want 200 as GitLab answers", again.status)
	}
}

func TestRetryPipeline(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	// A finished pipeline: the fixture's once every cancelable job stopped.
	path := fmt.Sprintf("/api/v4/projects/1/pipelines/%d", PipelineFixture)
	do(t, srv, http.MethodPost, path+"/cancel", TokenDeveloper, "")
	for _, id := range []int64{JobRunning, JobCanceling} {
		do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/cancel?force=true", id), TokenMaintainer, "")
	}
	r := do(t, srv, http.MethodPost, path+"/retry", TokenDeveloper, "")
	if r.status != http.StatusCreated {
		t.Fatalf("status %d, want 201: %s", r.status, r.body)
	}
	var pl pipelineView
	r.json(t, &pl)
	if pl.Status != "running" {
		t.Errorf("pipeline status %s, want running", pl.Status)
	}
	got := jobStatuses(t, srv, PipelineFixture)
	// lint, retried, holds up the test stage behind it.
	want := map[string]string{
		"compile": "success", "lint": "pending", "rspec 1/2": "created", "rspec 2/2": "created",
		"jest": "created", "deploy:staging": "created", "deploy:production": "manual",
	}
	for name, status := range want {
		if got[name] != status {
			t.Errorf("job %s is %s, want %s", name, got[name], status)
		}
	}
	var all []struct{ ID int64 }
	get(t, srv, path+"/jobs?include_retried=true&per_page=100", TokenMaintainer).json(t, &all)
	var latest []struct{ ID int64 }
	get(t, srv, path+"/jobs?per_page=100", TokenMaintainer).json(t, &latest)
	if retried := len(all) - len(latest); retried != 7 {
		t.Errorf("%d jobs were retried, want 7 (lint, rspec ×2, jest, deploy:staging, nightly:cleanup, e2e:device-farm)", retried)
	}
}

func TestPipelineActionsNeedDeveloperAccess(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	tests := []struct {
		name, token, path string
		status            int
		body              string
	}{
		{"guest cancel", TokenGuest, fmt.Sprintf("/api/v4/projects/1/pipelines/%d/cancel", PipelineFixture), 403, `{"message":"403 Forbidden"}`},
		{"guest retry", TokenGuest, fmt.Sprintf("/api/v4/projects/1/pipelines/%d/retry", PipelineFixture), 403, `{"message":"403 Forbidden"}`},
		{"anonymous", "", fmt.Sprintf("/api/v4/projects/1/pipelines/%d/retry", PipelineFixture), 401, `{"message":"401 Unauthorized"}`},
		{"unknown pipeline", TokenDeveloper, "/api/v4/projects/1/pipelines/987654/cancel", 404, `{"message":"404 Not found"}`},
		{"outsider on private", TokenOutsider, "/api/v4/projects/4/pipelines/1/retry", 404, `{"message":"404 Project Not Found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, http.MethodPost, tt.path, tt.token, "")
			if r.status != tt.status || string(r.body) != tt.body {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.body)
			}
		})
	}
}
