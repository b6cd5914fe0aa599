package graph

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"jobgraph/graph/live"
	"jobgraph/graph/loader"
	"jobgraph/internal/safely"
	"jobgraph/restclient"
)

// LiveConfig configures subscriptions; without a Hub the gateway serves none.
type LiveConfig struct {
	Hub *live.Hub
	// MaxSubscriptionsPerConnection bounds one WebSocket's subscriptions; 0
	// means DefaultMaxSubscriptionsPerConnection. An SSE stream is one.
	MaxSubscriptionsPerConnection int
	// AllowedOrigins are the origins, as host patterns (path.Match), whose
	// pages may open a WebSocket besides the gateway's own.
	AllowedOrigins []string
	// KeepAlive is the interval of pings on idle streams; 0 means 15 s.
	KeepAlive time.Duration
	// InitTimeout bounds the wait for connection_init; 0 means 10 s.
	InitTimeout time.Duration
}

// DefaultMaxSubscriptionsPerConnection bounds one WebSocket's subscriptions.
const DefaultMaxSubscriptionsPerConnection = 100

// closeGoingAway is RFC 6455's 1001: the server is going down. graphql-ws
// reconnects after it, where 1000 would tell it the stream is over.
const closeGoingAway = 1001

// addLiveTransports serves subscriptions on srv: WebSocket
// (graphql-transport-ws, and the older graphql-ws) and Server-Sent Events
// (graphql-sse's distinct connections). They go before the other transports,
// which would take an SSE request for a plain POST.
func addLiveTransports(srv *handler.Server, client *restclient.Client, cfg HandlerConfig) {
	lc := cfg.Live
	if lc.Hub == nil {
		return
	}
	perConnection := cmp.Or(lc.MaxSubscriptionsPerConnection, DefaultMaxSubscriptionsPerConnection)
	keepAlive := cmp.Or(lc.KeepAlive, 15*time.Second)
	srv.AddTransport(transport.Websocket{
		Implementation: closeOnShutdown{
			CoderWebsocketImplementation: transport.CoderWebsocketImplementation{
				AcceptOptions: websocket.AcceptOptions{OriginPatterns: lc.AllowedOrigins},
			},
			shutdown: lc.Hub.Closed(),
		},
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			ctx, err := credentialsFromInit(ctx, payload)
			if err != nil {
				return ctx, nil, err
			}
			return withConnection(ctx, perConnection), nil, nil
		},
		InitTimeout:           cmp.Or(lc.InitTimeout, 10*time.Second),
		KeepAlivePingInterval: keepAlive,
		PingPongInterval:      keepAlive,
	})
	srv.AddTransport(eventStream{SSE: transport.SSE{KeepAlivePingInterval: keepAlive}, shutdown: lc.Hub.Closed()})
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if graphql.GetOperationContext(ctx).Operation.Operation == ast.Subscription {
			ctx = withStreamEnd(ctx)
		}
		return next(ctx)
	})
	// Each event of a subscription is resolved like a query of its own:
	// fresh loaders (nothing cached from an earlier event) and a fresh call
	// budget. The last response carries the error that ended the stream.
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		end := streamEndFrom(ctx)
		if end == nil {
			return next(ctx)
		}
		budget := restclient.NewBudget(cfg.MaxUpstreamCalls, cfg.MaxInFlightPerOperation, callerFrom(ctx))
		resp := next(loader.With(restclient.WithBudget(ctx, budget), cfg.loaders(client)))
		if resp != nil {
			return resp
		}
		field, err := end.take()
		if err == nil {
			return nil
		}
		graphql.AddError(graphql.WithPathContext(ctx, graphql.NewPathWithField(field)), err)
		return &graphql.Response{Errors: graphql.GetErrors(ctx)}
	})
}

// credentialsFromInit reads the caller's token from connection_init's
// payload, under the header names GitLab takes, in GitLab's order; without
// one, the upgrade request's headers stand.
func credentialsFromInit(ctx context.Context, payload transport.InitPayload) (context.Context, error) {
	h := http.Header{}
	for k, v := range payload {
		switch s, _ := v.(string); http.CanonicalHeaderKey(k) {
		case "Authorization", "Private-Token", "Job-Token":
			h.Set(k, s)
		}
	}
	creds, ok, err := restclient.CredentialsFromRequest(&http.Request{Header: h})
	switch {
	case err != nil:
		// As for a plain request: credentials that cannot be used must not
		// leave the connection to the server-wide token.
		return ctx, err
	case !ok:
		return ctx, nil
	}
	return withCaller(restclient.WithCredentials(ctx, creds), &http.Request{}), nil
}

// closeOnShutdown closes each WebSocket with 1001 Going Away when the
// gateway shuts down: http.Server.Shutdown does not see hijacked
// connections, and gqlgen would close them with 1000.
type closeOnShutdown struct {
	transport.CoderWebsocketImplementation
	shutdown context.Context
}

func (c closeOnShutdown) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := c.CoderWebsocketImplementation.Accept(w, r, opts)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(c.shutdown, func() {
		_ = safely.Run(context.Background(), func() error {
			return conn.WriteClose(closeGoingAway, "the gateway is shutting down")
		})
	})
	return &shutdownConn{WebsocketConn: conn, stop: stop}, nil
}

// shutdownConn is a WebSocket that no longer waits for shutdown once closed.
// It keeps the read limit and deadline of the connection it wraps, which
// gqlgen finds by type assertion.
type shutdownConn struct {
	transport.WebsocketConn
	stop func() bool
}

func (c *shutdownConn) Close() error {
	c.stop()
	return c.WebsocketConn.Close()
}

func (c *shutdownConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (c *shutdownConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// eventStream is gqlgen's SSE transport, which speaks graphql-sse's
// distinct connections mode, with what it lacks: a bound on the request
// body, and an end at shutdown without the `complete` event, so that
// graphql-sse's client reconnects instead of taking the stream as done.
type eventStream struct {
	transport.SSE
	shutdown context.Context
}

func (t eventStream) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(t.shutdown, cancel)
	defer stop()
	t.SSE.Do(&cutAtShutdown{ResponseWriter: w, shutdown: t.shutdown}, r.WithContext(ctx), exec)
}

// cutAtShutdown drops what is written once the gateway shuts down.
type cutAtShutdown struct {
	http.ResponseWriter
	shutdown context.Context
}

func (w *cutAtShutdown) Write(p []byte) (int, error) {
	if w.shutdown.Err() != nil {
		return 0, io.ErrClosedPipe
	}
	return w.ResponseWriter.Write(p)
}

func (w *cutAtShutdown) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
