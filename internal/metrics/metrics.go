// Package metrics holds jobgraph's Prometheus metrics: GraphQL requests by
// operation and outcome, GitLab calls by route and status (as a
// restclient.Observer), and the Go runtime and process. Labels never carry a
// token or an object id: routes are templates, and operation names are
// bounded (see Operations).
package metrics

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"jobgraph/restclient"
)

// Metrics are one process's metrics, in their own registry.
type Metrics struct {
	registry *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	operations      *Operations

	gitlabRequests *prometheus.CounterVec
	gitlabDuration *prometheus.HistogramVec
	gitlabRetries  *prometheus.CounterVec
	gitlabRefused  *prometheus.CounterVec
	gitlabInFlight prometheus.Gauge
	breakerState   *prometheus.GaugeVec
	dedupHits      *prometheus.CounterVec
}

// New registers jobgraph's metrics and the Go runtime and process
// collectors in a new registry.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry:   reg,
		operations: NewOperations(maxOperationNames),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobgraph_graphql_requests_total",
			Help: "GraphQL requests by operation name and outcome (success, partial, error, refused).",
		}, []string{"operation", "outcome"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "jobgraph_graphql_request_duration_seconds",
			Help:    "Time to answer a GraphQL request, by operation name.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 13),
		}, []string{"operation"}),
		gitlabRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobgraph_gitlab_requests_total",
			Help: "HTTP requests sent to GitLab, retries included, by method, route template and status (0: no answer).",
		}, []string{"method", "route", "status"}),
		gitlabDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "jobgraph_gitlab_request_duration_seconds",
			Help:    "Time of one HTTP exchange with GitLab (for a job log, until its headers), by method and route template.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 13),
		}, []string{"method", "route"}),
		gitlabRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobgraph_gitlab_retries_total",
			Help: "GitLab calls tried again, by method and route template.",
		}, []string{"method", "route"}),
		gitlabRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobgraph_gitlab_refused_total",
			Help: "GitLab requests not sent: budget (the operation's call budget was spent) or circuit_open.",
		}, []string{"reason"}),
		gitlabInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "jobgraph_gitlab_requests_in_flight",
			Help: "HTTP requests to GitLab in flight, open job log streams included.",
		}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "jobgraph_gitlab_circuit_breaker_state",
			Help: "1 for the circuit breaker's current state (closed, half-open, open), 0 for the others.",
		}, []string{"state"}),
		dedupHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobgraph_loader_dedup_hits_total",
			Help: "Loads answered by a call another field of the same operation made, or by an object a list embedded, by loader.",
		}, []string{"loader"}),
	}
	reg.MustRegister(m.requests, m.requestDuration, m.gitlabRequests, m.gitlabDuration, m.gitlabRetries,
		m.gitlabRefused, m.gitlabInFlight, m.breakerState, m.dedupHits,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.BreakerChanged("closed")
	return m
}

// Registry is where the metrics are registered, for other packages'
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Request records one GraphQL request.
func (m *Metrics) Request(operation, outcome string, took time.Duration) {
	name := m.operations.Label(operation)
	m.requests.WithLabelValues(name, outcome).Inc()
	m.requestDuration.WithLabelValues(name).Observe(took.Seconds())
}

// DedupHit records a load answered without a call of its own.
func (m *Metrics) DedupHit(loader string) {
	m.dedupHits.WithLabelValues(loader).Inc()
}

var _ restclient.Observer = (*Metrics)(nil)

// RequestDone implements restclient.Observer.
func (m *Metrics) RequestDone(method, route string, status int, took time.Duration) {
	m.gitlabRequests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.gitlabDuration.WithLabelValues(method, route).Observe(took.Seconds())
}

// Retrying implements restclient.Observer.
func (m *Metrics) Retrying(method, route string) {
	m.gitlabRetries.WithLabelValues(method, route).Inc()
}

// Refused implements restclient.Observer.
func (m *Metrics) Refused(_, _ string, cause error) {
	reason := "budget"
	if cause == restclient.ErrCircuitOpen {
		reason = "circuit_open"
	}
	m.gitlabRefused.WithLabelValues(reason).Inc()
}

// InFlight implements restclient.Observer.
func (m *Metrics) InFlight(delta int) { m.gitlabInFlight.Add(float64(delta)) }

// BreakerChanged implements restclient.Observer.
func (m *Metrics) BreakerChanged(state string) {
	for _, s := range []string{"closed", "half-open", "open"} {
		v := 0.0
		if s == state {
			v = 1
		}
		m.breakerState.WithLabelValues(s).Set(v)
	}
}

// maxOperationNames bounds the operation names that get a label of their own.
const maxOperationNames = 200

// Operations turns operation names into label values of bounded
// cardinality: unnamed operations are "anonymous"; a name that is not a
// GraphQL name, or any name past the first limit distinct ones, is "other".
type Operations struct {
	limit int
	mu    sync.Mutex
	seen  map[string]bool
}

// NewOperations keeps up to limit names.
func NewOperations(limit int) *Operations {
	return &Operations{limit: limit, seen: map[string]bool{}}
}

var graphQLName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,99}$`)

// Label is the label value for the operation named name.
func (o *Operations) Label(name string) string {
	switch {
	case name == "":
		return "anonymous"
	case !graphQLName.MatchString(name):
		return "other"
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.seen[name] {
		if len(o.seen) >= o.limit {
			return "other"
		}
		o.seen[name] = true
	}
	return name
}

// LiveStats is what the subscriptions' pollers report of themselves.
type LiveStats struct {
	Subscriptions, Pollers int // now
	PollersStarted, Polls  int // since the process started
	// Calls counts the pollers' GitLab requests by route template.
	Calls map[string]int64
}

// WatchLive exports the subscriptions' figures, read from stats at each
// scrape.
func (m *Metrics) WatchLive(stats func() LiveStats) {
	m.registry.MustRegister(liveCollector{stats: stats})
}

var (
	subscriptionsDesc  = prometheus.NewDesc("jobgraph_subscriptions_active", "Subscriptions served now, over both transports.", nil, nil)
	pollersDesc        = prometheus.NewDesc("jobgraph_pollers_active", "Pollers running now: one per caller's token hash and object, however many subscriptions share it.", nil, nil)
	pollersStartedDesc = prometheus.NewDesc("jobgraph_pollers_started_total", "Pollers started.", nil, nil)
	pollsDesc          = prometheus.NewDesc("jobgraph_polls_total", "Polls the pollers made.", nil, nil)
	pollCallsDesc      = prometheus.NewDesc("jobgraph_poll_gitlab_requests_total", "GitLab requests the pollers made, by route template.", []string{"route"}, nil)
)

// liveCollector reads the pollers' figures when Prometheus scrapes.
type liveCollector struct{ stats func() LiveStats }

func (liveCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{subscriptionsDesc, pollersDesc, pollersStartedDesc, pollsDesc, pollCallsDesc} {
		ch <- d
	}
}

func (c liveCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(subscriptionsDesc, prometheus.GaugeValue, float64(st.Subscriptions))
	ch <- prometheus.MustNewConstMetric(pollersDesc, prometheus.GaugeValue, float64(st.Pollers))
	ch <- prometheus.MustNewConstMetric(pollersStartedDesc, prometheus.CounterValue, float64(st.PollersStarted))
	ch <- prometheus.MustNewConstMetric(pollsDesc, prometheus.CounterValue, float64(st.Polls))
	for route, n := range st.Calls {
		ch <- prometheus.MustNewConstMetric(pollCallsDesc, prometheus.CounterValue, float64(n), route)
	}
}
