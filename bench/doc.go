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
// BenchmarkGatewayLatency50ms reports ms/query and overhead-ms, the time a
// query takes beyond one 50 ms upstream round trip per level it needs (depth1:
// the job list; depth2: the job list, then every distinct pipeline at once;
// depth3: the project, its pipelines, then every pipeline's jobs at once).
// The product's target is overhead-ms ≤ 5: a larger number means the gateway
// serialises calls that could run together, waits before dispatching a level,
// or queues on its connection pool.
package bench
