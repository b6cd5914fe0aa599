package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"jobgraph/gitlabsim"
	"jobgraph/internal/redistest"
	"jobgraph/internal/tracing"
)

// gatewayOver serves the gateway, configured by flags, over upstream, and
// logs through logger.
func gatewayOver(t *testing.T, upstream string, logger *slog.Logger, flags ...string) *httptest.Server {
	t.Helper()
	cfg, err := parseGatewayFlags(append([]string{"--gitlab-url", upstream}, flags...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newGatewayHandler(t.Context(), cfg, "", logger)
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(h)
	t.Cleanup(gw.Close)
	return gw
}

// simServer serves a fresh gitlabsim on loopback.
func simServer(t *testing.T) *httptest.Server {
	t.Helper()
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	upstream := httptest.NewServer(sim)
	t.Cleanup(func() { upstream.Close(); sim.Close() })
	return upstream
}

const recentJobs = `query RecentJobs { project(fullPath: "demo-group/platform/web-app") { jobs(first: 3) { nodes { name } } } }`

// post sends a GraphQL request body with the maintainer's token.
func post(t *testing.T, endpoint string, body any, header http.Header) (*http.Response, []byte) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+gitlabsim.TokenMaintainer)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp, answer
}

// TestMetricsAreScraped runs a query and a refused request, then scrapes
// /metrics and parses it with Prometheus' own text parser.
func TestMetricsAreScraped(t *testing.T) {
	gw := gatewayOver(t, simServer(t).URL, slog.New(slog.DiscardHandler))
	if resp, answer := post(t, gw.URL+"/graphql", map[string]any{"query": recentJobs}, nil); resp.StatusCode != 200 || !strings.Contains(string(answer), "nodes") {
		t.Fatalf("query: %d %s", resp.StatusCode, answer)
	}
	twice := `{ project(id: 1) { a: pipeline(id: ` + strconv.Itoa(int(gitlabsim.PipelineFixture)) + `) { status } b: pipeline(id: ` + strconv.Itoa(int(gitlabsim.PipelineFixture)) + `) { duration } } }`
	if resp, answer := post(t, gw.URL+"/graphql", map[string]any{"query": twice}, nil); resp.StatusCode != 200 || strings.Contains(string(answer), "errors") {
		t.Fatalf("query: %d %s", resp.StatusCode, answer)
	}
	resp, err := http.Get(gw.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	has := func(family string, labels map[string]string) bool {
		for _, m := range families[family].GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			match := true
			for k, v := range labels {
				match = match && got[k] == v
			}
			if match {
				return true
			}
		}
		return false
	}
	for family, labels := range map[string]map[string]string{
		"jobgraph_graphql_requests_total":           {"operation": "RecentJobs", "outcome": "success"},
		"jobgraph_gitlab_requests_total":            {"method": "GET", "route": "/projects/:id/jobs", "status": "200"},
		"jobgraph_gitlab_requests_in_flight":        {},
		"jobgraph_gitlab_circuit_breaker_state":     {"state": "closed"},
		"go_goroutines":                             {},
		"process_resident_memory_bytes":             {},
		"jobgraph_graphql_request_duration_seconds": {"operation": "RecentJobs"},
		"jobgraph_loader_dedup_hits_total":          {"loader": "pipelines"},
		"jobgraph_subscriptions_active":             {},
		"jobgraph_pollers_active":                   {},
		"jobgraph_polls_total":                      {},
	} {
		if !has(family, labels) {
			t.Errorf("no %s%v", family, labels)
		}
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), gitlabsim.TokenMaintainer) {
					t.Errorf("%s carries the token in %s", f.GetName(), l.GetName())
				}
			}
		}
	}
}

// TestTracesFollowTheCallersTraceparent sends a query with a W3C
// traceparent and checks the span tree the SDK recorded and the traceparent
// GitLab received.
func TestTracesFollowTheCallersTraceparent(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	previous := otel.GetTracerProvider()
	otel.SetTracerProvider(provider)
	t.Cleanup(func() { otel.SetTracerProvider(previous) })
	for _, v := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		t.Setenv(v, "")
	}
	// With no OTLP endpoint, Setup installs the propagation alone and
	// leaves the test's recorder as the tracer provider.
	if _, _, err := tracing.Setup(t.Context()); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var seen []string
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("traceparent"))
		mu.Unlock()
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { upstream.Close(); sim.Close() })
	cfg, err := parseGatewayFlags([]string{"--gitlab-url", upstream.URL}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.tracing = true
	h, err := newGatewayHandler(t.Context(), cfg, "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(h)
	t.Cleanup(gw.Close)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	caller := http.Header{"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-01"}}
	if resp, answer := post(t, gw.URL+"/graphql", map[string]any{"query": `query Pipelines { project(id: 1) { name pipelines(first: 2) { nodes { duration } } } }`}, caller); resp.StatusCode != 200 {
		t.Fatalf("query: %d %s", resp.StatusCode, answer)
	}
	if err := provider.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := recorder.Ended()
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	names := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		if s.SpanContext().TraceID().String() != traceID {
			t.Errorf("span %q is in trace %s, not the caller's", s.Name(), s.SpanContext().TraceID())
		}
		byID[s.SpanContext().SpanID()] = s
		names[s.Name()] = s
	}
	operation, ok := names["graphql.query Pipelines"]
	if !ok {
		t.Fatalf("no operation span among %d spans", len(spans))
	}
	if _, ok := names["Pipeline.duration"]; !ok {
		t.Error("no span of the resolver that calls GitLab")
	}
	attempt, ok := names["GET /projects/:id/pipelines/:pipeline_id"]
	if !ok {
		t.Fatal("no span of a GitLab HTTP attempt")
	}
	ancestor := func(s sdktrace.ReadOnlySpan, want trace.SpanID) bool {
		for s != nil {
			if s.Parent().SpanID() == want {
				return true
			}
			s = byID[s.Parent().SpanID()]
		}
		return false
	}
	if !ancestor(attempt, operation.SpanContext().SpanID()) {
		t.Error("the GitLab attempt is not below the operation's span")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 || !strings.HasPrefix(seen[0], "00-"+traceID+"-") {
		t.Errorf("GitLab received traceparent %q, want the caller's trace", seen)
	}
}

// apqHash is a query's id in Apollo's automatic persisted queries.
func apqHash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

func persistedQuery(query string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": apqHash(query)}}
}

// getByHash sends Apollo's hash-only GET, as a CDN would cache it.
func getByHash(t *testing.T, endpoint, query string) []byte {
	t.Helper()
	ext, _ := json.Marshal(persistedQuery(query))
	req, _ := http.NewRequest(http.MethodGet, endpoint+"?extensions="+url.QueryEscape(string(ext)), nil)
	req.Header.Set("Authorization", "Bearer "+gitlabsim.TokenMaintainer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return answer
}

// TestAutomaticPersistedQueries follows Apollo's protocol: the hash alone
// answers PERSISTED_QUERY_NOT_FOUND, the hash with the query registers it,
// and then the hash alone runs it, over POST and GET; with Redis, on every
// replica.
func TestAutomaticPersistedQueries(t *testing.T) {
	upstream := simServer(t).URL
	redisURL := redistest.Start(t)
	one := gatewayOver(t, upstream, slog.New(slog.DiscardHandler), "--redis-url", redisURL)
	two := gatewayOver(t, upstream, slog.New(slog.DiscardHandler), "--redis-url", redisURL)
	alone := gatewayOver(t, upstream, slog.New(slog.DiscardHandler))

	_, answer := post(t, one.URL+"/graphql", map[string]any{"extensions": persistedQuery(recentJobs)}, nil)
	if !strings.Contains(string(answer), "PERSISTED_QUERY_NOT_FOUND") {
		t.Fatalf("hash alone, before registering: %s", answer)
	}
	_, answer = post(t, one.URL+"/graphql", map[string]any{"query": recentJobs, "extensions": persistedQuery(recentJobs)}, nil)
	if !strings.Contains(string(answer), `"nodes"`) {
		t.Fatalf("registering: %s", answer)
	}
	_, answer = post(t, one.URL+"/graphql", map[string]any{"extensions": persistedQuery(recentJobs)}, nil)
	if !strings.Contains(string(answer), `"nodes"`) {
		t.Fatalf("hash alone over POST: %s", answer)
	}
	if answer := getByHash(t, two.URL+"/graphql", recentJobs); !strings.Contains(string(answer), `"nodes"`) {
		t.Fatalf("hash alone over GET on the other replica: %s", answer)
	}
	if answer := getByHash(t, alone.URL+"/graphql", recentJobs); !strings.Contains(string(answer), "PERSISTED_QUERY_NOT_FOUND") {
		t.Fatalf("a replica without Redis knew the query: %s", answer)
	}
}

// TestPersistedOnlyRunsTheManifestAlone checks trusted documents.
func TestPersistedOnlyRunsTheManifestAlone(t *testing.T) {
	manifest := filepath.Join(t.TempDir(), "persisted-documents.json")
	if err := os.WriteFile(manifest, []byte(`{"recent-jobs-v1": `+strings.ReplaceAll(string(mustJSON(recentJobs)), "\n", "")+`}`), 0o600); err != nil {
		t.Fatal(err)
	}
	gw := gatewayOver(t, simServer(t).URL, slog.New(slog.DiscardHandler), "--persisted-only", manifest)
	byID := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": "recent-jobs-v1"}}
	if _, answer := post(t, gw.URL+"/graphql", map[string]any{"extensions": byID}, nil); !strings.Contains(string(answer), `"nodes"`) {
		t.Errorf("by id: %s", answer)
	}
	if _, answer := post(t, gw.URL+"/graphql", map[string]any{"query": `{ currentUser { username } }`}, nil); !strings.Contains(string(answer), "PERSISTED_DOCUMENT_REQUIRED") || strings.Contains(string(answer), `"data"`) {
		t.Errorf("another document: %s", answer)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestCORSPreflights checks that allowed origins' preflights are answered
// with the headers frontends send, and other origins' are not.
func TestCORSPreflights(t *testing.T) {
	gw := gatewayOver(t, simServer(t).URL, slog.New(slog.DiscardHandler), "--cors-origins", "https://ci.example.com, https://other.example.com")
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, gw.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		// As browsers send it: lower case, sorted, comma-separated.
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,job-token,private-token,traceparent")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := preflight("https://ci.example.com")
	if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") != "https://ci.example.com" {
		t.Fatalf("allowed origin: %d, allow-origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"authorization", "content-type", "private-token", "job-token", "traceparent"} {
		if !strings.Contains(allowed, h) {
			t.Errorf("preflight does not allow %s: %q", h, allowed)
		}
	}
	if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Error("credentialed requests are allowed: tokens travel in headers, never cookies")
	}
	if resp := preflight("https://evil.example.net"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin was allowed: %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	_, answer := post(t, gw.URL+"/graphql", map[string]any{"query": "{ __typename }"}, http.Header{"Origin": {"https://ci.example.com"}})
	if !strings.Contains(string(answer), "Query") {
		t.Errorf("a cross-origin query: %s", answer)
	}
}

// TestOneLogLinePerRequest checks the JSON request log: an id, also in the
// answer's header, the operation, the GitLab calls, and never the token.
func TestOneLogLinePerRequest(t *testing.T) {
	var out syncBuffer
	gw := gatewayOver(t, simServer(t).URL, newLogger("json", &out))
	resp, _ := post(t, gw.URL+"/graphql", map[string]any{"query": recentJobs}, http.Header{"X-Request-Id": {"req-42"}})
	if resp.Header.Get("X-Request-Id") != "req-42" {
		t.Errorf("X-Request-Id %q", resp.Header.Get("X-Request-Id"))
	}
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace([]byte(out.String())), &line); err != nil {
		t.Fatalf("log %q: %v", out.String(), err)
	}
	for k, want := range map[string]any{"request_id": "req-42", "operation": "RecentJobs", "outcome": "success", "upstream_calls": 1.0, "status": 200.0} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v", k, line[k], want)
		}
	}
	if strings.Contains(out.String(), gitlabsim.TokenMaintainer) {
		t.Error("the log carries the token")
	}
}

// TestReadiness checks /readyz against a live GitLab and a dead one.
func TestReadiness(t *testing.T) {
	up := gatewayOver(t, simServer(t).URL, slog.New(slog.DiscardHandler))
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	down := gatewayOver(t, deadURL, slog.New(slog.DiscardHandler))
	for _, c := range []struct {
		gw   *httptest.Server
		want int
	}{{up, 200}, {down, 503}} {
		resp, err := http.Get(c.gw.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("/readyz = %d, want %d", resp.StatusCode, c.want)
		}
	}
}

// syncBuffer is a bytes.Buffer a logger writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
