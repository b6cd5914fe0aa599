package bench

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"jobgraph/gitlabsim"
)

// upstreamLatency is the round trip the simulator adds to every REST call,
// about what a GitLab instance in another region costs.
const upstreamLatency = 50 * time.Millisecond

// BenchmarkGatewayLatency50ms measures one caller's query time against a slow
// upstream, per page size and query depth, and how much of it is not the
// upstream's: overhead-ms is ms/query minus one upstream round trip per level.
//
// One upstream round trip is measured, not assumed: upstream-ms is the median
// time of the smallest GitLab request (the current user) on this machine,
// which is the configured 50 ms plus what the Go runtime's timers and loopback
// HTTP add (about 0.7 ms here). The rest sub-benchmarks are the baselines:
// the depth1 page fetched straight from the REST API, whose overhead-ms is
// what moving and decoding the page costs with no gateway in between. Run it
// with -benchtime=20x: every operation takes at least 50 ms.
func BenchmarkGatewayLatency50ms(b *testing.B) {
	s := newStack(b, upstreamLatency)
	rtt, err := s.upstreamRoundTrip()
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []family{page20, page100} {
		b.Run(f.name, func(b *testing.B) {
			for _, q := range f.shapes() {
				b.Run(q.name, func(b *testing.B) {
					measureLatency(b, q.levels, rtt, func() error {
						_, err := s.query(q)
						return err
					})
				})
			}
			b.Run("rest", func(b *testing.B) { measureLatency(b, 1, rtt, s.restOp(f.depth1.wantSize)) })
		})
	}
}

// upstreamRoundTrip is the median time of the smallest authenticated GitLab
// request, over enough requests to steady it.
func (s *stack) upstreamRoundTrip() (time.Duration, error) {
	const samples = 21
	times := make([]time.Duration, 0, samples)
	for range samples + 1 { // the first opens the connection
		req, err := http.NewRequest(http.MethodGet, s.upstream.URL+"/api/v4/user", nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("PRIVATE-TOKEN", gitlabsim.TokenMaintainer)
		start := time.Now()
		resp, err := s.client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET /user: status %d, %v", resp.StatusCode, err)
		}
		times = append(times, time.Since(start))
	}
	times = times[1:]
	slices.Sort(times)
	return times[samples/2], nil
}

// measureLatency times op, which costs levels upstream round trips of rtt one
// after the other. The first call opens the upstream connections op needs;
// the loop's timer starts after it.
func measureLatency(b *testing.B, levels int, rtt time.Duration, op func() error) {
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
	b.ReportMetric(milliseconds(rtt), "upstream-ms")
	b.ReportMetric(milliseconds(perOp-time.Duration(levels)*rtt), "overhead-ms")
}

func milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
