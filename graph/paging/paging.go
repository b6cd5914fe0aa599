// Package paging translates Relay cursor connections onto GitLab's offset
// pagination, and onto its keyset pagination where GitLab offers it.
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
// concurrently. On lists with keyset pagination, forward pages from the start
// or after a cursor carrying GitLab's keyset cursor are read by keyset instead
// (see resolveKeyset).
package paging

import (
	"context"
	"errors"
	"fmt"
	"math"

	"golang.org/x/sync/errgroup"

	"jobgraph/internal/safely"
)

// MaxUpstreamPerPage is GitLab's largest per_page.
const MaxUpstreamPerPage = 100

// GitLabOffsetLimit is GitLab's default offset_pagination_limit: on lists
// that also offer keyset pagination (project jobs, projects) it refuses offset
// pages reaching past it.
const GitLabOffsetLimit = 50_000

var (
	// ErrNeedsTotal is returned for `last` without `before` on a list whose
	// length GitLab does not report (project jobs): finding its end would
	// mean reading the whole list.
	ErrNeedsTotal = errors.New("`last` without `before` needs a list total, which GitLab does not report for this list; page with `first`/`after`, or pass `before`")

	// ErrOffsetLimit is returned when the items asked for lie past the
	// list's offset limit, where GitLab serves no offset pages; only cursors
	// served from keyset pages reach there.
	ErrOffsetLimit = fmt.Errorf("GitLab serves only the first %d items of this list by offset", GitLabOffsetLimit)

	// ErrKeysetUnavailable is returned by a KeysetFunc when GitLab does not
	// offer keyset pagination for the list after all (versions before it);
	// Resolve then pages by offset.
	ErrKeysetUnavailable = errors.New("GitLab offers no keyset pagination for this list")
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

// KeysetFunc reads one upstream page by GitLab's keyset pagination: up to
// perPage items after GitLab's cursor (from the list's start when cursor is
// ""), and GitLab's cursor for the items after them, "" on the last page.
type KeysetFunc[T any] func(ctx context.Context, cursor string, perPage int) (items []T, next string, err error)

// Source is an upstream list ordered by id, newest first.
type Source[T any] struct {
	Fetch FetchFunc[T]
	// ID returns an item's id.
	ID func(T) int64
	// OffsetLimit is the first offset GitLab will not page to, 0 when it
	// pages the whole list (see GitLabOffsetLimit).
	OffsetLimit int
	// List names the list, tags its cursors and refuses other lists' (see
	// ListTag); "" where the list cannot be named, which leaves its cursors
	// untagged and takes any.
	List string
	// Keyset, set where GitLab offers keyset pagination, reads forward pages
	// from the list's start or after a cursor carrying GitLab's keyset cursor
	// (see resolveKeyset).
	Keyset KeysetFunc[T]
}

// Resolve answers req over src: forward pages by keyset where src offers it
// and the request allows (see resolveKeyset), everything else by offset, and
// by offset alone, with no limit, where GitLab turns out to have no keyset
// pagination for the list. Past the offset limit, it first asks GitLab (one
// call) whether it has. Cursors of src.List's are tagged with it, and another
// list's cursors refused.
func Resolve[T any](ctx context.Context, req Request, src Source[T]) (Result[T], error) {
	var tag uint32
	if src.List != "" {
		tag = ListTag(src.List)
		for _, c := range []*Cursor{req.After, req.Before} {
			if c != nil && c.List != 0 && c.List != tag {
				return Result[T]{}, errOtherList
			}
		}
	}
	res, err := resolveUntagged(ctx, req, src)
	for i := range res.Cursors {
		res.Cursors[i].List = tag
	}
	return res, err
}

// errOtherList is returned for a cursor served from another list: an id
// there, read here, would be a plausible page of the wrong items.
var errOtherList = fmt.Errorf("%w: the cursor was served from another list", ErrBadArgs)

// resolveUntagged is Resolve once the cursors are known to be the list's.
func resolveUntagged[T any](ctx context.Context, req Request, src Source[T]) (Result[T], error) {
	if src.Keyset == nil {
		return resolveOffset(ctx, req, src)
	}
	if !req.Backward && req.Before == nil && (req.After == nil || req.After.Keyset != "") {
		res, err := resolveKeyset(ctx, req, src)
		if !errors.Is(err, ErrKeysetUnavailable) {
			return res, err
		}
		// GitLab limits offsets only on lists it pages by keyset.
		src.OffsetLimit = 0
	}
	res, err := resolveOffset(ctx, req, src)
	if !errors.Is(err, ErrOffsetLimit) {
		return res, err
	}
	// The limit holds only where GitLab offers keyset pagination: ask.
	if _, _, kerr := src.Keyset(ctx, "", 1); errors.Is(kerr, ErrKeysetUnavailable) {
		src.OffsetLimit = 0
		return resolveOffset(ctx, req, src)
	}
	return res, fmt.Errorf("%w; past them, page forward from a page's endCursor", err)
}

// resolveOffset answers req with offset pages.
func resolveOffset[T any](ctx context.Context, req Request, src Source[T]) (Result[T], error) {
	r := &reader[T]{fetch: src.Fetch, known: map[int]T{}, end: math.MaxInt, limit: math.MaxInt}
	if src.OffsetLimit > 0 {
		r.limit = src.OffsetLimit
	}
	id := src.ID
	n := req.Size

	// One prefetch covers the common cases in a single round of calls: the
	// window after the `after` item, or before the `before` item, each with
	// the cursor's own item to confirm it did not move.
	switch {
	case req.Backward && req.Before != nil:
		k := req.Before.Offset
		if err := r.prefetch(ctx, max(0, k-n), k+1); err != nil {
			return Result[T]{}, err
		}
	case req.Backward:
		if err := r.prefetch(ctx, 0, n); err != nil {
			return Result[T]{}, err
		}
	case req.After != nil:
		k := req.After.Offset
		if err := r.prefetch(ctx, k, k+n+1); err != nil {
			return Result[T]{}, err
		}
	default:
		if err := r.prefetch(ctx, 0, n); err != nil {
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
			length, err := r.length(ctx, n)
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
	if from >= r.limit {
		return Result[T]{}, ErrOffsetLimit
	}
	// A page reaching past the offset limit is cut short there; its
	// hasNextPage stays true and the next page answers ErrOffsetLimit.
	to = min(to, r.limit)
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

	// pageInfo as the Relay specification computes it: the side the page
	// was cut on says whether the slice between the cursors goes on; the
	// other side says whether items exist beyond the cursor.
	var err error
	if req.Backward {
		res.HasPrevious = from > start
		if req.Before != nil {
			res.HasNext, err = r.exists(ctx, beforeAt)
		}
	} else {
		res.HasPrevious = req.After != nil && start > 0
		if stop < 0 || end < stop {
			res.HasNext, err = r.exists(ctx, end)
		}
	}
	if err != nil {
		return Result[T]{}, err
	}
	return res, nil
}

// maxKeysetRounds bounds the GitLab pages read to find where to resume after
// one cursor: its item's page, and at most two more when items before it in
// that page came to match the list's status filter since. One more page may
// then be read to fill the answer.
const maxKeysetRounds = 3

// errKeysetCursorLost is returned when a cursor's item is not found within
// maxKeysetRounds pages of where it was read: the cursor was tampered with,
// or the list changed beyond recognition.
var errKeysetCursorLost = fmt.Errorf("%w: the cursor's item is no longer where its page was read; page again from the start", ErrBadArgs)

// resolveKeyset answers a forward page from the list's start, or after a
// cursor carrying GitLab's keyset cursor, by keyset: no offset is involved, so
// a client walking a list is served at any depth, past the offset limit, and
// the walk is stable because GitLab's cursor, like ours, stands for an id.
// From the start, or after a page's end cursor (GitLab's cursor for the items
// after it), it is one call of the page's size. After another cursor, the
// GitLab page its item was read from is read again, from the item on.
// hasPreviousPage after a cursor is true, as in GitLab's own GraphQL API: the
// cursor's item precedes the page.
func resolveKeyset[T any](ctx context.Context, req Request, src Source[T]) (Result[T], error) {
	id := src.ID
	res := Result[T]{HasPrevious: req.After != nil}
	cursor, perPage, offset := "", req.Size, 0
	// below is the id every item taken must be under: the cursor's item's,
	// then the last item taken, so no item is taken twice whatever GitLab
	// sends.
	var below int64 = math.MaxInt64
	if a := req.After; a != nil {
		cursor, offset, below = a.Keyset, a.Offset+1, a.ID
		if !a.KeysetAfter {
			// The page holds the cursor's item and up to 99 before it.
			perPage = MaxUpstreamPerPage
		}
	}
	for round := 1; ; round++ {
		items, next, err := src.Keyset(ctx, cursor, perPage)
		if err != nil {
			return Result[T]{}, err
		}
		for i, v := range items {
			if id(v) >= below {
				continue
			}
			if len(res.Items) == req.Size {
				res.HasNext = true
				return res, nil
			}
			below = id(v)
			// Every item resumes by keyset: the page's last by GitLab's
			// cursor for the items after it, the others (and the last
			// where that cursor does not fit it) by the page's own.
			c := Cursor{ID: below, Offset: offset + len(res.Items)}
			switch {
			case i == len(items)-1 && (Cursor{ID: c.ID, KeysetAfter: true}).keysetFits(next):
				c.Keyset, c.KeysetAfter = next, true
			case c.keysetFits(cursor):
				c.Keyset = cursor
			}
			res.Items = append(res.Items, v)
			res.Cursors = append(res.Cursors, c)
		}
		switch {
		case len(res.Items) == req.Size:
			// Full: GitLab links a next page only when an item follows.
			res.HasNext = next != ""
			return res, nil
		case next == "" || next == cursor || len(items) == 0:
			// The list ends here; a page linking to itself or an empty
			// page linking on would only repeat.
			return res, nil
		case len(res.Items) == 0 && round == maxKeysetRounds:
			// Still above the cursor's item after the pages it can be in.
			return Result[T]{}, errKeysetCursorLost
		case round > maxKeysetRounds:
			// The item was found in the last page searched, and the page
			// after it did not fill the answer either: GitLab serves
			// smaller pages than asked for. Answer what there is.
			res.HasNext = true
			return res, nil
		}
		cursor = next
	}
}

// reader is a sparse, request-scoped view of an upstream list by offset.
type reader[T any] struct {
	fetch FetchFunc[T]
	known map[int]T
	// existsBelow: every offset below it holds an item (learnt from x-next-page).
	existsBelow int
	// end: no item at this offset or beyond (a bound: the list may end earlier).
	// limit: the first offset GitLab will not page to.
	end   int
	limit int
	total *int
	// calls counts the upstream pages read, which bound locate's search.
	calls int
}

// exists reports whether the list has an item at offset i.
func (r *reader[T]) exists(ctx context.Context, i int) (bool, error) {
	if _, ok := r.known[i]; ok || i < r.existsBelow {
		return true, nil
	}
	if i >= r.end {
		return false, nil
	}
	if i >= r.limit {
		// Unreachable by offset, and not known to be absent: let the client
		// ask, and learn of the limit then.
		return true, nil
	}
	if err := r.ensure(ctx, i, i+1); err != nil {
		return false, err
	}
	_, ok := r.known[i]
	return ok || i < r.existsBelow, nil
}

// length finds the list's length, starting from what is known of its end
// (a bound learnt from an empty page) or from GitLab's total; with the total
// it first reads the last n items and the one past them in one call, which
// the page of the last n then needs no more.
func (r *reader[T]) length(ctx context.Context, n int) (int, error) {
	hint := r.end
	if hint == math.MaxInt {
		if r.total == nil {
			return 0, ErrNeedsTotal
		}
		hint = *r.total
		if err := r.prefetch(ctx, max(0, hint-n), hint+1); err != nil {
			return 0, err
		}
	}
	return r.locate(ctx, hint, func(T) bool { return false })
}

// maxSearchCalls bounds the upstream pages locate reads to find where a
// cursor's item went: enough for an item that moved ten thousand places since
// its cursor was served, and no more, so a forged cursor pointing far from
// its item costs GitLab a bounded number of calls (49 before the bound).
const maxSearchCalls = 16

// errCursorTooFar is returned when a cursor's item is not found within
// maxSearchCalls pages of where its cursor was served.
var errCursorTooFar = fmt.Errorf("%w: the cursor's item is too far from where the cursor was served; page again from the start", ErrBadArgs)

// locate finds the smallest offset whose item satisfies pred, which must be
// monotone over the list (false, then true); it returns the list's length when
// none does. hint is where the answer was when the cursor was served. The
// search leaves the hint by doubling steps, then bisects, so an item that
// moved since its cursor was served costs a number of calls logarithmic in
// the distance, never a walk, and at most maxSearchCalls.
func (r *reader[T]) locate(ctx context.Context, hint int, pred func(T) bool) (int, error) {
	searchEnd := r.calls + maxSearchCalls
	// holds reports pred at offset o; past the list's end it holds. A probe
	// reads the upstream page around o, so nearby probes cost no call.
	holds := func(o int) (bool, error) {
		if v, ok := r.known[o]; ok {
			return pred(v), nil
		}
		if o >= r.end {
			return true, nil
		}
		if o >= r.limit {
			return false, ErrOffsetLimit
		}
		if r.calls >= searchEnd {
			return false, errCursorTooFar
		}
		page := o - o%MaxUpstreamPerPage
		if err := r.ensure(ctx, page, min(page+MaxUpstreamPerPage, r.limit)); err != nil {
			return false, err
		}
		v, ok := r.known[o]
		return !ok || pred(v), nil
	}
	// Find lo < hi with pred false at lo (or lo = -1) and true at hi.
	lo, hi := -1, min(max(hint, 0), r.end, r.limit-1)
	ok, err := holds(hi)
	if err != nil {
		return 0, err
	}
	for step := 1; ; step *= 2 {
		if ok {
			probe := hi - step
			if probe <= lo {
				break
			}
			if ok, err = holds(probe); err != nil {
				return 0, err
			}
			if !ok {
				lo = probe
				break
			}
			hi = probe
		} else {
			lo, hi = hi, hi+step
			if ok, err = holds(hi); err != nil {
				return 0, err
			}
		}
	}
	// Bisect until one upstream page covers the rest, then read it.
	for hi-lo-1 > MaxUpstreamPerPage {
		mid := lo + (hi-lo)/2
		ok, err := holds(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	if err := r.ensure(ctx, lo+1, hi); err != nil {
		return 0, err
	}
	for o := lo + 1; o < hi; o++ {
		if v, ok := r.known[o]; !ok || pred(v) {
			return o, nil
		}
	}
	return hi, nil
}

// prefetch is ensure for a read that only saves later calls: it reads nothing
// past the offset limit rather than fail.
func (r *reader[T]) prefetch(ctx context.Context, from, to int) error {
	return r.ensure(ctx, min(from, r.limit), min(to, r.limit))
}

// ensure reads every unknown offset in [from, to) that may hold an item.
func (r *reader[T]) ensure(ctx context.Context, from, to int) error {
	to = min(to, r.end)
	if to > r.limit {
		return ErrOffsetLimit
	}
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
	perPage, firstPage, count := choosePages(first, last+1, r.limit)
	r.calls += count
	pages := make([]Page[T], count)
	g, gctx := errgroup.WithContext(ctx)
	for i := range pages {
		g.Go(func() error {
			return safely.Run(gctx, func() (err error) {
				pages[i], err = r.fetch(gctx, firstPage+i, perPage)
				return err
			})
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
// one can serve it and carries as few unasked items as possible. No page
// reaches past limit unless the window does.
func choosePages(from, to, limit int) (perPage, firstPage, count int) {
	n := to - from
	limit = max(limit, to)
	for k := 1; ; k++ {
		for p := max(1, (n+k-1)/k); p <= MaxUpstreamPerPage; p++ {
			if (to-1)/p-from/p+1 == k && ((to-1)/p+1)*p <= limit {
				return p, from/p + 1, k
			}
		}
	}
}
