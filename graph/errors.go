package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"jobgraph/graph/globalid"
	"jobgraph/graph/live"
	"jobgraph/graph/model"
	"jobgraph/graph/paging"
	"jobgraph/internal/textcut"
	"jobgraph/restclient"
)

// Error codes in `extensions.code`, the contract clients branch on.
const (
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
	CodeNotFound        = "NOT_FOUND"
	CodeConflict        = "CONFLICT"
	CodeRateLimited     = "RATE_LIMITED"
	CodeUpstreamTimeout = "UPSTREAM_TIMEOUT"
	CodeUpstreamError   = "UPSTREAM_ERROR"
	CodeInternal        = "INTERNAL_SERVER_ERROR"
	CodeCanceled        = "CANCELED"
	CodeCallLimit       = "UPSTREAM_CALL_LIMIT_EXCEEDED"
	CodeShuttingDown    = "SHUTTING_DOWN"
)

// inputError is a client mistake found by a resolver; its message is shown.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

// errNoCredentials refuses an action of a caller who sent no GitLab token:
// GitLab acts only in a caller's own name.
var errNoCredentials = errors.New("this action needs the caller's GitLab token (Authorization: Bearer, PRIVATE-TOKEN or JOB-TOKEN)")

func badInput(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

// notFoundError is an object the gateway looked for in what GitLab answered
// and did not find; its message is shown.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// PresentError turns a resolver's error into the GraphQL error a client sees:
// the field's path, a code, and a message that names the problem without
// upstream internals. Errors gqlgen made itself (parse, validation) pass as
// they are.
func PresentError(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	gqlErr.Message = textcut.Cut(gqlErr.Message, maxErrorMessage)
	cause := gqlErr.Unwrap()
	if cause == nil {
		return gqlErr
	}
	code, message, ext := classify(cause)
	if code == CodeInternal {
		slog.ErrorContext(ctx, "resolver failed", "path", gqlErr.Path.String(), "error", cause)
	}
	gqlErr.Message = noTokenHint(ctx, cause, message)
	if gqlErr.Extensions == nil {
		gqlErr.Extensions = map[string]any{}
	}
	for k, v := range ext {
		gqlErr.Extensions[k] = v
	}
	gqlErr.Extensions["code"] = code
	return gqlErr
}

// maxErrorMessage bounds an error's message: validation messages quote the
// query's values, and a megabyte literal quoted by each of a hundred errors
// would make a hundred-megabyte answer.
const maxErrorMessage = 1024

// Recover answers a resolver panic with an internal error; the panic is
// logged, never shown.
func Recover(ctx context.Context, v any) error {
	slog.ErrorContext(ctx, "resolver panic", "panic", v, "path", graphql.GetPath(ctx).String())
	return errors.New("internal error")
}

func classify(err error) (code, message string, ext map[string]any) {
	var in *inputError
	var missing *notFoundError
	var rest *restclient.Error
	switch {
	case errors.As(err, &in):
		return CodeBadUserInput, in.msg, nil
	case errors.As(err, &missing):
		return CodeNotFound, missing.msg, nil
	case errors.Is(err, paging.ErrBadArgs), errors.Is(err, paging.ErrNeedsTotal),
		errors.Is(err, paging.ErrOffsetLimit), errors.Is(err, globalid.ErrInvalid):
		return CodeBadUserInput, err.Error(), nil
	case errors.Is(err, errNoCredentials):
		return CodeUnauthenticated, err.Error(), nil
	case errors.Is(err, restclient.ErrCallBudget):
		return CodeCallLimit, err.Error(), nil
	case errors.Is(err, live.ErrShutdown):
		// The subscriber reconnects, to this replica once it is back or to
		// another; nothing failed.
		return CodeShuttingDown, err.Error(), nil
	case errors.Is(err, context.Canceled):
		// The client went away (restclient wraps that as a transport
		// error too); nobody reads this answer.
		return CodeCanceled, "the request was canceled", nil
	case errors.As(err, &rest):
		return classifyUpstream(rest)
	case errors.Is(err, model.ErrUnknownStatus):
		return CodeUpstreamError, err.Error(), nil
	case errors.Is(err, context.DeadlineExceeded):
		return CodeUpstreamTimeout, "GitLab did not answer in time", nil
	}
	return CodeInternal, "internal error", nil
}

func classifyUpstream(e *restclient.Error) (code, message string, ext map[string]any) {
	gitlab := func(fallback string) string {
		if e.Message != "" {
			return e.Message
		}
		return fallback
	}
	var offsetLimit *restclient.OffsetLimitError
	switch e.Kind {
	case restclient.KindBadRequest:
		if errors.As(e, &offsetLimit) {
			// The limit is lower than GitLab's default, which the gateway
			// plans with: say what a GraphQL client can do about it.
			msg := offsetLimit.Error()
			if e.Route == restclient.RouteProjectJobs {
				msg += "; past them, page forward from a page's endCursor"
			}
			return CodeBadUserInput, msg, nil
		}
		return CodeBadUserInput, gitlab("400 Bad request"), nil
	case restclient.KindUnauthenticated:
		if e.StatusCode == 0 {
			return CodeUnauthenticated, "the request's credentials are malformed", nil
		}
		return CodeUnauthenticated, "GitLab rejected the request's credentials (401 Unauthorized)", nil
	case restclient.KindForbidden:
		return CodeForbidden, gitlab("403 Forbidden"), nil
	case restclient.KindNotFound:
		return CodeNotFound, gitlab("404 Not Found"), nil
	case restclient.KindConflict:
		return CodeConflict, gitlab("409 Conflict"), nil
	case restclient.KindRateLimited:
		secs := int(math.Ceil(e.RetryAfter.Seconds()))
		return CodeRateLimited, "GitLab's rate limit was reached", map[string]any{"retryAfter": secs}
	case restclient.KindTimeout:
		return CodeUpstreamTimeout, "GitLab did not answer in time", nil
	}
	return CodeUpstreamError, "GitLab answered with an error", nil
}
