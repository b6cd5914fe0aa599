package tracing

import (
	"cmp"
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// GraphQL is a gqlgen extension that makes a span per operation and one per
// resolver field (the fields that may call GitLab), children of the span of
// the caller's traceparent when it sent one.
type GraphQL struct {
	// Tracer makes the spans; nil takes the global provider's.
	Tracer trace.Tracer
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
} = GraphQL{}

func (GraphQL) ExtensionName() string                   { return "OpenTelemetry" }
func (GraphQL) Validate(graphql.ExecutableSchema) error { return nil }

func (g GraphQL) tracer() trace.Tracer {
	if g.Tracer != nil {
		return g.Tracer
	}
	return otel.Tracer("jobgraph/graph")
}

// InterceptOperation spans the operation, until its one answer for a query
// or mutation and until its stream ends for a subscription.
func (g GraphQL) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	kind, name := "query", ""
	if oc.Operation != nil {
		kind, name = string(oc.Operation.Operation), oc.Operation.Name
	}
	spanName := "graphql." + kind + " " + cmp.Or(name, "anonymous")
	ctx, span := g.tracer().Start(ctx, spanName, trace.WithAttributes(
		attribute.String("graphql.operation.type", kind),
		attribute.String("graphql.operation.name", name),
	))
	respond := next(ctx)
	stream := oc.Operation != nil && oc.Operation.Operation == ast.Subscription
	return func(ctx context.Context) *graphql.Response {
		resp := respond(ctx)
		if resp != nil && len(resp.Errors) > 0 {
			span.SetStatus(codes.Error, resp.Errors[0].Message)
		}
		if resp == nil || !stream {
			span.End()
		}
		return resp
	}
}

// InterceptField spans a resolver field; fields read from the parent's
// model need no span.
func (g GraphQL) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver {
		return next(ctx)
	}
	ctx, span := g.tracer().Start(ctx, fc.Object+"."+fc.Field.Name, trace.WithAttributes(
		attribute.String("graphql.field.path", fc.Path().String()),
	))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	return res, err
}
