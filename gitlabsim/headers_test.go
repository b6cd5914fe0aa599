package gitlabsim

import (
	"fmt"
	"testing"
	"time"
)

// TestAPIHeadersOnEveryAnswer pins lib/api/api.rb's before block (X-Frame-Options,
// X-Content-Type-Options) and Rails' default Cache-Control on every /api/v4
// answer: success, errors, unmatched paths, traces and injected faults.
func TestAPIHeadersOnEveryAnswer(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	sim.SetLatency(time.Millisecond, 0)
	sim.SetFaults(Faults{FailNext: []FailNext{{Route: "GET /api/v4/projects/:id/pipelines", Count: 1, Kind: "error", Status: 502}}})
	want := map[string]string{
		"X-Frame-Options":        "SAMEORIGIN",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "max-age=0, private, must-revalidate",
	}
	tests := []struct {
		name, path, token string
		status            int
	}{
		{"job", fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobFailed), TokenMaintainer, 200},
		{"trace", fmt.Sprintf("/api/v4/projects/1/jobs/%d/trace", JobFailed), TokenMaintainer, 200},
		{"unauthorized", "/api/v4/user", "", 401},
		{"not found", "/api/v4/projects/999", TokenMaintainer, 404},
		{"unmatched", "/api/v4/nowhere", "", 404},
		{"validation", "/api/v4/projects/1/jobs?page=0", TokenMaintainer, 400},
		{"fault", "/api/v4/projects/1/pipelines", TokenMaintainer, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, tt.path, tt.token)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			for k, v := range want {
				if got := r.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}
