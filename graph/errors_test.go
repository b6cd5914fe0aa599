package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"jobgraph/graph/model"
	"jobgraph/graph/paging"
	"jobgraph/restclient"
)

func TestClassify(t *testing.T) {
	upstream := func(kind restclient.ErrorKind, status int, msg string) error {
		return fmt.Errorf("loading job: %w", &restclient.Error{Kind: kind, StatusCode: status, Message: msg,
			Method: "GET", Route: restclient.RouteJob, Err: errors.New("dial tcp 10.0.0.7:443: refused")})
	}
	offsetLimit := func(route string) error {
		return &restclient.Error{Kind: restclient.KindBadRequest, StatusCode: 405, Message: "Offset pagination has a maximum allowed offset of 300",
			Method: "GET", Route: route, Err: &restclient.OffsetLimitError{Limit: 300}}
	}
	cases := []struct {
		err          error
		code, msg    string
		retryAfterOK bool
	}{
		{badInput("pass exactly one of id and fullPath"), CodeBadUserInput, "pass exactly one of id and fullPath", false},
		{fmt.Errorf("jobs: %w", paging.ErrNeedsTotal), CodeBadUserInput, "jobs: " + paging.ErrNeedsTotal.Error(), false},
		{upstream(restclient.KindNotFound, 404, "404 Project Not Found"), CodeNotFound, "404 Project Not Found", false},
		{upstream(restclient.KindForbidden, 403, "403 Forbidden - Job is not retryable"), CodeForbidden, "403 Forbidden - Job is not retryable", false},
		{upstream(restclient.KindUnauthenticated, 401, "401 Unauthorized"), CodeUnauthenticated, "GitLab rejected the request's credentials (401 Unauthorized)", false},
		{upstream(restclient.KindUnauthenticated, 0, "bad token characters"), CodeUnauthenticated, "the request's credentials are malformed", false},
		{offsetLimit(restclient.RouteProjectJobs), CodeBadUserInput, "GitLab serves only the first 300 items of this list by offset; past them, page forward from a page's endCursor", false},
		{offsetLimit(restclient.RouteProjects), CodeBadUserInput, "GitLab serves only the first 300 items of this list by offset", false},
		{upstream(restclient.KindBadRequest, 405, "Keyset pagination is not yet available for this type of request"), CodeBadUserInput, "Keyset pagination is not yet available for this type of request", false},
		{upstream(restclient.KindUpstream, 502, "<html>nginx</html>"), CodeUpstreamError, "GitLab answered with an error", false},
		{upstream(restclient.KindMalformed, 200, "unexpected EOF"), CodeUpstreamError, "GitLab answered with an error", false},
		{upstream(restclient.KindTimeout, 0, ""), CodeUpstreamTimeout, "GitLab did not answer in time", false},
		{&restclient.Error{Kind: restclient.KindRateLimited, StatusCode: 429, RetryAfter: 1500 * time.Millisecond}, CodeRateLimited, "GitLab's rate limit was reached", true},
		{fmt.Errorf("job 7: %w", model.ErrUnknownStatus), CodeUpstreamError, "job 7: " + model.ErrUnknownStatus.Error(), false},
		{context.Canceled, CodeCanceled, "the request was canceled", false},
		{&restclient.Error{Kind: restclient.KindTransport, Message: "call canceled", Err: context.Canceled}, CodeCanceled, "the request was canceled", false},
		{errors.New("nil map write in resolver"), CodeInternal, "internal error", false},
	}
	for _, c := range cases {
		code, msg, ext := classify(c.err)
		if code != c.code || msg != c.msg {
			t.Errorf("classify(%v) = %s %q, want %s %q", c.err, code, msg, c.code, c.msg)
		}
		if c.retryAfterOK && ext["retryAfter"] != 2 {
			t.Errorf("classify(%v) retryAfter = %v, want 2 (seconds, rounded up)", c.err, ext["retryAfter"])
		}
	}
}

func TestNoTokenHint(t *testing.T) {
	anonymous := context.Background()
	authed := restclient.WithCredentials(anonymous, restclient.Credentials{Kind: restclient.PrivateToken, Token: "t"})
	refused := func(kind restclient.ErrorKind, status int) error {
		return fmt.Errorf("loading project: %w", &restclient.Error{Kind: kind, StatusCode: status, Message: "GitLab's words"})
	}
	cases := []struct {
		ctx      context.Context
		err      error
		wantHint bool
	}{
		{anonymous, refused(restclient.KindNotFound, 404), true},
		{anonymous, refused(restclient.KindUnauthenticated, 401), true},
		{authed, refused(restclient.KindNotFound, 404), false},
		{authed, refused(restclient.KindUnauthenticated, 401), false},
		{anonymous, refused(restclient.KindForbidden, 403), false},
		{anonymous, refused(restclient.KindUnauthenticated, 0), false},
		{anonymous, badInput("pass exactly one of id and fullPath"), false},
	}
	for _, c := range cases {
		got := noTokenHint(c.ctx, c.err, "the message")
		if hinted := strings.Contains(got, "no GitLab token was sent"); hinted != c.wantHint || !strings.HasPrefix(got, "the message") {
			t.Errorf("noTokenHint(%v) = %q, want the hint: %v", c.err, got, c.wantHint)
		}
	}
}
