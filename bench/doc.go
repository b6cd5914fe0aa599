// Package bench measures the gateway against gitlabsim on loopback HTTP and
// holds the efficiency tests that pin the upstream cost of the measured
// queries, so a benchmark's shape cannot change without a failing test.
//
// # Running
//
// The tests (call counts only, no timing) run with the rest of the tree:
//
//	go test -race ./bench/
//
// Throughput at zero upstream latency, with the default benchtime:
//
//	go test -run xxx -bench '100Jobs' -benchmem ./bench/
//
// Latency at 50 ms upstream latency; every operation takes at least one
// upstream round trip per query level, so fix the iteration count:
//
//	go test -run xxx -bench Latency50ms -benchmem -benchtime=20x ./bench/
//
// # Reading the results
//
// BenchmarkGateway100Jobs and BenchmarkREST100Jobs answer the same 100 jobs
// with the same fields, through the gateway and straight from the REST API as
// a hand-written frontend would; serial is one caller, parallel is several at
// once. Their absolute numbers move with the machine's load, so
// BenchmarkGatewayOverREST100Jobs runs both in alternation and reports
// gateway/rest, the cost of one query relative to one REST request measured
// under the same conditions: compare that ratio between runs, not ns/op.
//
// BenchmarkGatewayLatency50ms runs three query depths at two page sizes:
// page20 (20 jobs, GitLab's and the gateway's default page, what a dashboard
// or a merge request widget shows) and page100 (100 jobs, the largest page;
// GitLab sends 270 KB of job entities for it). depth1 is the job list; depth2
// the job list, then every distinct pipeline at once; depth3 the project, its
// pipelines, then every pipeline's jobs at once. It reports ms/query,
// upstream-ms (one measured round trip to the simulator: the configured 50 ms
// plus the Go runtime's timer granularity and loopback HTTP) and overhead-ms,
// the time a query takes beyond one such round trip per level. The product's
// target is overhead-ms ≤ 5: a larger number means the gateway serialises
// calls that could run together, waits before dispatching a level, queues on
// its connection pool, or spends that long processing the data. The rest
// sub-benchmarks read the depth1 page straight from the REST API, as a
// hand-written frontend would; their overhead-ms is what moving and decoding
// the page costs with no gateway in between.
package bench
