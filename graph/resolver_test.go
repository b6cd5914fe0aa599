package graph

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"jobgraph/graph/paging"
	"jobgraph/restclient"
)

// GitLab's refusal of keyset pagination for project jobs is remembered for a
// while, during which jobs are paged by offset alone, and then asked again;
// other refusals are the caller's errors.
func TestJobsKeysetRefusalIsRememberedForAWhile(t *testing.T) {
	refusal := &restclient.Error{Kind: restclient.KindBadRequest, StatusCode: http.StatusMethodNotAllowed,
		Message: "Keyset pagination is not yet available for this type of request", Err: restclient.ErrKeysetUnsupported}
	other := &restclient.Error{Kind: restclient.KindBadRequest, StatusCode: http.StatusMethodNotAllowed,
		Message: "Offset pagination has a maximum allowed offset of 300", Err: &restclient.OffsetLimitError{Limit: 300}}
	answer := error(other)
	read := func(context.Context, string, int) ([]*restclient.Job, string, error) { return nil, "", answer }
	var r Resolver

	src := r.jobsSource(paging.Source[*restclient.Job]{}, read)
	if _, _, err := src.Keyset(context.Background(), "", 20); !errors.Is(err, other) || src.OffsetLimit != paging.GitLabOffsetLimit {
		t.Fatalf("another 405: err = %v, offset limit %d", err, src.OffsetLimit)
	}
	answer = refusal
	if _, _, err := r.jobsSource(paging.Source[*restclient.Job]{}, read).Keyset(context.Background(), "", 20); !errors.Is(err, paging.ErrKeysetUnavailable) {
		t.Fatalf("GitLab's refusal: err = %v, want ErrKeysetUnavailable", err)
	}
	if src := r.jobsSource(paging.Source[*restclient.Job]{}, read); src.Keyset != nil || src.OffsetLimit != 0 {
		t.Fatal("right after the refusal, keyset pagination is still asked for, or offsets limited")
	}
	long := time.Now().Add(-jobsKeysetRetry - time.Second)
	r.noJobsKeysetSince.Store(&long)
	if src := r.jobsSource(paging.Source[*restclient.Job]{}, read); src.Keyset == nil {
		t.Fatal("long after the refusal, keyset pagination is not asked for again")
	}
}
