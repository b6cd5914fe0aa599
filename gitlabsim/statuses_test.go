package gitlabsim

import (
	"net/http"
	"slices"
	"testing"
)

// waiting_for_callback is one of GitLab's thirteen statuses: every jobs and bridges
// list takes it as a scope, and the pipelines list as a status.
func TestWaitingForCallbackIsAStatus(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	tests := []struct {
		name, path string
		want       []int64
	}{
		{"project jobs, scope[]", "/api/v4/projects/1/jobs?scope[]=waiting_for_callback", []int64{JobWaitingForCallback}},
		{"project jobs, scope", "/api/v4/projects/1/jobs?scope=waiting_for_callback", []int64{JobWaitingForCallback}},
		{"project jobs, keyset", "/api/v4/projects/1/jobs?pagination=keyset&order_by=id&sort=desc&scope[]=waiting_for_callback", []int64{JobWaitingForCallback}},
		{"pipeline jobs", "/api/v4/projects/1/pipelines/100001/jobs?scope[]=waiting_for_callback&scope[]=canceling", []int64{JobWaitingForCallback, JobCanceling}},
		{"pipeline bridges", "/api/v4/projects/1/pipelines/100001/bridges?scope[]=waiting_for_callback", []int64{}},
		{"pipelines by status", "/api/v4/projects/1/pipelines?status=waiting_for_callback", []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, tt.path, TokenGuest)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var list []idOnly
			r.json(t, &list)
			ids := []int64{}
			for _, x := range list {
				ids = append(ids, x.ID)
			}
			slices.Sort(ids)
			slices.Sort(tt.want)
			if !slices.Equal(ids, tt.want) {
				t.Fatalf("ids %v, want %v", ids, tt.want)
			}
		})
	}
}

// A job waiting for a callback holds its pipeline in that status once nothing runs,
// as Gitlab::Ci::Status::Composite does.
func TestWaitingForCallbackPipelineStatus(t *testing.T) {
	tests := []struct {
		statuses []string
		want     string
	}{
		{[]string{"success", "waiting_for_callback"}, "waiting_for_callback"},
		{[]string{"running", "waiting_for_callback"}, "running"},
		{[]string{"waiting_for_resource", "waiting_for_callback"}, "waiting_for_resource"},
		{[]string{"waiting_for_callback", "manual", "scheduled"}, "waiting_for_callback"},
	}
	for _, tt := range tests {
		pl := &pipeline{}
		for _, s := range tt.statuses {
			pl.Jobs = append(pl.Jobs, &job{Status: s})
		}
		pl.refreshStatus()
		if pl.Status != tt.want {
			t.Errorf("jobs %v: pipeline %s, want %s", tt.statuses, pl.Status, tt.want)
		}
	}
}
