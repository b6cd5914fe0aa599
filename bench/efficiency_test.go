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
	s := newStack(t, 0)
	for _, f := range []family{page20, page100} {
		cases := []struct {
			shape *shape
			want  func(*data) map[string]int64
		}{
			{f.depth1, func(*data) map[string]int64 {
				return map[string]int64{routeProjectJobs: 1}
			}},
			{f.depth2, func(d *data) map[string]int64 {
				return map[string]int64{routeProjectJobs: 1, routePipeline: int64(d.distinctPipelines())}
			}},
			{f.depth3, func(*data) map[string]int64 {
				return map[string]int64{routeProject: 1, routePipelines: 1, routePipelineJobs: int64(f.depth3.wantSize)}
			}},
		}
		for _, c := range cases {
			t.Run(f.name+"/"+c.shape.name, func(t *testing.T) {
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
}

// The last level of depth2 and depth3 fans out to several parents; with one
// parent, or parents with nothing under them, the shapes would measure no
// concurrency.
func TestBenchmarkedQueriesFanOut(t *testing.T) {
	s := newStack(t, 0)
	for _, f := range []family{page20, page100} {
		d, err := s.query(f.depth2)
		if err != nil {
			t.Fatal(err)
		}
		if n := d.distinctPipelines(); n < 2 {
			t.Fatalf("%s: the jobs belong to %d pipelines, want several", f.name, n)
		}
		if d, err = s.query(f.depth3); err != nil {
			t.Fatal(err)
		}
		for i, p := range d.Project.Pipelines.Nodes {
			if len(p.Jobs.Nodes) == 0 {
				t.Fatalf("%s: pipeline %d lists no jobs", f.name, i)
			}
		}
	}
}

// The REST baseline reads the same jobs, with the same values, as the
// gateway's depth1 queries, so the two measure the same work.
func TestBaselineReadsWhatTheGatewayAnswers(t *testing.T) {
	s := newStack(t, 0)
	for _, f := range []family{page20, page100} {
		rest, err := s.restJobs(f.depth1.wantSize)
		if err != nil {
			t.Fatal(err)
		}
		d, err := s.query(f.depth1)
		if err != nil {
			t.Fatal(err)
		}
		sameJobs(t, d, rest)
	}
}

func sameJobs(t *testing.T, d *data, rest []restJob) {
	t.Helper()
	if len(rest) != len(d.Project.Jobs.Nodes) {
		t.Fatalf("REST read %d jobs, the gateway answered %d", len(rest), len(d.Project.Jobs.Nodes))
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
