package gitlabsim

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

func TestRouting(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	encoded := url.PathEscape(ProjectPath(ProjectDemo))
	tests := []struct {
		name, path string
		status     int
		body       string
		statsKey   string
	}{
		{"numeric id", "/api/v4/projects/1", 200, "", "GET /api/v4/projects/:id"},
		{"encoded path", "/api/v4/projects/" + encoded, 200, "", "GET /api/v4/projects/:id"},
		{"encoded path upper-case escape", "/api/v4/projects/demo-group%2fplatform%2fweb-app", 200, "", "GET /api/v4/projects/:id"},
		{"raw slash path matches no route", "/api/v4/projects/demo-group/platform/web-app", 404, `{"error":"404 Not Found"}`, unmatchedKey},
		{"unknown route", "/api/v4/nope", 404, `{"error":"404 Not Found"}`, unmatchedKey},
		{"unknown project", "/api/v4/projects/999", 404, `{"message":"404 Project Not Found"}`, "GET /api/v4/projects/:id"},
		{"unknown project path", "/api/v4/projects/a%2Fb", 404, `{"message":"404 Project Not Found"}`, "GET /api/v4/projects/:id"},
		{"job of another project", fmt.Sprintf("/api/v4/projects/2/jobs/%d", JobRunning), 404, `{"message":"404 Not found"}`, "GET /api/v4/projects/:id/jobs/:job_id"},
		{"bridge is no build", fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobBridge), 404, `{"message":"404 Not found"}`, "GET /api/v4/projects/:id/jobs/:job_id"},
		{"non-numeric job id", "/api/v4/projects/1/jobs/abc", 400, `{"error":"job_id is invalid"}`, "GET /api/v4/projects/:id/jobs/:job_id"},
		{"unknown pipeline", "/api/v4/projects/1/pipelines/99999", 404, `{"message":"404 Not found"}`, "GET /api/v4/projects/:id/pipelines/:pipeline_id"},
		{"unknown commit", "/api/v4/projects/1/repository/commits/deadbeef", 404, `{"message":"404 Commit Not Found"}`, "GET /api/v4/projects/:id/repository/commits/:sha"},
		{"unknown user", "/api/v4/users/999", 404, `{"message":"404 User Not Found"}`, "GET /api/v4/users/:id"},
		{"json suffix", "/api/v4/user.json", 200, "", "GET /api/v4/user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim.ResetStats()
			r := get(t, srv, tt.path, TokenMaintainer)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.body != "" && string(r.body) != tt.body {
				t.Errorf("body %s, want %s", r.body, tt.body)
			}
			if got := sim.Stats(); got[tt.statsKey] != 1 || len(got) != 1 {
				t.Errorf("stats %v, want only %q=1", got, tt.statsKey)
			}
		})
	}
}

func TestStatsControls(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	get(t, srv, "/api/v4/projects/1/jobs", TokenMaintainer)
	get(t, srv, "/api/v4/projects/1/jobs", TokenMaintainer)
	do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/cancel", JobPending), TokenMaintainer, "")
	var stats map[string]int64
	get(t, srv, "/_sim/stats", "").json(t, &stats)
	want := map[string]int64{"GET /api/v4/projects/:id/jobs": 2, "POST /api/v4/projects/:id/jobs/:job_id/cancel": 1}
	if fmt.Sprint(stats) != fmt.Sprint(want) {
		t.Fatalf("stats %v, want %v", stats, want)
	}
	if r := do(t, srv, http.MethodPost, "/_sim/reset", "", ""); r.status != http.StatusNoContent {
		t.Fatalf("reset status %d", r.status)
	}
	if got := sim.Stats(); len(got) != 0 {
		t.Fatalf("stats after reset %v", got)
	}
}
