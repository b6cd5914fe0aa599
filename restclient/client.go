package restclient

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	BaseURL         string        // GitLab root, e.g. "https://gitlab.example.com" (the client appends /api/v4 unless it ends so)
	HTTPClient      *http.Client  // optional, copied; its Jar is dropped (see sameHostOnly); a nil Transport gets the default, bounded by MaxConnsPerHost
	MaxConnsPerHost int           // default 64; ignored when HTTPClient has its own Transport
	Timeout         time.Duration // per attempt timeout; default 30s (ctx deadline also applies)
	MaxRetries      int           // GET only; default 2; negative disables retries
	MaxRetryWait    time.Duration // longest Retry-After honoured before giving up with RateLimited; default 10s; negative never waits
	Fallback        *Credentials  // optional server-wide token for reads by callers without credentials; copied by New; never used for actions (POST) or CurrentUser
	UserAgent       string
	RetryBaseWait   time.Duration // first backoff interval between retries; default 500ms, jittered ±50%, doubling
	// MaxInFlightPerCaller bounds the requests one caller (see NewBudget)
	// has in flight at once, across its operations, so that one caller
	// cannot take every connection of MaxConnsPerHost; 0 means
	// DefaultMaxInFlightPerCaller, negative no bound.
	MaxInFlightPerCaller int
	// BreakerFailures is how many requests in a row must fail as an unwell
	// GitLab fails (no answer, a timeout, a transient 5xx) before the circuit
	// breaker refuses calls for BreakerCooldown; 0 means
	// DefaultBreakerFailures, negative no breaker.
	BreakerFailures int
	BreakerCooldown time.Duration // default DefaultBreakerCooldown
	// Observer is told of every request, for metrics; nil observes nothing.
	Observer Observer
	// WrapTransport, when set, wraps the transport requests go out through,
	// such as otelhttp.NewTransport for a span per HTTP attempt; RouteOf
	// names a request's route there.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// StreamIdleTimeout ends a job log stream that yields no data for this
	// long, whether GitLab stalls or the reader stops reading; default 60s.
	StreamIdleTimeout time.Duration
}

// Defaults applied by New.
const (
	DefaultMaxConnsPerHost      = 64
	DefaultMaxInFlightPerCaller = 32
	DefaultTimeout              = 30 * time.Second
	DefaultMaxRetries           = 2
	DefaultMaxRetryWait         = 10 * time.Second
	DefaultRetryBaseWait        = 500 * time.Millisecond
	DefaultStreamIdleTimeout    = 60 * time.Second
	DefaultUserAgent            = "jobgraph-restclient"
)

// apiPrefix is where GitLab serves REST API v4 below its root.
const apiPrefix = "/api/v4"

// Client calls GitLab's REST API. It is safe for concurrent use; it holds no
// credentials of its own except the optional fallback.
type Client struct {
	base              url.URL // scheme and host of GitLab; RawPath is the escaped root path + /api/v4
	http              *http.Client
	timeout           time.Duration
	maxRetries        int
	maxRetryWait      time.Duration
	retryBaseWait     time.Duration
	streamIdleTimeout time.Duration
	maxBody           int64 // largest JSON answer read; maxSuccessBody
	fallback          *Credentials
	userAgent         string
	callers           *callerSlots // nil: callers are not bounded
	breaker           *breaker     // nil: no circuit breaker
	observer          Observer
}

// New validates cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Fallback != nil && !cfg.Fallback.valid() {
		return nil, errors.New("restclient: fallback credentials need a known kind and a token of visible ASCII")
	}
	c := &Client{
		base:              base,
		timeout:           orDefault(cfg.Timeout, DefaultTimeout),
		maxRetries:        max(orDefault(cfg.MaxRetries, DefaultMaxRetries), 0),
		maxRetryWait:      max(orDefault(cfg.MaxRetryWait, DefaultMaxRetryWait), 0),
		retryBaseWait:     orDefault(cfg.RetryBaseWait, DefaultRetryBaseWait),
		streamIdleTimeout: orDefault(cfg.StreamIdleTimeout, DefaultStreamIdleTimeout),
		maxBody:           maxSuccessBody,
		userAgent:         cfg.UserAgent,
		callers:           newCallerSlots(orDefault(cfg.MaxInFlightPerCaller, DefaultMaxInFlightPerCaller)),
	}
	if cfg.Fallback != nil {
		// A copy, so changing the caller's value later cannot bypass the
		// validation above.
		fallback := *cfg.Fallback
		c.fallback = &fallback
	}
	if c.timeout < 0 || c.retryBaseWait < 0 || c.streamIdleTimeout < 0 {
		return nil, errors.New("restclient: Timeout, RetryBaseWait and StreamIdleTimeout must not be negative")
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	c.observer = cfg.Observer
	if c.observer == nil {
		c.observer = nopObserver{}
	}
	c.breaker = newBreaker(orDefault(cfg.BreakerFailures, DefaultBreakerFailures), orDefault(cfg.BreakerCooldown, DefaultBreakerCooldown), c.observer.BreakerChanged)
	c.http = sameHostOnly(cfg.HTTPClient, orDefault(cfg.MaxConnsPerHost, DefaultMaxConnsPerHost), base)
	if cfg.WrapTransport != nil {
		c.http.Transport = cfg.WrapTransport(c.http.Transport)
	}
	return c, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func parseBaseURL(raw string) (url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return url.URL{}, fmt.Errorf("restclient: BaseURL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return url.URL{}, fmt.Errorf("restclient: BaseURL %q: want http(s)://host[/path]", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return url.URL{}, fmt.Errorf("restclient: BaseURL %q: must not carry user info, a query or a fragment", u.Redacted())
	}
	// A root given the way other clients take it, ending in /api/v4, names
	// the same GitLab; the prefix is added once.
	root := strings.TrimSuffix(strings.TrimRight(u.EscapedPath(), "/"), apiPrefix) + apiPrefix
	path, err := url.PathUnescape(root)
	if err != nil {
		return url.URL{}, fmt.Errorf("restclient: BaseURL path: %w", err)
	}
	return url.URL{Scheme: u.Scheme, Host: u.Host, Path: path, RawPath: root}, nil
}

// sameHostOnly returns the HTTP client to use: the caller's (copied, so its
// other users are unaffected) or a new one, with a bounded keep-alive pool
// unless the caller's brings its own Transport. Either
// way redirects are followed only within GitLab's own scheme and host: tokens
// travel in custom headers, which net/http would forward to any host. The
// copy keeps no cookie jar: one client serves every caller, so a session
// cookie GitLab sets for one would authenticate the next.
func sameHostOnly(hc *http.Client, maxConns int, base url.URL) *http.Client {
	var client http.Client
	if hc != nil {
		client = *hc
		client.Jar = nil
	}
	if client.Transport == nil {
		client.Transport = boundedTransport(maxConns)
	}
	inner := client.CheckRedirect
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != base.Scheme || req.URL.Host != base.Host {
			return http.ErrUseLastResponse
		}
		if inner != nil {
			return inner(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &client
}

// boundedTransport is net/http's default Transport, built here rather than
// cloned from http.DefaultTransport (which anyone may replace), with the pool
// bounded for the one host it talks to.
func boundedTransport(maxConns int) *http.Transport {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxConnsPerHost:       maxConns,
		MaxIdleConns:          maxConns,
		MaxIdleConnsPerHost:   maxConns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
