package metrics

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"jobgraph/restclient"
)

// scrape serves m's metrics and parses them as Prometheus does.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	return families
}

// value is the value of the sample of family with the given labels.
func value(t *testing.T, families map[string]*dto.MetricFamily, family string, labels map[string]string) float64 {
	t.Helper()
	f, ok := families[family]
	if !ok {
		t.Fatalf("no family %s", family)
	}
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if fmt.Sprint(got) != fmt.Sprint(labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	t.Fatalf("no sample of %s with %v", family, labels)
	return 0
}

func TestMetricsAreScrapedAndParsed(t *testing.T) {
	m := New()
	m.Request("RecentJobs", "success", 20*time.Millisecond)
	m.Request("", "partial", time.Millisecond)
	m.RequestDone("GET", restclient.RouteProjectJobs, 200, 10*time.Millisecond)
	m.RequestDone("GET", restclient.RouteProjectJobs, 0, time.Second)
	m.Retrying("GET", restclient.RouteProjectJobs)
	m.Refused("GET", restclient.RouteJob, restclient.ErrCallBudget)
	m.Refused("GET", restclient.RouteJob, restclient.ErrCircuitOpen)
	m.InFlight(1)
	m.InFlight(1)
	m.InFlight(-1)
	m.BreakerChanged("open")
	m.DedupHit("pipelines")

	f := scrape(t, m)
	checks := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"jobgraph_graphql_requests_total", map[string]string{"operation": "RecentJobs", "outcome": "success"}, 1},
		{"jobgraph_graphql_requests_total", map[string]string{"operation": "anonymous", "outcome": "partial"}, 1},
		{"jobgraph_graphql_request_duration_seconds", map[string]string{"operation": "RecentJobs"}, 1},
		{"jobgraph_gitlab_requests_total", map[string]string{"method": "GET", "route": restclient.RouteProjectJobs, "status": "200"}, 1},
		{"jobgraph_gitlab_requests_total", map[string]string{"method": "GET", "route": restclient.RouteProjectJobs, "status": "0"}, 1},
		{"jobgraph_gitlab_request_duration_seconds", map[string]string{"method": "GET", "route": restclient.RouteProjectJobs}, 2},
		{"jobgraph_gitlab_retries_total", map[string]string{"method": "GET", "route": restclient.RouteProjectJobs}, 1},
		{"jobgraph_gitlab_refused_total", map[string]string{"reason": "budget"}, 1},
		{"jobgraph_gitlab_refused_total", map[string]string{"reason": "circuit_open"}, 1},
		{"jobgraph_gitlab_requests_in_flight", map[string]string{}, 1},
		{"jobgraph_gitlab_circuit_breaker_state", map[string]string{"state": "open"}, 1},
		{"jobgraph_gitlab_circuit_breaker_state", map[string]string{"state": "closed"}, 0},
		{"jobgraph_loader_dedup_hits_total", map[string]string{"loader": "pipelines"}, 1},
	}
	for _, c := range checks {
		if got := value(t, f, c.family, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.family, c.labels, got, c.want)
		}
	}
	for _, runtime := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := f[runtime]; !ok {
			t.Errorf("no %s", runtime)
		}
	}
}

func TestOperationLabelsAreBounded(t *testing.T) {
	o := NewOperations(2)
	for _, c := range [][2]string{{"", "anonymous"}, {"A", "A"}, {"B", "B"}, {"C", "other"}, {"A ", "other"}, {"1x", "other"}} {
		if got := o.Label(c[0]); got != c[1] {
			t.Errorf("Label(%q) = %q, want %q", c[0], got, c[1])
		}
	}
	if got := o.Label("A"); got != "A" {
		t.Errorf("a name seen before lost its label: %q", got)
	}
	if got := o.Label(strings.Repeat("a", 101)); got != "other" {
		t.Errorf("a 101-byte name kept its label: %q", got)
	}
}
