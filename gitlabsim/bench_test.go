package gitlabsim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkProjectJobsPage100 measures one page of 100 project jobs through the whole
// handler (routing, auth, paging, entities, JSON) over loopback HTTP.
func BenchmarkProjectJobsPage100(b *testing.B) {
	sim := New(Options{Seed: 1})
	srv := httptest.NewServer(sim)
	defer func() {
		srv.Close()
		sim.Close()
	}()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v4/projects/1/jobs?per_page=100&page=2", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("PRIVATE-TOKEN", TokenMaintainer)
	client := srv.Client()
	b.ReportAllocs()
	var bytes int64
	for b.Loop() {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		bytes = n
	}
	b.SetBytes(bytes)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkProjectJobsPage100Handler is the same page without the network, to show
// what the simulator itself costs.
func BenchmarkProjectJobsPage100Handler(b *testing.B) {
	sim := New(Options{Seed: 1})
	defer sim.Close()
	req := httptest.NewRequest(http.MethodGet, "/api/v4/projects/1/jobs?per_page=100&page=2", nil)
	req.Header.Set("PRIVATE-TOKEN", TokenMaintainer)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkNewWorld measures seeding, which every test pays once.
func BenchmarkNewWorld(b *testing.B) {
	for b.Loop() {
		newWorld(1)
	}
}
