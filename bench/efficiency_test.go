package bench

import (
	"maps"
	"strings"
	"testing"
)

const (
	routeProject      = "GET /api/v4/projects/:id"
	routeProjectJobs  = "GET /api/v4/projects/:id/jobs"
	routePipeline     = "GET /api/v4/projects/:id/pipelines/:pipeline_id"
	routePipelines    = "GET /api/v4/projects/:id/pipelines"
	routePipelineJobs = "GET /api/v4/projects/:id/pipelines/:pipeline_id/jobs"
)

// The benchmarked queries cost exactly the upstream calls their depth
// promises, so their timings keep meaning the same thing.
func TestBenchmarkedQueriesUpstreamCalls(t *testing.T) {
	cases := []struct {
		shape *shape
		want  func(*data) map[string]int64
	}{
		{jobs100, func(*data) map[string]int64 {
			return map[string]int64{routeProjectJobs: 1}
		}},
		{jobs100Duration, func(d *data) map[string]int64 {
			return map[string]int64{routeProjectJobs: 1, routePipeline: int64(d.distinctPipelines())}
		}},
		{pipelineJobs, func(*data) map[string]int64 {
			return map[string]int64{routeProject: 1, routePipelines: 1, routePipelineJobs: 20}
		}},
	}
	s := newStack(t, 0)
	for _, c := range cases {
		t.Run(c.shape.name, func(t *testing.T) {
			s.calls()
			d, err := s.query(c.shape)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := s.calls(), c.want(d); !maps.Equal(got, want) {
				t.Fatalf("upstream calls %v, want %v", got, want)
			}
		})
	}
}

// The last level of depth2 and depth3 fans out to several parents; with one
// parent, or parents with nothing under them, the shapes would measure no
// concurrency.
func TestBenchmarkedQueriesFanOut(t *testing.T) {
	s := newStack(t, 0)
	d, err := s.query(jobs100Duration)
	if err != nil {
		t.Fatal(err)
	}
	if n := d.distinctPipelines(); n < 2 {
		t.Fatalf("the 100 jobs belong to %d pipelines, want several", n)
	}
	if d, err = s.query(pipelineJobs); err != nil {
		t.Fatal(err)
	}
	for i, p := range d.Project.Pipelines.Nodes {
		if len(p.Jobs.Nodes) == 0 {
			t.Fatalf("pipeline %d of 20 lists no jobs", i)
		}
	}
}

// The REST baseline reads the same jobs, with the same values, as the
// gateway's 100-jobs query, so the two measure the same work.
func TestBaselineReadsWhatTheGatewayAnswers(t *testing.T) {
	s := newStack(t, 0)
	rest, err := s.rest100Jobs()
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.query(jobs100)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range d.Project.Jobs.Nodes {
		r := rest[i]
		same := g.DatabaseID == r.ID && g.Name == r.Name && g.Status == strings.ToUpper(r.Status) &&
			g.Pipeline.DatabaseID == r.Pipeline.ID && g.Pipeline.Ref == r.Pipeline.Ref &&
			g.Pipeline.SHA == r.Pipeline.SHA && g.Commit.Title == r.Commit.Title && g.Commit.ShortID == r.Commit.ShortID &&
			(g.User == nil) == (r.User == nil) && (g.User == nil || *g.User == *r.User)
		if !same {
			t.Fatalf("job %d: gateway %+v, REST %+v", i, g, r)
		}
	}
}
