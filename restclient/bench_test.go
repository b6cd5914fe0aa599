package restclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"jobgraph/gitlabsim"
)

// jobsPage100 is the first page of 100 jobs of gitlabsim's demo project, as
// GitLab sends it: each job embeds its user, commit, pipeline, runner and
// artifacts, and, as in a real project, the jobs share a few users and
// pipelines.
func jobsPage100(b *testing.B) []byte {
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	b.Cleanup(sim.Close)
	req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/v4/projects/%d/jobs?per_page=100", gitlabsim.ProjectDemo), nil)
	req.Header.Set("PRIVATE-TOKEN", gitlabsim.TokenMaintainer)
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, req)
	var check []*Job
	if err := json.Unmarshal(rec.Body.Bytes(), &check); err != nil || len(check) != 100 || check[0].User == nil {
		b.Fatalf("fixture: status %d, %v", rec.Code, err)
	}
	return rec.Body.Bytes()
}

// BenchmarkDecodeJobsPage100 measures the client's decode path: one
// streaming json v2 pass straight from the body.
func BenchmarkDecodeJobsPage100(b *testing.B) {
	page := jobsPage100(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		var jobs []*Job
		err := decodeBody(bytes.NewReader(page), &jobs)
		if err != nil || len(jobs) != 100 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeJobsPage100ReadAll is the baseline the client's decode is
// compared with: the body read whole, then unmarshalled with encoding/json,
// as client-go does.
func BenchmarkDecodeJobsPage100ReadAll(b *testing.B) {
	page := jobsPage100(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		raw, err := io.ReadAll(bytes.NewReader(page))
		if err != nil {
			b.Fatal(err)
		}
		var jobs []*Job
		if err := json.Unmarshal(raw, &jobs); err != nil || len(jobs) != 100 {
			b.Fatal(err)
		}
	}
}
