package restclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/go-json-experiment/json"

	"jobgraph/internal/textcut"
)

// request is one REST call before credentials and retries are applied.
type request struct {
	method string
	route  string // template for errors and metrics, e.g. "/projects/:id/jobs/:job_id"
	path   string // escaped path below /api/v4
	query  url.Values
	body   any // JSON-encoded when non-nil
	creds  credentialPolicy
	stream bool // the caller reads the body (job log) instead of a JSON decode
}

// credentialPolicy says where a call's credentials may come from.
type credentialPolicy int

const (
	callerOrFallback credentialPolicy = iota // the context's, else the configured fallback, else none
	callerOnly                               // the context's, never the fallback: actions and "who am I"
	callerJobToken                           // the context's, which must be a JOB-TOKEN
)

// decodeFunc decodes a success body read straight from the connection. It
// must reset what it decodes into, as a GET may be attempted more than once.
type decodeFunc func(io.Reader) error

// errAttemptTimeout is the cancel cause when Config.Timeout ends an attempt,
// told apart from the caller's own deadline because only it may be retried.
var errAttemptTimeout = fmt.Errorf("attempt timed out: %w", context.DeadlineExceeded)

// fail builds an *Error for req.
func (req *request) fail(kind ErrorKind, status int, msg string, cause error) *Error {
	return &Error{Kind: kind, StatusCode: status, Message: msg, Method: req.method, Route: req.route, Err: cause}
}

// credentials picks the credentials of one call.
func (c *Client) credentials(ctx context.Context, req *request) (*Credentials, error) {
	creds, ok := CredentialsFrom(ctx)
	switch {
	case req.creds == callerJobToken && (!ok || creds.Kind != JobToken):
		return nil, req.fail(KindUnauthenticated, 0, "this route needs the caller's JOB-TOKEN credentials", nil)
	case req.creds == callerOnly && !ok:
		return nil, req.fail(KindUnauthenticated, 0, "this route needs the caller's own credentials", nil)
	case ok && !creds.valid():
		return nil, req.fail(KindUnauthenticated, 0, "credentials need a known kind and a token of visible ASCII", nil)
	case ok:
		return &creds, nil
	default:
		return c.fallback, nil
	}
}

// execute runs req, retrying GETs, and returns GitLab's response. For JSON
// routes decode consumes the body; for streams the open body is returned.
func (c *Client) execute(ctx context.Context, req *request, decode decodeFunc) (*Response, io.ReadCloser, error) {
	creds, err := c.credentials(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	target, err := c.url(req.path, req.query)
	if err != nil {
		return nil, nil, req.fail(KindBadRequest, 0, "invalid request path", err)
	}
	var payload []byte
	if req.body != nil {
		if payload, err = json.Marshal(req.body); err != nil {
			return nil, nil, req.fail(KindBadRequest, 0, "encoding the request body", err)
		}
	}

	type outcome struct {
		resp *Response
		body io.ReadCloser
	}
	var last *Error
	tried := 0
	operation := func() (outcome, error) {
		if tried++; tried > 1 {
			c.observer.Retrying(req.method, req.route)
		}
		resp, body, err := c.attempt(ctx, req, target, payload, creds, decode)
		if err != nil {
			last = err
			return outcome{resp: resp}, c.retryable(ctx, req, err)
		}
		return outcome{resp: resp, body: body}, nil
	}
	tries := uint(1)
	if req.method == http.MethodGet {
		tries += uint(c.maxRetries)
	}
	out, err := backoff.Retry(ctx, operation,
		backoff.WithBackOff(c.newBackOff()),
		backoff.WithMaxTries(tries),
		backoff.WithMaxElapsedTime(untilDeadline(ctx)))
	if err != nil {
		return out.resp, nil, finalError(err, last)
	}
	return out.resp, out.body, nil
}

// untilDeadline is the time left before ctx's deadline, as a limit for
// backoff.Retry: it gives up with the last error instead of starting a wait
// (backoff or Retry-After) that would end past the deadline. 0, which means
// no limit, when ctx has no deadline.
func untilDeadline(ctx context.Context) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok {
		return 0
	}
	return max(time.Until(deadline), time.Nanosecond)
}

func (c *Client) newBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = c.retryBaseWait
	b.Multiplier = 2
	b.MaxInterval = 8 * c.retryBaseWait
	return b
}

// finalError turns what backoff.Retry gave up with into an *Error. Retry
// answers with the bare context error when the caller's context ends while
// waiting between attempts; the last attempt's error, GitLab's own answer,
// says more about why the call failed.
func finalError(err error, last *Error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return last
}

func contextError(ctx context.Context, req *request, err error) *Error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return req.fail(KindTimeout, 0, "deadline exceeded", err)
	}
	return req.fail(KindTransport, 0, "call canceled", err)
}

// retryAfterHint carries GitLab's Retry-After to backoff.Retry, which waits
// that long instead of its own interval, while keeping the *Error in the chain.
type retryAfterHint struct {
	err  *Error
	wait backoff.RetryAfterError
}

func (h *retryAfterHint) Error() string   { return h.err.Error() }
func (h *retryAfterHint) Unwrap() []error { return []error{h.err, &h.wait} }

// retryable decides whether a failed attempt is tried again: only GETs, only
// on 429, transient statuses (transientStatus), connection failures and
// timeouts. A Retry-After (429 or 503) is waited when it fits MaxRetryWait and
// ends the call when it does not. Waits past the caller's deadline are refused
// by untilDeadline.
func (c *Client) retryable(ctx context.Context, req *request, err *Error) error {
	if req.method != http.MethodGet || ctx.Err() != nil {
		return backoff.Permanent(err)
	}
	switch {
	case err.RetryAfter > c.maxRetryWait:
		return backoff.Permanent(err)
	case err.RetryAfter > 0:
		return &retryAfterHint{err: err, wait: backoff.RetryAfterError{Duration: err.RetryAfter}}
	case err.Kind == KindRateLimited,
		err.Kind == KindTransport,
		err.Kind == KindTimeout,
		transientStatus[err.StatusCode]:
		return err
	default:
		return backoff.Permanent(err)
	}
}

// attempt performs one HTTP exchange within Config.Timeout, once the
// operation's budget, the caller's slots and the circuit breaker allow it. A JSON body is
// decoded inside the attempt so the timeout covers it; a stream's timeout ends
// when the headers arrive, after which Config.StreamIdleTimeout and the
// caller's context govern.
func (c *Client) attempt(ctx context.Context, req *request, target *url.URL, payload []byte, creds *Credentials, decode decodeFunc) (*Response, io.ReadCloser, *Error) {
	release, failure := c.admit(ctx, req)
	if failure != nil {
		if errors.Is(failure, ErrCallBudget) {
			c.observer.Refused(req.method, req.route, ErrCallBudget)
		}
		return nil, nil, failure
	}
	health, refused := c.breaker.allow(req)
	if refused != nil {
		release()
		c.observer.Refused(req.method, req.route, ErrCircuitOpen)
		return nil, nil, refused
	}
	c.observer.InFlight(1)
	started := time.Now()
	resp, body, err := c.exchange(ctx, req, target, payload, creds, decode, func() {
		c.observer.InFlight(-1)
		release()
	})
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	health(ctx, err)
	c.observer.RequestDone(req.method, req.route, status, time.Since(started))
	return resp, body, err
}

// exchange sends one HTTP request and reads its answer; release is called
// once the exchange is over (for a stream, when it is closed).
func (c *Client) exchange(ctx context.Context, req *request, target *url.URL, payload []byte, creds *Credentials, decode decodeFunc, release func()) (*Response, io.ReadCloser, *Error) {
	actx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(c.timeout, func() { cancel(errAttemptTimeout) })
	done := func() {
		timer.Stop()
		cancel(nil)
		release()
	}

	hreq, err := c.newHTTPRequest(actx, req, target, payload, creds)
	if err != nil {
		done()
		return nil, nil, req.fail(KindBadRequest, 0, "building the request", err)
	}
	hresp, err := c.http.Do(hreq)
	if err != nil {
		e := transportError(ctx, actx, req, err)
		done()
		return nil, nil, e
	}
	resp := newResponse(hresp)
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		e := statusError(req, hresp, creds)
		drainClose(hresp.Body)
		done()
		return resp, nil, e
	}
	if req.stream {
		if !timer.Stop() {
			drainClose(hresp.Body)
			done()
			return resp, nil, req.fail(KindTimeout, hresp.StatusCode, "timed out before the log started", errAttemptTimeout)
		}
		stream := newStreamBody(ctx, actx, cancel, req, hresp, c.streamIdleTimeout, release)
		resp.Body = stream
		return resp, stream, nil
	}
	defer done()
	body := &successBody{r: hresp.Body, left: c.maxBody}
	if err := decode(body); err != nil {
		drainClose(hresp.Body)
		switch {
		case actx.Err() != nil:
			return resp, nil, transportError(ctx, actx, req, err)
		case errors.Is(body.err, errBodyTooLarge):
			return resp, nil, req.fail(KindMalformed, hresp.StatusCode, "response body too large", body.err)
		case body.err != nil:
			return resp, nil, req.fail(KindTransport, hresp.StatusCode, "reading the response body", body.err)
		default:
			return resp, nil, req.fail(KindMalformed, hresp.StatusCode, "response body is not the expected JSON", err)
		}
	}
	drainClose(hresp.Body)
	return resp, nil, nil
}

// maxSuccessBody bounds a JSON answer: a page of 100 jobs is well under a
// megabyte, so anything near this is not an answer GitLab meant to give.
const maxSuccessBody = 64 << 20

// errBodyTooLarge is the read error once a body passes Client.maxBody.
var errBodyTooLarge = fmt.Errorf("body exceeds %d bytes", maxSuccessBody)

// successBody reads a JSON answer of at most left bytes and keeps the first
// read error other than io.EOF, telling a body cut short by the connection (a
// transport failure, worth retrying) from a complete body that is not the
// promised JSON.
type successBody struct {
	r    io.Reader
	left int64
	err  error
}

func (b *successBody) Read(p []byte) (int, error) {
	// One byte beyond the bound tells "exactly at the bound" from "more".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		err = errBodyTooLarge
	}
	if err != nil && b.err == nil && !errors.Is(err, io.EOF) {
		b.err = err
	}
	return n, err
}

func (c *Client) newHTTPRequest(ctx context.Context, req *request, target *url.URL, payload []byte, creds *Credentials) (*http.Request, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	hreq, err := http.NewRequestWithContext(context.WithValue(ctx, routeKey{}, req.route), req.method, target.String(), body)
	if err != nil {
		return nil, err
	}
	hreq.URL = target
	// net/http re-sends an idempotent request that failed on a reused
	// connection, once for every broken connection its pool holds: 67
	// requests for one call when GitLab reset a warm pool. Retries are this
	// package's alone, bounded and charged to the budget, so a GET carries
	// a body that net/http cannot replay (not http.NoBody, no GetBody); it
	// finds the body empty, with one read in a short-lived goroutine of its
	// own, and sends none. POSTs are never replayed once written, as they
	// are not idempotent.
	if req.method == http.MethodGet {
		hreq.Body = noReplay{}
	}
	hreq.Header.Set("User-Agent", c.userAgent)
	if !req.stream {
		hreq.Header.Set("Accept", "application/json")
	}
	if payload != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if creds != nil {
		creds.apply(hreq.Header)
	}
	return hreq, nil
}

type routeKey struct{}

// RouteOf returns the route template of a request this package sends, such
// as "/projects/:id/jobs", for a wrapping transport (Config.WrapTransport);
// "" for other requests.
func RouteOf(r *http.Request) string {
	route, _ := r.Context().Value(routeKey{}).(string)
	return route
}

// noReplay is the empty body of a GET; see newHTTPRequest.
type noReplay struct{}

func (noReplay) Read([]byte) (int, error) { return 0, io.EOF }
func (noReplay) Close() error             { return nil }

// drainClose reads a little of what is left so the connection can be reused,
// then closes the body.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
	_ = body.Close()
}

// transportError classifies a failure with no usable HTTP answer. ctx is the
// caller's, actx the attempt's.
func transportError(ctx, actx context.Context, req *request, err error) *Error {
	if ctx.Err() != nil {
		return contextError(ctx, req, err)
	}
	if errors.Is(context.Cause(actx), errAttemptTimeout) {
		return req.fail(KindTimeout, 0, "no answer within the attempt timeout", errAttemptTimeout)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return req.fail(KindTimeout, 0, "network timeout", err)
	}
	return req.fail(KindTransport, 0, "connection failed", err)
}

// statusError reads GitLab's error answer. The token is scrubbed from the
// message in case an upstream ever echoes a header back, before the message
// is bounded so no cut can leave a piece of it.
func statusError(req *request, resp *http.Response, creds *Credentials) *Error {
	if resp.StatusCode < 400 {
		// Only a redirect sameHostOnly refused ends here: its body is a
		// proxy's page, not GitLab's message.
		return req.fail(KindUpstream, resp.StatusCode, "redirect refused", nil)
	}
	msg := errorMessage(resp.StatusCode, resp.Body)
	if creds != nil {
		msg = strings.ReplaceAll(msg, creds.Token, "[REDACTED]")
	}
	var cause error
	if resp.StatusCode == http.StatusMethodNotAllowed {
		cause = methodNotAllowedCause(msg)
	}
	e := req.fail(kindForStatus(resp.StatusCode), resp.StatusCode, textcut.Cut(msg, maxMessage), cause)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter, _ = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}
