// Package paging translates Relay cursor connections onto GitLab's offset
// pagination.
//
// Every list jobgraph pages through is ordered by id, newest first. A cursor
// holds an item's id and the offset it was served at: the offset finds the
// item again in one upstream call when the list did not change, and the id
// keeps the cursor's meaning when it did ("after job 812" is "the jobs with a
// smaller id"), so a client walking a list while GitLab creates new items sees
// every old item exactly once.
//
// The client's page size is independent of GitLab's: each window of offsets is
// read with the per_page that covers it in the fewest, smallest pages, fetched
// concurrently.
package paging

import (
	"context"
	"errors"
	"math"

	"golang.org/x/sync/errgroup"
)

// MaxUpstreamPerPage is GitLab's largest per_page.
const MaxUpstreamPerPage = 100

// maxDriftSteps bounds how far (in upstream pages) a cursor's item is searched
// for when the list moved since the cursor was served.
const maxDriftSteps = 100

var (
	// ErrNeedsTotal is returned for `last` without `before` on a list whose
	// length GitLab does not report (project jobs): finding its end would
	// mean reading the whole list.
	ErrNeedsTotal = errors.New("`last` without `before` needs a list total, which GitLab does not report for this list; page with `first`/`after`, or pass `before`")
	// ErrDrift is returned when a cursor's item moved further than
	// maxDriftSteps pages since the cursor was served.
	ErrDrift = errors.New("the list changed too much since the cursor was served; start again without a cursor")
)

// Page is one upstream page.
type Page[T any] struct {
	Items []T
	// HasNext is true when GitLab named a next page (x-next-page).
	HasNext bool
	// Total is x-total, nil when GitLab did not send it.
	Total *int
}

// FetchFunc fetches one upstream page: page is 1-based, perPage at most
// MaxUpstreamPerPage.
type FetchFunc[T any] func(ctx context.Context, page, perPage int) (Page[T], error)

// Result is one connection page.
type Result[T any] struct {
	Items       []T
	Cursors     []Cursor
	HasNext     bool
	HasPrevious bool
	// Total is GitLab's count of the whole list, nil when it gave none.
	Total *int
}

// Resolve answers req over the list that fetch pages through; id returns an
// item's id, by which the list is ordered descending.
func Resolve[T any](ctx context.Context, req Request, fetch FetchFunc[T], id func(T) int64) (Result[T], error) {
	r := &reader[T]{fetch: fetch, known: map[int]T{}, end: math.MaxInt}
	n := req.Size

	// One prefetch covers the common cases in a single round of calls: the
	// window after the `after` item, or before the `before` item, each with
	// the cursor's own item to confirm it did not move.
	switch {
	case req.Backward && req.Before != nil:
		k := req.Before.Offset
		if err := r.ensure(ctx, max(0, k-n), k+1); err != nil {
			return Result[T]{}, err
		}
	case req.Backward:
		if err := r.ensure(ctx, 0, n); err != nil {
			return Result[T]{}, err
		}
	case req.After != nil:
		k := req.After.Offset
		if err := r.ensure(ctx, k, k+n+1); err != nil {
			return Result[T]{}, err
		}
	default:
		if err := r.ensure(ctx, 0, n); err != nil {
			return Result[T]{}, err
		}
	}

	start := 0
	if req.After != nil {
		afterID := req.After.ID
		s, err := r.locate(ctx, req.After.Offset+1, func(v T) bool { return id(v) < afterID })
		if err != nil {
			return Result[T]{}, err
		}
		start = s
	}
	// stop is the exclusive bound from `before`, -1 while unknown; beforeAt is
	// where the `before` item (or its successor) stands.
	stop, beforeAt := -1, -1
	if req.Before != nil {
		beforeID := req.Before.ID
		b, err := r.locate(ctx, req.Before.Offset, func(v T) bool { return id(v) <= beforeID })
		if err != nil {
			return Result[T]{}, err
		}
		stop, beforeAt = max(b, start), b
	}

	var from, to int
	if req.Backward {
		if stop < 0 {
			length, err := r.length(ctx)
			if err != nil {
				return Result[T]{}, err
			}
			stop = max(length, start)
		}
		from, to = max(start, stop-n), stop
	} else {
		from, to = start, start+n
		if stop >= 0 {
			to = min(to, stop)
		}
	}
	if err := r.ensure(ctx, from, to); err != nil {
		return Result[T]{}, err
	}

	res := Result[T]{Total: r.total}
	for o := from; o < to; o++ {
		v, ok := r.known[o]
		if !ok {
			break
		}
		res.Items = append(res.Items, v)
		res.Cursors = append(res.Cursors, Cursor{ID: id(v), Offset: o})
	}
	end := from + len(res.Items)

	var err error
	if req.Backward {
		res.HasPrevious = from > start || (req.After != nil && start > 0)
		if req.Before != nil {
			res.HasNext, err = r.exists(ctx, beforeAt)
		}
	} else {
		res.HasPrevious = req.After != nil && start > 0
		if stop < 0 || end < stop {
			res.HasNext, err = r.exists(ctx, end)
		}
		if err == nil && req.Before != nil && !res.HasNext {
			res.HasNext, err = r.exists(ctx, beforeAt)
		}
	}
	if err != nil {
		return Result[T]{}, err
	}
	return res, nil
}

// reader is a sparse, request-scoped view of an upstream list by offset.
type reader[T any] struct {
	fetch FetchFunc[T]
	known map[int]T
	// existsBelow: every offset below it holds an item (learnt from x-next-page).
	existsBelow int
	// end: no item at this offset or beyond.
	end   int
	total *int
}

// exists reports whether the list has an item at offset i.
func (r *reader[T]) exists(ctx context.Context, i int) (bool, error) {
	if _, ok := r.known[i]; ok || i < r.existsBelow {
		return true, nil
	}
	if err := r.ensure(ctx, i, i+1); err != nil {
		return false, err
	}
	_, ok := r.known[i]
	return ok || i < r.existsBelow, nil
}

// length finds the list's length from GitLab's total.
func (r *reader[T]) length(ctx context.Context) (int, error) {
	if r.end != math.MaxInt {
		return r.end, nil
	}
	if r.total == nil {
		return 0, ErrNeedsTotal
	}
	t := *r.total
	if err := r.ensure(ctx, max(0, t-1), t+1); err != nil {
		return 0, err
	}
	if r.end == math.MaxInt {
		return 0, ErrDrift
	}
	return r.end, nil
}

// locate finds the smallest offset whose item satisfies pred, which must be
// monotone over the list (false, then true); it returns the list's length when
// none does. hint is where the answer was when the cursor was served.
func (r *reader[T]) locate(ctx context.Context, hint int, pred func(T) bool) (int, error) {
	i := hint
	for step := 0; step < maxDriftSteps; step++ {
		i = min(i, r.end)
		if err := r.ensure(ctx, max(0, i-1), i+1); err != nil {
			return 0, err
		}
		cur, hasCur := r.known[i]
		prev, hasPrev := r.known[i-1]
		switch {
		case hasCur && !pred(cur):
			// The answer lies further on: read the next upstream page's worth.
			if err := r.ensure(ctx, i+1, i+1+MaxUpstreamPerPage); err != nil {
				return 0, err
			}
			for j := i + 1; j <= i+MaxUpstreamPerPage; j++ {
				v, ok := r.known[j]
				if !ok || pred(v) {
					return j, nil
				}
			}
			i += MaxUpstreamPerPage + 1
		case i == 0 || (hasPrev && !pred(prev)):
			return i, nil
		default:
			// Items satisfying pred start earlier (items left the list, or the
			// list ended before i): read backwards.
			lo := max(0, i-MaxUpstreamPerPage)
			if err := r.ensure(ctx, lo, i); err != nil {
				return 0, err
			}
			for j := i - 1; j >= lo; j-- {
				if v, ok := r.known[j]; ok && !pred(v) {
					return j + 1, nil
				}
			}
			if lo == 0 {
				return 0, nil
			}
			i = lo
		}
	}
	return 0, ErrDrift
}

// ensure reads every unknown offset in [from, to) that may hold an item.
func (r *reader[T]) ensure(ctx context.Context, from, to int) error {
	to = min(to, r.end)
	first, last := -1, -1
	for o := from; o < to; o++ {
		if _, ok := r.known[o]; !ok {
			if first < 0 {
				first = o
			}
			last = o
		}
	}
	if first < 0 {
		return nil
	}
	perPage, firstPage, count := choosePages(first, last+1)
	pages := make([]Page[T], count)
	g, gctx := errgroup.WithContext(ctx)
	for i := range pages {
		g.Go(func() error {
			p, err := r.fetch(gctx, firstPage+i, perPage)
			pages[i] = p
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, p := range pages {
		r.absorb((firstPage+i-1)*perPage, perPage, p)
	}
	return nil
}

func (r *reader[T]) absorb(start, perPage int, p Page[T]) {
	if p.Total != nil {
		r.total = p.Total
	}
	for j, v := range p.Items {
		r.known[start+j] = v
	}
	switch {
	case len(p.Items) < perPage:
		r.end = min(r.end, start+len(p.Items))
	case p.HasNext:
		r.existsBelow = max(r.existsBelow, start+perPage+1)
	default:
		r.end = min(r.end, start+perPage)
	}
}

// choosePages picks the per_page and pages that cover offsets [from, to): the
// fewest pages, then the smallest per_page, so a window costs one call where
// one can serve it and carries as few unasked items as possible.
func choosePages(from, to int) (perPage, firstPage, count int) {
	n := to - from
	for k := 1; ; k++ {
		for p := max(1, (n+k-1)/k); p <= MaxUpstreamPerPage; p++ {
			if (to-1)/p-from/p+1 == k {
				return p, from/p + 1, k
			}
		}
	}
}
