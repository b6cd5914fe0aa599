package bench

import (
	"testing"
	"time"
)

// upstreamLatency is the round trip the simulator adds to every REST call,
// about what a GitLab instance in another region costs.
const upstreamLatency = 50 * time.Millisecond

// BenchmarkGatewayLatency50ms measures one caller's query time against a slow
// upstream, per query depth, and how much of it is not the upstream's:
// overhead-ms is ms/query minus one upstream round trip per level. The rest
// sub-benchmark is the baseline: the 100 jobs fetched straight from the REST
// API, whose overhead-ms is what the simulator and the caller's own decoding
// cost with no gateway in between. Run it with -benchtime=20x: every operation
// takes at least 50 ms.
func BenchmarkGatewayLatency50ms(b *testing.B) {
	s := newStack(b, upstreamLatency)
	for _, q := range depths {
		b.Run(q.name, func(b *testing.B) {
			measureLatency(b, q.levels, func() error {
				_, err := s.query(q)
				return err
			})
		})
	}
	b.Run("rest", func(b *testing.B) { measureLatency(b, 1, s.restOp) })
}

// measureLatency times op, which costs levels upstream round trips one after
// the other. The first call opens the upstream connections op needs; the
// loop's timer starts after it.
func measureLatency(b *testing.B, levels int, op func() error) {
	if err := op(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(milliseconds(perOp), "ms/query")
	b.ReportMetric(milliseconds(perOp-time.Duration(levels)*upstreamLatency), "overhead-ms")
}

func milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
