// Package requestlog gives every request an id and writes one structured
// line when it ends: the id (also in the X-Request-Id response header), the
// operation name, the status, the duration, the GitLab calls it cost and its
// outcome. It never writes a token, a query's text or its variables.
package requestlog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Header carries the request id, from a caller that sent a usable one and
// back to every caller.
const Header = "X-Request-Id"

// Outcomes of a GraphQL request.
const (
	Success = "success" // data and no errors
	Partial = "partial" // data and errors
	Failed  = "error"   // errors and no data
	Refused = "refused" // refused before GraphQL ran (a 4xx or 5xx of the HTTP front)
)

// Record is what is known of one request when it ends.
type Record struct {
	ID        string
	Method    string
	Path      string
	Status    int
	Duration  time.Duration
	Operation string // "" when no GraphQL operation ran
	Outcome   string
	// UpstreamCalls counts the HTTP requests sent to GitLab for it.
	UpstreamCalls int
}

// live is a request's record while it runs; GraphQL and the budget fill it.
type live struct {
	mu  sync.Mutex
	rec Record
}

type key struct{}

// SetOperation records the GraphQL operation and its outcome.
func SetOperation(ctx context.Context, name, outcome string) {
	if l, ok := ctx.Value(key{}).(*live); ok {
		l.mu.Lock()
		l.rec.Operation, l.rec.Outcome = name, outcome
		l.mu.Unlock()
	}
}

// AddUpstreamCalls adds n GitLab requests to the request's count.
func AddUpstreamCalls(ctx context.Context, n int) {
	if l, ok := ctx.Value(key{}).(*live); ok {
		l.mu.Lock()
		l.rec.UpstreamCalls += n
		l.mu.Unlock()
	}
}

// ID returns the request's id, "" outside one.
func ID(ctx context.Context) string {
	if l, ok := ctx.Value(key{}).(*live); ok {
		return l.rec.ID
	}
	return ""
}

var usableID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// Middleware names each request, logs it when it ends through logger, and
// hands its record to done (for metrics), when done is not nil.
func Middleware(logger *slog.Logger, done func(Record), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !usableID.MatchString(id) {
			id = newID()
		}
		w.Header().Set(Header, id)
		l := &live{rec: Record{ID: id, Method: r.Method, Path: r.URL.Path}}
		sw := &statusWriter{ResponseWriter: w}
		began := time.Now()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), key{}, l)))

		l.mu.Lock()
		rec := l.rec
		l.mu.Unlock()
		rec.Status, rec.Duration = sw.status(), time.Since(began)
		if rec.Outcome == "" && rec.Status >= 400 {
			rec.Outcome = Refused
		}
		attrs := []slog.Attr{
			slog.String("request_id", rec.ID), slog.String("method", rec.Method), slog.String("path", rec.Path),
			slog.Int("status", rec.Status), slog.Float64("duration_ms", float64(rec.Duration.Microseconds())/1000),
		}
		if rec.Operation != "" || rec.Outcome != "" {
			attrs = append(attrs, slog.String("operation", rec.Operation), slog.String("outcome", rec.Outcome),
				slog.Int("upstream_calls", rec.UpstreamCalls))
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		if done != nil {
			done(rec)
		}
	})
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusWriter remembers the status written. Unwrap lets
// http.ResponseController reach the connection beneath, for WebSocket
// upgrades, flushes of event streams and read deadlines.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// GraphQL is a gqlgen extension that records each operation's name and
// outcome in its request's record.
type GraphQL struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = GraphQL{}

func (GraphQL) ExtensionName() string                   { return "RequestLog" }
func (GraphQL) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse records the outcome of the operation's response.
func (GraphQL) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	name := ""
	if graphql.HasOperationContext(ctx) {
		name = "anonymous"
		if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Name != "" {
			name = op.Name
		}
	}
	SetOperation(ctx, name, outcomeOf(resp))
	return resp
}

func outcomeOf(resp *graphql.Response) string {
	hasData := len(resp.Data) > 0 && string(resp.Data) != "null"
	switch {
	case len(resp.Errors) == 0:
		return Success
	case hasData:
		return Partial
	}
	return Failed
}
