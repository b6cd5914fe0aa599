package loader

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"jobgraph/internal/safely"
	"jobgraph/restclient"
)

// upstream serves h on loopback and returns loaders over it, in the context
// of one operation, with the request counter.
func upstream(t testing.TB, h http.HandlerFunc) (context.Context, *atomic.Int64) {
	t.Helper()
	return upstreamWith(t, New, h)
}

// upstreamWith is upstream with the loaders newLoaders makes.
func upstreamWith(t testing.TB, newLoaders func(*restclient.Client) *Loaders, h http.HandlerFunc) (context.Context, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := restclient.New(restclient.Config{BaseURL: srv.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := restclient.WithCredentials(context.Background(), restclient.Credentials{Kind: restclient.PrivateToken, Token: "t"})
	return With(ctx, newLoaders(c)), &calls
}

// TestFailedLoadsAreNotKept checks the rule Shared follows for loaders too: a
// load that failed is made again when asked for again.
func TestFailedLoadsAreNotKept(t *testing.T) {
	var failed atomic.Bool
	ctx, calls := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		if !failed.Swap(true) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"id": 9, "project_id": 1, "status": "success"}`)
	})
	l := For(ctx)
	if _, err := l.Pipeline(ctx, "1", 9); restclient.KindOf(err) != restclient.KindUpstream {
		t.Fatalf("first load: err = %v, want GitLab's 503", err)
	}
	p, err := l.Pipeline(ctx, "1", 9)
	if err != nil || p.ID != 9 {
		t.Fatalf("second load: %v, %v; want pipeline 9", p, err)
	}
	if _, err := l.Pipeline(ctx, "1", 9); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d calls, want 2: the failure again, the success kept", n)
	}
}

// bridgePages answers every bridges page with one bridge and the given
// pagination headers.
func bridgePages(headers map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		fmt.Fprintf(w, `[{"id": %d, "status": "success", "name": "b", "stage": "s"}]`, page)
	}
}

func TestBridgePagination(t *testing.T) {
	tests := []struct {
		name      string
		headers   map[string]string
		wantCalls int64
	}{
		{"one page", map[string]string{"X-Total-Pages": "1"}, 1},
		{"a next page and no pages in all", map[string]string{"X-Next-Page": "2", "X-Total-Pages": "0"}, 1},
		{"three pages", map[string]string{"X-Next-Page": "2", "X-Total-Pages": "3"}, 3},
		{"more pages than are read", map[string]string{"X-Next-Page": "2", "X-Total-Pages": "5000"}, maxBridgePages},
		{"no total, every page naming page 2", map[string]string{"X-Next-Page": "2"}, 2},
		{"no total, a page naming itself", map[string]string{"X-Next-Page": "1"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, calls := upstream(t, bridgePages(tt.headers))
			bridges, err := For(ctx).Bridges(ctx, "1", 5)
			if err != nil {
				t.Fatal(err)
			}
			if n := calls.Load(); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
			if int64(len(bridges)) != calls.Load() {
				t.Errorf("%d bridges from %d pages", len(bridges), calls.Load())
			}
		})
	}
}

// TestBridgePagesFollowNextPageWithoutTotal walks pages that name their
// successor until the last names none.
func TestBridgePagesFollowNextPageWithoutTotal(t *testing.T) {
	ctx, calls := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page < 4 {
			w.Header().Set("X-Next-Page", strconv.Itoa(page+1))
		}
		fmt.Fprintf(w, `[{"id": %d, "status": "success", "name": "b", "stage": "s"}]`, page)
	})
	bridges, err := For(ctx).Bridges(ctx, "1", 5)
	if err != nil || len(bridges) != 4 || calls.Load() != 4 {
		t.Fatalf("%d bridges in %d calls (err %v), want 4 in 4", len(bridges), calls.Load(), err)
	}
}

// FuzzBridgePagination reads a pipeline's bridges under any pagination
// headers GitLab, or something in its place, might send: no panic, and never
// more than maxBridgePages calls.
func FuzzBridgePagination(f *testing.F) {
	f.Add("1", "2", "150", "0", `<http://x/?page=2>; rel="next"`)
	f.Add("", "2", "", "", "")
	f.Add("1", "-3", "x", "-1", "")
	f.Add("1", "99999999999999999999", "1", "3", "<")
	f.Add("2", "1", "0", "2", `<a>; rel=next, <b>; rel="next"`)
	f.Fuzz(func(t *testing.T, page, next, total, totalPages, link string) {
		headers := map[string]string{"X-Page": page, "X-Next-Page": next, "X-Total": total, "X-Total-Pages": totalPages, "Link": link}
		for k, v := range headers {
			if !validHeaderValue(v) {
				delete(headers, k)
			}
		}
		ctx, calls := upstream(t, bridgePages(headers))
		if _, err := For(ctx).Bridges(ctx, "1", 5); err != nil {
			t.Fatalf("headers %q: %v", headers, err)
		}
		if n := calls.Load(); n > maxBridgePages {
			t.Fatalf("headers %q: %d calls, more than %d", headers, n, maxBridgePages)
		}
	})
}

func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < ' ' || v[i] == 0x7f {
			return false
		}
	}
	return true
}

// TestSharedKeepsTheDeadline checks that a shared call, detached from its
// first caller's cancellation, still ends by the operation's deadline.
func TestSharedKeepsTheDeadline(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(operation(), deadline)
	defer cancel()
	got, err := Shared(ctx, "k", func(ctx context.Context) (time.Time, error) {
		d, _ := ctx.Deadline()
		return d, nil
	})
	if err != nil || !got.Equal(deadline) {
		t.Errorf("the shared call's deadline is %v (err %v), want %v", got, err, deadline)
	}
}

// TestSharedRecoversAPanic checks that a panicking shared call fails its
// waiters instead of the process, and is not kept.
func TestSharedRecoversAPanic(t *testing.T) {
	op := operation()
	_, err := Shared(op, "k", func(context.Context) (int, error) { panic("boom") })
	var p *safely.PanicError
	if !errors.As(err, &p) {
		t.Fatalf("err = %v, want the panic as an error", err)
	}
	v, err := Shared(op, "k", func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Errorf("after the panic: %d, %v; want a new call", v, err)
	}
}

// Naive loaders make a call for every load, primed or repeated, and share no
// call: what the gateway would cost GitLab without its loaders.
func TestNaiveLoadersShareNothing(t *testing.T) {
	for _, naive := range []bool{false, true} {
		t.Run(fmt.Sprintf("naive=%t", naive), func(t *testing.T) {
			newLoaders := New
			if naive {
				newLoaders = NewNaive
			}
			ctx, calls := upstreamWith(t, newLoaders, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"id": 9, "project_id": 1, "status": "success"}`)
			})
			l := For(ctx)
			l.PrimeJobs(ctx, "1", []*restclient.Job{{CommonJobFields: restclient.CommonJobFields{ID: 5}}})
			for range 2 {
				if _, err := l.Pipeline(ctx, "1", 9); err != nil {
					t.Fatal(err)
				}
				if _, err := l.Job(ctx, "1", 5); err != nil {
					t.Fatal(err)
				}
				if _, err := Shared(ctx, "list", func(context.Context) (int, error) { calls.Add(1); return 1, nil }); err != nil {
					t.Fatal(err)
				}
			}
			want := int64(2) // the pipeline once, the list once; the job was primed
			if naive {
				want = 6
			}
			if n := calls.Load(); n != want {
				t.Errorf("%d calls, want %d", n, want)
			}
		})
	}
}
