package bench

import (
	"os"
	"path/filepath"
	"testing"

	"jobgraph/gitlabsim"
)

// workloadShape is bench/run's workload name (bench/workloads/name.graphql)
// as a shape for the in-process benchmarks, on the demo project.
func workloadShape(tb testing.TB, name string, size func(*data) int, wantSize int) *shape {
	tb.Helper()
	doc, err := os.ReadFile(filepath.Join("workloads", name+".graphql"))
	if err != nil {
		tb.Fatal(err)
	}
	return newShape(name, 0, size, wantSize, string(doc), map[string]any{"project": gitlabsim.ProjectPath(gitlabsim.ProjectDemo)})
}

// BenchmarkWorkloads runs bench/run's W1–W3 through the gateway in this
// process, gitlabsim answering at once, for profiles of what the gateway
// spends per query:
//
//	go test -run xxx -bench Workloads/W1 -benchtime 300x -cpuprofile w1.cpu ./bench/
//	go tool pprof -top -nodecount 30 bench.test w1.cpu
//
// The profile holds gitlabsim's work too (rendering the pages); read the
// gateway's part below graph.NewHandler and restclient.
func BenchmarkWorkloads(b *testing.B) {
	s := newStack(b, 0)
	for _, q := range []*shape{
		workloadShape(b, "W1", jobCount, 100),
		workloadShape(b, "W2", jobCount, 100),
		workloadShape(b, "W3", pipelineCount, 20),
	} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.query(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
