// Package admission admits HTTP requests to the GraphQL endpoint before any
// GraphQL work: it refuses, with the statuses GraphQL over HTTP prescribes,
// the methods and media types the endpoint does not serve, and bounds what a
// request's body may cost the server: its size, the time a client may take to
// send it, and the memory all bodies being read hold together. An admitted
// request reaches the next handler with its body in memory and a deadline.
package admission

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"
)

// Codes of the requests admission refuses, in `extensions.code`.
const (
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	CodeBadRequest           = "BAD_REQUEST"
	CodeRequestTooLarge      = "REQUEST_TOO_LARGE"
	CodeRequestTimeout       = "REQUEST_TIMEOUT"
	CodeServerBusy           = "SERVER_BUSY"
)

// Config bounds what one request's admission may cost; a zero field takes
// its default.
type Config struct {
	// MaxBodyBytes bounds a POST body.
	MaxBodyBytes int64
	// BodyReadTimeout bounds the time from the start of a body's reading to
	// its end, waits for memory included.
	BodyReadTimeout time.Duration
	// MaxBodyBytesInFlight bounds the memory the bodies of all requests hold
	// together, from their reading until their answer; at least
	// MaxBodyBytes+1, so that the largest body can be read.
	MaxBodyBytesInFlight int64
	// RequestTimeout is an admitted request's deadline, counted from the end
	// of its body.
	RequestTimeout time.Duration
}

// Defaults of Config.
const (
	DefaultMaxBodyBytes         int64 = 1 << 20
	DefaultBodyReadTimeout            = 10 * time.Second
	DefaultMaxBodyBytesInFlight int64 = 64 << 20
	DefaultRequestTimeout             = 30 * time.Second
)

// minChunk is the memory a body is first given, and the least it grows by:
// most GraphQL requests are a few kilobytes.
const minChunk = 16 << 10

// retryAfterBusy is the Retry-After, in seconds, of a request refused for
// want of memory: bodies in flight are read or timed out within seconds.
const retryAfterBusy = 1

// Handler admits requests to next.
type Handler struct {
	cfg    Config
	memory *semaphore.Weighted
	next   http.Handler
}

// New returns the handler admitting requests to next.
func New(cfg Config, next http.Handler) (*Handler, error) {
	cfg.MaxBodyBytes = cmp.Or(cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	cfg.BodyReadTimeout = cmp.Or(cfg.BodyReadTimeout, DefaultBodyReadTimeout)
	cfg.MaxBodyBytesInFlight = cmp.Or(cfg.MaxBodyBytesInFlight, DefaultMaxBodyBytesInFlight)
	cfg.RequestTimeout = cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout)
	switch {
	case cfg.MaxBodyBytes < 0, cfg.BodyReadTimeout < 0, cfg.RequestTimeout < 0:
		return nil, errors.New("admission limits must not be negative")
	case cfg.MaxBodyBytesInFlight <= cfg.MaxBodyBytes:
		// A body is read into at most MaxBodyBytes+1 bytes, the last one
		// telling a body over the limit.
		return nil, fmt.Errorf("the memory for bodies in flight (%d bytes) must exceed the body limit (%d bytes)",
			cfg.MaxBodyBytesInFlight, cfg.MaxBodyBytes)
	}
	return &Handler{cfg: cfg, memory: semaphore.NewWeighted(cfg.MaxBodyBytesInFlight), next: next}, nil
}

// ServeHTTP admits GET requests and POST requests with an application/json
// body within the limits, and refuses the rest: other methods (405 with
// Allow), other media types (415), bodies over the limit (413, before a
// client that expects 100 Continue sends one), and bodies not sent in time
// (408) or not read for want of memory (503 with Retry-After).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.serve(w, r)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		refuse(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "GraphQL is served over GET and POST")
		return
	}
	if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
		refuse(w, http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "a POST body must be application/json")
		return
	}
	// Go's server sends 100 Continue on a body's first read: a body known to
	// be too large is refused before, so its client never sends it.
	if r.ContentLength > h.cfg.MaxBodyBytes {
		refuseTooLarge(w)
		return
	}
	body, charged, err := h.readBody(w, r)
	if IsStream(r) {
		// A stream's body is read once, when it opens; holding its memory
		// for as long as the stream lasts would starve other requests.
		h.memory.Release(charged)
	} else {
		defer h.memory.Release(charged)
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		refuseTooLarge(w)
		return
	case errors.Is(err, errNoMemory):
		// The rest of the body is not read: the connection cannot carry
		// another request.
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterBusy))
		refuse(w, http.StatusServiceUnavailable, CodeServerBusy, "the server is busy reading other requests; retry shortly")
		return
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The connection's reading timed out: it cannot carry another
		// request.
		w.Header().Set("Connection", "close")
		refuse(w, http.StatusRequestTimeout, CodeRequestTimeout, "the request body was not sent in time")
		return
	case err != nil:
		refuse(w, http.StatusBadRequest, CodeBadRequest, "the request body could not be read")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.serve(w, r)
}

// serve hands an admitted request to next, under its deadline. A stream
// (a WebSocket upgrade, or a Server-Sent Events request) has none: a
// subscription lasts as long as its subscriber wants, bounded by the
// subscription limits instead.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	if IsStream(r) {
		h.next.ServeHTTP(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.RequestTimeout)
	defer cancel()
	h.next.ServeHTTP(w, r.WithContext(ctx))
}

// IsStream reports whether r opens a stream: a WebSocket upgrade, or a
// request for Server-Sent Events.
func IsStream(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// errNoMemory is a body that could not be given memory before its deadline.
var errNoMemory = errors.New("no memory for the request body")

// readBody reads r's body, of at most MaxBodyBytes, within BodyReadTimeout,
// holding the memory it reads into from the bodies in flight: the caller
// releases charged bytes, whatever the error. The buffer grows by doubling,
// as the body arrives, so a body that stalls holds about what it sent.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) (body []byte, charged int64, err error) {
	deadline := time.Now().Add(h.cfg.BodyReadTimeout)
	rc := http.NewResponseController(w)
	// A connection that cannot take a deadline (none that net/http serves)
	// is still bounded by the wait for memory below.
	_ = rc.SetReadDeadline(deadline)
	// Cleared once the body is read, so that nothing later in this request
	// (a hijacked connection) inherits it; Go's server sets its own for the
	// connection's next request. A body left unread keeps it, so that the
	// server's reading of its rest is bounded too.
	defer func() {
		if err == nil {
			_ = rc.SetReadDeadline(time.Time{})
		}
	}()
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()

	src := http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
	limit := h.cfg.MaxBodyBytes + 1 // room for the byte that tells a body too large
	for {
		if len(body) == cap(body) {
			grow := min(max(int64(cap(body)), minChunk), limit-int64(cap(body)))
			if err := h.memory.Acquire(ctx, grow); err != nil {
				return nil, charged, fmt.Errorf("%w: %w", errNoMemory, err)
			}
			charged += grow
			grown := make([]byte, len(body), int64(cap(body))+grow)
			copy(grown, body)
			body = grown
		}
		n, err := src.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		switch {
		case errors.Is(err, io.EOF):
			return body, charged, nil
		case err != nil:
			return nil, charged, fmt.Errorf("reading the request body: %w", err)
		}
	}
}

func refuseTooLarge(w http.ResponseWriter) {
	refuse(w, http.StatusRequestEntityTooLarge, CodeRequestTooLarge, "the request body is larger than the limit")
}

// refuse answers a request error in GraphQL's response form, without data:
// execution never started.
func refuse(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]string{"code": code}}},
	})
}
