package bench

import (
	"testing"
	"time"
)

// BenchmarkGateway100Jobs measures the 100-jobs query through the gateway
// with an upstream that answers at once: the gateway's own cost.
func BenchmarkGateway100Jobs(b *testing.B) {
	s := newStack(b, 0)
	measure(b, "queries/s", func() error {
		_, err := s.query(jobs100)
		return err
	})
}

// BenchmarkREST100Jobs is the baseline: the same 100 jobs fetched and decoded
// straight from the REST API.
func BenchmarkREST100Jobs(b *testing.B) {
	s := newStack(b, 0)
	measure(b, "requests/s", s.restOp(100))
}

// measure runs op from one caller, then from several at once (RunParallel's
// GOMAXPROCS goroutines), reporting allocations and throughput in unit.
func measure(b *testing.B, unit string, op func() error) {
	if err := op(); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	})
}

// BenchmarkGatewayOverREST100Jobs alternates one REST request and one gateway
// query, so both see the same machine load, and reports each one's mean time
// and gateway/rest: the ratio to compare between runs on a shared machine.
func BenchmarkGatewayOverREST100Jobs(b *testing.B) {
	s := newStack(b, 0)
	rest := s.restOp(100)
	if err := rest(); err != nil {
		b.Fatal(err)
	}
	if _, err := s.query(jobs100); err != nil {
		b.Fatal(err)
	}
	var restTime, gateway time.Duration
	for b.Loop() {
		start := time.Now()
		if err := rest(); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := s.query(jobs100); err != nil {
			b.Fatal(err)
		}
		restTime += mid.Sub(start)
		gateway += time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(restTime.Microseconds())/n, "rest-µs/req")
	b.ReportMetric(float64(gateway.Microseconds())/n, "gateway-µs/query")
	b.ReportMetric(float64(gateway)/float64(restTime), "gateway/rest")
}
