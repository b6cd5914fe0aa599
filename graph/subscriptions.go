package graph

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"jobgraph/graph/globalid"
	"jobgraph/graph/joblog"
	"jobgraph/graph/live"
	"jobgraph/graph/model"
	"jobgraph/internal/safely"
	"jobgraph/restclient"
)

// CodeSubscriptionLimit refuses a subscription past the gateway's bounds.
const CodeSubscriptionLimit = "SUBSCRIPTION_LIMIT_EXCEEDED"

func (r *Resolver) jobUpdated(ctx context.Context, rawID string) (<-chan *model.Job, error) {
	id, sub, err := r.subscribe(ctx, rawID, globalid.TypeJob, live.KindJob, 0)
	if err != nil {
		return nil, err
	}
	return follow(ctx, sub, func(u live.Update) *model.Job { return jobModel(id.ProjectID, u.Job) }), nil
}

func (r *Resolver) pipelineUpdated(ctx context.Context, rawID string) (<-chan *model.Pipeline, error) {
	_, sub, err := r.subscribe(ctx, rawID, globalid.TypePipeline, live.KindPipeline, 0)
	if err != nil {
		return nil, err
	}
	return follow(ctx, sub, func(u live.Update) *model.Pipeline { return pipelineModel(u.Pipeline) }), nil
}

func (r *Resolver) jobLogAppended(ctx context.Context, rawID string, fromByte *int) (<-chan *model.LogText, error) {
	from := 0
	if fromByte != nil {
		from = *fromByte
	}
	if from < 0 {
		return nil, badInput("fromByte must not be negative, got %d", from)
	}
	_, sub, err := r.subscribe(ctx, rawID, globalid.TypeJob, live.KindJobLog, int64(from))
	if err != nil {
		return nil, err
	}
	return follow(ctx, sub, func(u live.Update) *model.LogText {
		c := u.Chunk
		return logText(joblog.Window{Raw: c.Data, From: c.From, To: c.To, Truncated: c.From > 0})
	}), nil
}

// subscribe parses the object's global id and joins the poller of the
// caller and object, within the connection's bound of subscriptions.
func (r *Resolver) subscribe(ctx context.Context, rawID string, want globalid.Type, kind live.Kind, fromByte int64) (globalid.ID, *live.Subscription, error) {
	if r.Live == nil {
		return globalid.ID{}, nil, errors.New("this gateway serves no subscriptions")
	}
	id, err := globalid.Parse(rawID)
	if err != nil {
		return id, nil, err
	}
	if id.Type != want {
		return id, nil, badInput("id %q is not the id of a %s", rawID, want)
	}
	conn := connectionFrom(ctx)
	if !conn.take() {
		return id, nil, limitError(fmt.Sprintf("a connection holds at most %d subscriptions; open another connection or end one", conn.limit))
	}
	var creds *restclient.Credentials
	if c, ok := restclient.CredentialsFrom(ctx); ok {
		creds = &c
	}
	key := live.Key{Caller: callerFrom(ctx), Kind: kind, Project: id.ProjectID, ID: id.ObjectID}
	sub, err := r.Live.Subscribe(key, creds, fromByte)
	var limit *live.LimitError
	switch {
	case errors.As(err, &limit):
		conn.release()
		return id, nil, limitError(limit.Error())
	case err != nil:
		conn.release()
		return id, nil, err
	}
	streamEndFrom(ctx).started(ctx, conn)
	return id, sub, nil
}

func limitError(msg string) error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": CodeSubscriptionLimit}}
}

// follow forwards a subscription's updates, as models, until it ends or the
// client leaves; the reason it ended is left for the last response.
func follow[T any](ctx context.Context, sub *live.Subscription, toModel func(live.Update) *T) <-chan *T {
	out := make(chan *T)
	end := streamEndFrom(ctx)
	go func() {
		defer close(out)
		defer sub.Close()
		err := safely.Run(ctx, func() error {
			for {
				select {
				case <-ctx.Done():
					return nil
				case u, ok := <-sub.Updates():
					if !ok {
						return sub.Err()
					}
					select {
					case out <- toModel(u):
					case <-ctx.Done():
						return nil
					}
				}
			}
		})
		end.finish(err)
	}()
	return out
}

type streamEndKey struct{}

// streamEnd carries why a subscription ended from its resolver to its last
// response: gqlgen ends a stream when the channel closes, so a subscription
// that fails (a job the caller may not see, polls that keep failing) would
// otherwise end as if it had completed. One subscription field per
// operation, as GraphQL requires.
type streamEnd struct {
	mu    sync.Mutex
	field string
	conn  *connectionSlots
	err   error
}

func withStreamEnd(ctx context.Context) context.Context {
	return context.WithValue(ctx, streamEndKey{}, &streamEnd{})
}

func streamEndFrom(ctx context.Context) *streamEnd {
	e, _ := ctx.Value(streamEndKey{}).(*streamEnd)
	return e
}

func (e *streamEnd) started(ctx context.Context, conn *connectionSlots) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.field, e.conn = graphql.GetFieldContext(ctx).Field.Alias, conn
}

func (e *streamEnd) finish(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.err = err
	e.conn.release()
}

// take returns the error that ended the stream, once.
func (e *streamEnd) take() (field string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	err, e.err = e.err, nil
	return e.field, err
}

type connectionKey struct{}

// connectionSlots bounds the subscriptions one connection holds at once.
type connectionSlots struct {
	mu    sync.Mutex
	limit int
	held  int
}

func withConnection(ctx context.Context, limit int) context.Context {
	return context.WithValue(ctx, connectionKey{}, &connectionSlots{limit: limit})
}

// connectionFrom returns the connection's slots; a request that is its own
// connection (an SSE stream) gets slots of its own.
func connectionFrom(ctx context.Context) *connectionSlots {
	if c, ok := ctx.Value(connectionKey{}).(*connectionSlots); ok {
		return c
	}
	return &connectionSlots{limit: 1}
}

func (c *connectionSlots) take() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held >= c.limit {
		return false
	}
	c.held++
	return true
}

func (c *connectionSlots) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held--
}
