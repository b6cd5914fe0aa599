package paging

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeList is an upstream list ordered by id descending, paged like GitLab.
type fakeList struct {
	mu          sync.Mutex // Resolve fetches pages concurrently
	ids         []int64
	withTotal   bool
	calls       [][2]int // page, perPage
	keysetCalls []string // cursors
}

func newFakeList(n int) *fakeList {
	l := &fakeList{}
	for id := int64(n); id >= 1; id-- {
		l.ids = append(l.ids, id)
	}
	return l
}

func (l *fakeList) fetch(_ context.Context, page, perPage int) (Page[int64], error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, [2]int{page, perPage})
	lo := min((page-1)*perPage, len(l.ids))
	hi := min(lo+perPage, len(l.ids))
	p := Page[int64]{Items: slices.Clone(l.ids[lo:hi]), HasNext: hi < len(l.ids)}
	if l.withTotal {
		t := len(l.ids)
		p.Total = &t
	}
	return p, nil
}

// keyset pages like GitLab's keyset pagination, with GitLab's cursors: URL-safe
// base64 of the id the next page starts below and the direction.
func (l *fakeList) keyset(_ context.Context, cursor string, perPage int) ([]int64, string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keysetCalls = append(l.keysetCalls, cursor)
	lo := 0
	if cursor != "" {
		text, err := base64.URLEncoding.DecodeString(cursor)
		var c struct {
			ID        string `json:"id"`
			Direction string `json:"_kd"`
		}
		if err != nil || json.Unmarshal(text, &c) != nil || c.Direction != "n" {
			return nil, "", fmt.Errorf("GitLab's 500: cursor %q", cursor)
		}
		below, err := strconv.ParseInt(c.ID, 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("GitLab's 500: cursor %q", cursor)
		}
		lo = sort.Search(len(l.ids), func(i int) bool { return l.ids[i] < below })
	}
	hi := min(lo+perPage, len(l.ids))
	next := ""
	if hi < len(l.ids) {
		next = gitlabCursor(l.ids[hi-1])
	}
	return slices.Clone(l.ids[lo:hi]), next, nil
}

// gitlabCursor is GitLab's keyset cursor for the items below id.
func gitlabCursor(id int64) string {
	return base64.URLEncoding.EncodeToString([]byte(`{"id":"` + strconv.FormatInt(id, 10) + `","_kd":"n"}`))
}

// source is l as a GitLab list with an offset limit and keyset pagination.
func (l *fakeList) source() Source[int64] {
	return Source[int64]{Fetch: l.fetch, ID: identity, OffsetLimit: GitLabOffsetLimit, Keyset: l.keyset}
}

// insertNewest adds n items with ids above every existing one, as GitLab does
// when jobs are created.
func (l *fakeList) insertNewest(n int) {
	newest := make([]int64, n)
	for i := range newest {
		newest[i] = l.ids[0] + int64(n-i)
	}
	l.ids = append(newest, l.ids...)
}

// distance is how far c's item, or where it stood, is now from c's offset.
func (l *fakeList) distance(c *Cursor) int {
	if c == nil {
		return 0
	}
	at, _ := slices.BinarySearchFunc(l.ids, c.ID, func(v, id int64) int { return cmp.Compare(id, v) })
	return max(at-c.Offset, c.Offset-at)
}

func (l *fakeList) remove(id int64) {
	l.ids = slices.DeleteFunc(l.ids, func(v int64) bool { return v == id })
}

func identity(v int64) int64 { return v }

func resolve(t *testing.T, l *fakeList, a Args) Result[int64] {
	t.Helper()
	req, err := a.Validate()
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	res, err := Resolve(context.Background(), req, Source[int64]{Fetch: l.fetch, ID: identity})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return res
}

func ptr[T any](v T) *T { return &v }

func TestFirstPageCostsOneCallOfTheRightSize(t *testing.T) {
	for _, n := range []int{1, 7, 20, 99, 100} {
		l := newFakeList(500)
		res := resolve(t, l, Args{First: ptr(n)})
		if len(l.calls) != 1 || l.calls[0] != [2]int{1, n} {
			t.Errorf("first:%d: calls %v, want one call page=1 per_page=%d", n, l.calls, n)
		}
		if len(res.Items) != n || res.Items[0] != 500 || !res.HasNext || res.HasPrevious {
			t.Errorf("first:%d: got %d items from %d next=%v prev=%v", n, len(res.Items), res.Items[0], res.HasNext, res.HasPrevious)
		}
	}
}

func TestAfterCursorCostsOneCall(t *testing.T) {
	l := newFakeList(500)
	res := resolve(t, l, Args{First: ptr(20)})
	l.calls = nil
	res = resolve(t, l, Args{First: ptr(20), After: ptr(res.Cursors[19].String())})
	if len(l.calls) != 1 {
		t.Fatalf("calls %v, want 1", l.calls)
	}
	if res.Items[0] != 480 || len(res.Items) != 20 || !res.HasPrevious || !res.HasNext {
		t.Fatalf("got %v next=%v prev=%v", res.Items, res.HasNext, res.HasPrevious)
	}
}

// When new items pushed the cursor's item down a few places, finding it again
// costs one more call (an upstream page of 100), not a walk of single-item
// probes.
func TestSmallDriftCostsOneMoreCall(t *testing.T) {
	for _, moved := range []int{3, 30, 60} {
		l := newFakeList(500)
		res := resolve(t, l, Args{First: ptr(20)})
		l.insertNewest(moved)
		l.calls = nil
		res = resolve(t, l, Args{First: ptr(20), After: ptr(res.Cursors[19].String())})
		if res.Items[0] != 480 || len(l.calls) > 2 {
			t.Errorf("moved %d: first %d after calls %v, want 480 in at most 2 calls", moved, res.Items[0], l.calls)
		}
	}
}

func TestEndOfList(t *testing.T) {
	l := newFakeList(45)
	res := resolve(t, l, Args{First: ptr(20)})
	res = resolve(t, l, Args{First: ptr(20), After: ptr(res.Cursors[19].String())})
	res = resolve(t, l, Args{First: ptr(20), After: ptr(res.Cursors[19].String())})
	if len(res.Items) != 5 || res.HasNext || !res.HasPrevious {
		t.Fatalf("last page: %v next=%v prev=%v", res.Items, res.HasNext, res.HasPrevious)
	}
	empty := resolve(t, l, Args{First: ptr(20), After: ptr(res.Cursors[4].String())})
	if len(empty.Items) != 0 || empty.HasNext || !empty.HasPrevious {
		t.Fatalf("past the end: %v next=%v prev=%v", empty.Items, empty.HasNext, empty.HasPrevious)
	}
}

func TestExactPageEndUsesNextPageHeader(t *testing.T) {
	l := newFakeList(100)
	res := resolve(t, l, Args{First: ptr(100)})
	if len(l.calls) != 1 || res.HasNext {
		t.Fatalf("calls %v next=%v, want 1 call and no next page", l.calls, res.HasNext)
	}
}

// Walking a list while new items are created returns every item that existed
// at the start exactly once, in order.
func TestForwardWalkIsStableUnderInserts(t *testing.T) {
	l := newFakeList(1000)
	want := slices.Clone(l.ids)
	var got []int64
	var after *string
	for {
		res := resolve(t, l, Args{First: ptr(37), After: after})
		for _, v := range res.Items {
			if v <= 1000 {
				got = append(got, v)
			} else {
				t.Fatalf("walk returned %d, created after the walk started", v)
			}
		}
		if !res.HasNext {
			break
		}
		after = ptr(res.Cursors[len(res.Cursors)-1].String())
		l.insertNewest(23)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("walk returned %d items, want %d, equal=%v", len(got), len(want), slices.Equal(got, want))
	}
}

func TestForwardWalkSurvivesLargeInsertsAndRemovals(t *testing.T) {
	l := newFakeList(600)
	res := resolve(t, l, Args{First: ptr(50)})
	cursor := res.Cursors[49]
	l.insertNewest(450)
	l.remove(cursor.ID)
	l.remove(cursor.ID - 1)
	res = resolve(t, l, Args{First: ptr(10), After: ptr(cursor.String())})
	if res.Items[0] != cursor.ID-2 {
		t.Fatalf("after a removed item: got first %d, want %d", res.Items[0], cursor.ID-2)
	}
	l2 := newFakeList(600)
	res = resolve(t, l2, Args{First: ptr(50)})
	cursor = res.Cursors[49]
	for i := 0; i < 40; i++ {
		l2.remove(int64(600 - i))
	}
	res = resolve(t, l2, Args{First: ptr(10), After: ptr(cursor.String())})
	if res.Items[0] != cursor.ID-1 || !res.HasPrevious {
		t.Fatalf("after removals before the cursor: got first %d prev=%v, want %d", res.Items[0], res.HasPrevious, cursor.ID-1)
	}
}

func TestBackward(t *testing.T) {
	l := newFakeList(300)
	l.withTotal = true
	res := resolve(t, l, Args{Last: ptr(10)})
	if len(res.Items) != 10 || res.Items[0] != 10 || res.Items[9] != 1 || !res.HasPrevious || res.HasNext {
		t.Fatalf("last:10 = %v next=%v prev=%v", res.Items, res.HasNext, res.HasPrevious)
	}
	var got []int64
	before := ptr(res.Cursors[0].String())
	got = append(got, res.Items...)
	for {
		res = resolve(t, l, Args{Last: ptr(33), Before: before})
		got = append(slices.Clone(res.Items), got...)
		if !res.HasNext {
			t.Fatalf("a page before a cursor has a next page")
		}
		if !res.HasPrevious {
			break
		}
		before = ptr(res.Cursors[0].String())
	}
	if !slices.Equal(got, newFakeList(300).ids) {
		t.Fatalf("backward walk returned %d items", len(got))
	}
}

func TestLastWithoutTotalIsRefused(t *testing.T) {
	l := newFakeList(300)
	req, _ := Args{Last: ptr(5)}.Validate()
	if _, err := Resolve(context.Background(), req, Source[int64]{Fetch: l.fetch, ID: identity}); !errors.Is(err, ErrNeedsTotal) {
		t.Fatalf("err = %v, want ErrNeedsTotal", err)
	}
	short := newFakeList(3)
	res := resolve(t, short, Args{Last: ptr(5)})
	if len(res.Items) != 3 {
		t.Fatalf("a list shorter than last needs no total: %v", res.Items)
	}
}

func TestValidate(t *testing.T) {
	good := Cursor{ID: 5, Offset: 2}.String()
	cases := map[string]Args{
		"zero first":     {First: ptr(0)},
		"negative last":  {Last: ptr(-1)},
		"too large":      {First: ptr(101)},
		"first and last": {First: ptr(1), Last: ptr(1)},
		"garbage after":  {First: ptr(1), After: ptr("garbage")},
		"garbage before": {Before: ptr(good + "x")},
	}
	for name, a := range cases {
		if _, err := a.Validate(); !errors.Is(err, ErrBadArgs) {
			t.Errorf("%s: err = %v, want ErrBadArgs", name, err)
		}
	}
	req, err := Args{}.Validate()
	if err != nil || req.Size != DefaultPageSize || req.Backward {
		t.Fatalf("defaults: %+v %v", req, err)
	}
}

func TestChoosePages(t *testing.T) {
	cases := []struct{ from, to, perPage, page, count int }{
		{0, 7, 7, 1, 1},
		{0, 100, 100, 1, 1},
		{19, 40, 40, 1, 1},
		{7, 14, 7, 2, 1},
		{150, 250, 50, 4, 2},
		{99, 201, 67, 2, 2},
	}
	for _, c := range cases {
		p, first, n := choosePages(c.from, c.to, GitLabOffsetLimit)
		if p != c.perPage || first != c.page || n != c.count {
			t.Errorf("choosePages(%d,%d) = %d,%d,%d want %d,%d,%d", c.from, c.to, p, first, n, c.perPage, c.page, c.count)
		}
		if (first-1)*p > c.from || (first-1+n)*p < c.to {
			t.Errorf("choosePages(%d,%d) does not cover the window", c.from, c.to)
		}
	}
}

// reference computes a connection page from the list as it is now, by the
// Relay specification's algorithm.
func reference(ids []int64, req Request) (items []int64, next, prev bool) {
	var slice []int64
	for _, v := range ids {
		if (req.After == nil || v < req.After.ID) && (req.Before == nil || v > req.Before.ID) {
			slice = append(slice, v)
		}
	}
	existsAtOrAbove := func(id int64) bool { return len(ids) > 0 && ids[0] >= id }
	existsAtOrBelow := func(id int64) bool { return len(ids) > 0 && ids[len(ids)-1] <= id }
	if req.Backward {
		items = slice[max(0, len(slice)-req.Size):]
		prev = len(slice) > req.Size
		next = req.Before != nil && existsAtOrBelow(req.Before.ID)
	} else {
		items = slice[:min(req.Size, len(slice))]
		next = len(slice) > req.Size
		prev = req.After != nil && existsAtOrAbove(req.After.ID)
		if req.After != nil && req.After.Keyset != "" && req.Before == nil {
			// Read by keyset: the cursor's item precedes the page.
			prev = true
		}
	}
	return items, next, prev
}

// TestAgainstReference drives random requests with cursors served earlier
// while the list grows and shrinks, and checks each answer against the Relay
// algorithm applied to the list as it stands.
func TestAgainstReference(t *testing.T) {
	t.Run("offset", func(t *testing.T) { testAgainstReference(t, false) })
	t.Run("offset and keyset", func(t *testing.T) { testAgainstReference(t, true) })
}

func testAgainstReference(t *testing.T, keyset bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	l := newFakeList(400)
	l.withTotal = true
	src := Source[int64]{Fetch: l.fetch, ID: identity}
	if keyset {
		src.Keyset = l.keyset
	}
	var cursors []Cursor
	for i := 0; i < 2000; i++ {
		switch rng.IntN(6) {
		case 0:
			l.insertNewest(rng.IntN(40))
		case 1:
			if len(l.ids) > 0 {
				l.remove(l.ids[rng.IntN(len(l.ids))])
			}
		}
		req := Request{Size: 1 + rng.IntN(MaxPageSize), Backward: rng.IntN(2) == 0}
		if len(cursors) > 0 && rng.IntN(3) > 0 {
			c := cursors[rng.IntN(len(cursors))]
			req.After = &c
		}
		if len(cursors) > 0 && rng.IntN(3) == 0 {
			c := cursors[rng.IntN(len(cursors))]
			req.Before = &c
		}
		got, err := Resolve(context.Background(), req, src)
		if errors.Is(err, errCursorTooFar) && (l.distance(req.After) > 5_000 || l.distance(req.Before) > 5_000) {
			continue
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		items, next, prev := reference(l.ids, req)
		if !slices.Equal(got.Items, items) || got.HasNext != next || got.HasPrevious != prev {
			t.Fatalf("step %d %+v after=%v before=%v:\n got %v next=%v prev=%v\nwant %v next=%v prev=%v",
				i, req, req.After, req.Before, got.Items, got.HasNext, got.HasPrevious, items, next, prev)
		}
		cursors = append(cursors, got.Cursors...)
	}
}

// A cursor whose item moved, or a forged one, costs a number of calls
// logarithmic in the distance, and at most maxSearchCalls: past them the
// cursor is refused.
func TestFarCursorsCostBoundedCalls(t *testing.T) {
	l := newFakeList(50)
	res := resolve(t, l, Args{First: ptr(10)})
	moved := res.Cursors[9]
	l.insertNewest(10_000)
	l.calls = nil
	res = resolve(t, l, Args{First: ptr(10), After: ptr(moved.String())})
	if res.Items[0] != moved.ID-1 || len(l.calls) > maxSearchCalls+1 {
		t.Fatalf("after an item 10,000 places away: first %d after %d calls, want %d in at most %d", res.Items[0], len(l.calls), moved.ID-1, maxSearchCalls+1)
	}
	for name, c := range map[string]Cursor{
		"moved 100,000 places": moved,
		"forged past the list": {ID: 15, Offset: 60_000},
		"forged":               {ID: 15, Offset: 1 << 29},
	} {
		l.insertNewest(100_000)
		l.calls = nil
		req, err := Args{First: ptr(5), After: ptr(c.String())}.Validate()
		if err != nil {
			t.Fatal(err)
		}
		_, err = Resolve(context.Background(), req, Source[int64]{Fetch: l.fetch, ID: identity})
		if !errors.Is(err, ErrBadArgs) || len(l.calls) > maxSearchCalls+1 {
			t.Errorf("%s: err = %v after %d calls, want ErrBadArgs after at most %d", name, err, len(l.calls), maxSearchCalls+1)
		}
	}
}

func FuzzParseCursor(f *testing.F) {
	f.Add(Cursor{ID: 1, Offset: 0}.String())
	f.Add(Cursor{ID: 1, Offset: 0, Keyset: "eyJpZCI6IjEiLCJfa2QiOiJuIn0=", KeysetAfter: true}.String())
	f.Add(Cursor{List: ListTag("project-jobs|1"), ID: 1, Offset: 0}.String())
	f.Add("")
	f.Add("YzE6MTox")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err == nil && c.String() != s {
			t.Fatalf("accepted non-canonical %q", s)
		}
	})
}

// No read reaches past a list's offset limit: a page reaching it is cut
// short there, items past it are refused with ErrOffsetLimit; a list without
// a limit pages on.
func TestOffsetLimit(t *testing.T) {
	l := newFakeList(GitLabOffsetLimit + 10_000)
	limited := Source[int64]{Fetch: l.fetch, ID: identity, OffsetLimit: GitLabOffsetLimit}
	beyond := Cursor{ID: l.ids[GitLabOffsetLimit+5_000], Offset: GitLabOffsetLimit + 5_000}
	near := Cursor{ID: l.ids[GitLabOffsetLimit-30], Offset: GitLabOffsetLimit - 30}
	cases := []struct {
		name  string
		args  Args
		fails bool
		items int
	}{
		{"cursor past the limit", Args{First: ptr(10), After: ptr(beyond.String())}, true, 0},
		{"window crossing the limit", Args{First: ptr(50), After: ptr(near.String())}, false, 29},
		{"window below the limit", Args{First: ptr(20), After: ptr(near.String())}, false, 20},
	}
	for _, c := range cases {
		l.calls = nil
		req, err := c.args.Validate()
		if err != nil {
			t.Fatal(err)
		}
		res, err := Resolve(context.Background(), req, limited)
		if c.fails != errors.Is(err, ErrOffsetLimit) || (!c.fails && (err != nil || len(res.Items) != c.items || !res.HasNext)) {
			t.Errorf("%s: %d items, next=%v, err = %v; want %d items and a next page, or ErrOffsetLimit: %v",
				c.name, len(res.Items), res.HasNext, err, c.items, c.fails)
		}
		for _, call := range l.calls {
			if call[0]*call[1] > GitLabOffsetLimit {
				t.Errorf("%s: read page %d of %d, past the offset limit", c.name, call[0], call[1])
			}
		}
	}
	req, _ := Args{First: ptr(10), After: ptr(beyond.String())}.Validate()
	res, err := Resolve(context.Background(), req, Source[int64]{Fetch: l.fetch, ID: identity})
	if err != nil || len(res.Items) != 10 || res.Items[0] != beyond.ID-1 {
		t.Fatalf("a list without a limit: %v %v", res.Items, err)
	}
}

// A client walking a list with endCursor is served by keyset, one call per
// page and no offset, so the walk goes on past the offset limit and returns
// every item once, in order, while new items are created.
func TestKeysetWalkPassesTheOffsetLimit(t *testing.T) {
	const n = GitLabOffsetLimit + 250
	l := newFakeList(n)
	var got, pages int
	var after *string
	for {
		req, err := Args{First: ptr(MaxPageSize), After: after}.Validate()
		if err != nil {
			t.Fatal(err)
		}
		l.keysetCalls, l.calls = nil, nil
		res, err := Resolve(context.Background(), req, l.source())
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(l.keysetCalls) != 1 || len(l.calls) != 0 {
			t.Fatalf("page %d: keyset calls %v, offset calls %v; want one keyset call", pages, l.keysetCalls, l.calls)
		}
		for _, v := range res.Items {
			if v != int64(n-got) {
				t.Fatalf("page %d: item %d, want %d", pages, v, n-got)
			}
			got++
		}
		if res.HasPrevious != (after != nil) {
			t.Fatalf("page %d: hasPrevious %v", pages, res.HasPrevious)
		}
		pages++
		if !res.HasNext {
			break
		}
		end := res.Cursors[len(res.Cursors)-1]
		if end.Keyset == "" || !end.KeysetAfter {
			t.Fatalf("page %d: the end cursor %+v carries no GitLab cursor for the items after it", pages, end)
		}
		for _, c := range res.Cursors[:len(res.Cursors)-1] {
			if c.KeysetAfter || (after == nil) != (c.Keyset == "") {
				t.Fatalf("page %d: cursor %+v, want the page's own GitLab cursor (none on the first page)", pages, c)
			}
		}
		after = ptr(end.String())
		l.insertNewest(3)
	}
	if got != n || pages != (n+MaxPageSize-1)/MaxPageSize {
		t.Fatalf("walked %d items in %d pages, want %d", got, pages, n)
	}
}

// The first page's cursors carry no GitLab cursor (it was read from none),
// so they resume by offset, as every page read backwards does, within the
// offset limit.
func TestKeysetMidPageCursorsResumeByOffset(t *testing.T) {
	l := newFakeList(GitLabOffsetLimit + 250)
	first, err := Resolve(context.Background(), Request{Size: 20}, l.source())
	if err != nil {
		t.Fatal(err)
	}
	mid := first.Cursors[9]
	l.calls, l.keysetCalls = nil, nil
	res, err := Resolve(context.Background(), Request{Size: 5, After: &mid}, l.source())
	if err != nil || res.Items[0] != mid.ID-1 || len(l.keysetCalls) != 0 || len(l.calls) != 1 {
		t.Fatalf("after a mid-page cursor: %v %v, keyset %v, offset %v", res.Items, err, l.keysetCalls, l.calls)
	}
	end := first.Cursors[19]
	res, err = Resolve(context.Background(), Request{Size: 5, Backward: true, Before: &end}, l.source())
	if err != nil || !slices.Equal(res.Items, first.Items[14:19]) {
		t.Fatalf("before an end cursor: %v %v", res.Items, err)
	}
	deep := Cursor{ID: l.ids[GitLabOffsetLimit+100], Offset: GitLabOffsetLimit + 100}
	_, err = Resolve(context.Background(), Request{Size: 5, After: &deep}, l.source())
	if !errors.Is(err, ErrOffsetLimit) || !strings.Contains(err.Error(), "endCursor") {
		t.Fatalf("a mid-page cursor past the offset limit: err = %v, want ErrOffsetLimit saying how to page on", err)
	}
}

func TestCursorCarriesKeyset(t *testing.T) {
	gitlab := func(json string) string { return base64.URLEncoding.EncodeToString([]byte(json)) }
	good := []Cursor{
		{ID: 7, Offset: 3, Keyset: gitlab(`{"id":"7","_kd":"n"}`), KeysetAfter: true},
		{ID: 7, Offset: 3, Keyset: gitlab(`{"id":"9","_kd":"n"}`)},
		{ID: 7, Offset: 3, Keyset: gitlab(`{"id":9,"_kd":"n"}`)},
		{ID: 7, Offset: 3, Keyset: strings.TrimRight(gitlab(`{"id":"7","_kd":"n"}`), "="), KeysetAfter: true},
		{ID: 7, Offset: 3, Keyset: strings.ReplaceAll(gitlab(`{"id":"8","_kd":"n","x":">?>?>?"}`), "_", "/")}, // both alphabets, as Ruby reads them
	}
	for _, c := range good {
		if got, err := ParseCursor(c.String()); err != nil || got != c {
			t.Errorf("round trip of %+v: %+v, %v", c, got, err)
		}
	}
	bad := map[string]string{
		"another item's cursor": "after:" + gitlab(`{"id":"8","_kd":"n"}`),
		"a page below the item": "page:" + gitlab(`{"id":"7","_kd":"n"}`),
		"backwards":             "after:" + gitlab(`{"id":"7","_kd":"p"}`),
		"not a number":          "after:" + gitlab(`{"id":"x","_kd":"n"}`),
		"unknown kind":          "next:" + gitlab(`{"id":"7","_kd":"n"}`),
		"query syntax":          "after:a&cursor=x",
		"escapes":               "after:%2F",
		"space":                 "after:a b",
		"longer than GitLab's":  "after:" + strings.Repeat("a", 301),
		"leading zeros":         "after:" + gitlab(`{"id":"0007","_kd":"n"}`),
		"a sign":                "after:" + gitlab(`{"id":"+7","_kd":"n"}`),
		"a fraction":            "after:" + gitlab(`{"id":7.0,"_kd":"n"}`),
		"kind without a cursor": "after:",
		"cursor without a kind": gitlab(`{"id":"7","_kd":"n"}`),
		"no direction":          "page:" + gitlab(`{"id":"9"}`),
		"id spelled twice":      "after:" + gitlab(`{"id":"8","Id":"7","_kd":"n"}`),
		"another form":          "after:c29tZSBvdGhlciBmb3Jt",
		"no id":                 "page:" + gitlab(`{"_kd":"p"}`),
		"no id, forwards":       "page:" + gitlab(`{"_kd":"n"}`),
		"over-padded":           "after:" + gitlab(`{"id":"7","_kd":"n"}`) + "=",
		"padding short":         "after:eyJpZCI6IjciLCJfa2QiOiJuIn0==",
		"trailing bits":         "after:eyJpZCI6IjciLCJfa2QiOiJuIn1=",
		"line breaks":           "after:eyJpZCI6IjciLCJf\r\na2QiOiJuIn0=",
	}
	for name, tail := range bad {
		raw := "c1:7:3:" + tail
		if _, err := ParseCursor(base64.RawURLEncoding.EncodeToString([]byte(raw))); !errors.Is(err, ErrBadCursor) {
			t.Errorf("%s: err = %v, want ErrBadCursor", name, err)
		}
	}
}

// Any cursor of a keyset page resumes by keyset, so past the offset limit a
// client may also go on from inside a page, or ask again after the last page.
func TestKeysetResumesFromAnyCursorOfAKeysetPage(t *testing.T) {
	l := newFakeList(GitLabOffsetLimit + 150)
	src := l.source()
	var page Result[int64]
	var after *Cursor
	for range (GitLabOffsetLimit + 100) / MaxPageSize {
		res, err := Resolve(context.Background(), Request{Size: MaxPageSize, After: after}, src)
		if err != nil {
			t.Fatal(err)
		}
		page, after = res, &res.Cursors[len(res.Cursors)-1]
	}
	mid := page.Cursors[40]
	if mid.Offset < GitLabOffsetLimit || mid.Keyset == "" || mid.KeysetAfter {
		t.Fatalf("cursor %+v: want one past the offset limit, carrying its page's GitLab cursor", mid)
	}
	l.insertNewest(30)
	l.remove(mid.ID - 2)
	l.calls, l.keysetCalls = nil, nil
	res, err := Resolve(context.Background(), Request{Size: 10, After: &mid}, src)
	want := []int64{mid.ID - 1, mid.ID - 3, mid.ID - 4, mid.ID - 5, mid.ID - 6, mid.ID - 7, mid.ID - 8, mid.ID - 9, mid.ID - 10, mid.ID - 11}
	if err != nil || !slices.Equal(res.Items, want) || !res.HasNext || !res.HasPrevious || len(l.keysetCalls) != 1 || len(l.calls) != 0 {
		t.Fatalf("after a mid-page cursor: %v next=%v prev=%v %v, keyset calls %v, offset calls %v",
			res.Items, res.HasNext, res.HasPrevious, err, l.keysetCalls, l.calls)
	}
	for {
		res, err = Resolve(context.Background(), Request{Size: MaxPageSize, After: after}, src)
		if err != nil {
			t.Fatal(err)
		}
		after = &res.Cursors[len(res.Cursors)-1]
		if !res.HasNext {
			break
		}
	}
	if res.Items[len(res.Items)-1] != 1 || after.KeysetAfter {
		t.Fatalf("last page ends with %d, end cursor %+v", res.Items[len(res.Items)-1], after)
	}
	again, err := Resolve(context.Background(), Request{Size: 5, After: after}, src)
	if err != nil || len(again.Items) != 0 || again.HasNext || !again.HasPrevious {
		t.Fatalf("after the last page's end cursor: %v next=%v prev=%v %v", again.Items, again.HasNext, again.HasPrevious, err)
	}
}

// Where GitLab turns out to offer no keyset pagination, pages are read by
// offset.
func TestKeysetUnavailableFallsBackToOffset(t *testing.T) {
	l := newFakeList(500)
	src := l.source()
	src.Keyset = func(context.Context, string, int) ([]int64, string, error) {
		return nil, "", ErrKeysetUnavailable
	}
	res, err := Resolve(context.Background(), Request{Size: 20}, src)
	if err != nil || len(res.Items) != 20 || res.Items[0] != 500 || !res.HasNext || len(l.calls) != 1 {
		t.Fatalf("first page: %v next=%v %v, offset calls %v", res.Items, res.HasNext, err, l.calls)
	}
	end := res.Cursors[19]
	res, err = Resolve(context.Background(), Request{Size: 20, After: &end}, src)
	if err != nil || len(res.Items) != 20 || res.Items[0] != 480 {
		t.Fatalf("second page: %v %v", res.Items, err)
	}
}

// Resuming after a cursor of a keyset page reads its page again, and a page
// more when items before the cursor's took its room; a cursor whose item is
// nowhere near its page is refused after a bounded number of calls.
func TestKeysetResumeIsBounded(t *testing.T) {
	l := newFakeList(1000)
	src := l.source()
	item := int64(500)
	twoPages := Cursor{ID: item, Offset: 500, Keyset: gitlabCursor(item + 150)}
	res, err := Resolve(context.Background(), Request{Size: 5, After: &twoPages}, src)
	if err != nil || !slices.Equal(res.Items, []int64{499, 498, 497, 496, 495}) || !res.HasNext || len(l.keysetCalls) != 2 {
		t.Fatalf("150 items into its page: %v next=%v %v after keyset calls %v", res.Items, res.HasNext, err, l.keysetCalls)
	}
	if c := res.Cursors[0]; c.Keyset != l.keysetCalls[1] || c.KeysetAfter {
		t.Fatalf("cursor %+v, want the second page's GitLab cursor", c)
	}
	l.keysetCalls = nil
	lost := Cursor{ID: item, Offset: 500, Keyset: gitlabCursor(990)}
	if _, err := Resolve(context.Background(), Request{Size: 5, After: &lost}, src); !errors.Is(err, ErrBadArgs) || len(l.keysetCalls) != maxKeysetRounds {
		t.Fatalf("cursor 490 items from its page: err = %v after %d keyset calls, want ErrBadArgs after %d", err, len(l.keysetCalls), maxKeysetRounds)
	}
}

// A GitLab that links a next page from an empty one, or links a page to
// itself, ends the read instead of looping.
func TestKeysetStopsOnPagesThatDoNotAdvance(t *testing.T) {
	for name, page := range map[string]func(cursor string) ([]int64, string){
		"empty page":     func(string) ([]int64, string) { return nil, gitlabCursor(2) },
		"page to itself": func(cursor string) ([]int64, string) { return []int64{4, 3}, cursor },
	} {
		calls := 0
		src := Source[int64]{ID: identity, Fetch: newFakeList(1).fetch, Keyset: func(_ context.Context, cursor string, _ int) ([]int64, string, error) {
			calls++
			items, next := page(cursor)
			return items, next, nil
		}}
		after := Cursor{ID: 5, Keyset: gitlabCursor(6)}
		res, err := Resolve(context.Background(), Request{Size: 5, After: &after}, src)
		if err != nil || len(res.Items) > 2 || res.HasNext || calls != 1 {
			t.Errorf("%s: %v next=%v %v after %d calls, want at most the page's items after one", name, res.Items, res.HasNext, err, calls)
		}
	}
}

// GitLab's next cursor goes on the page's last item only if it reads on
// right after that item; otherwise the item resumes by the page's own.
func TestKeysetNextCursorMustFitTheLastItem(t *testing.T) {
	src := Source[int64]{ID: identity, Fetch: newFakeList(1).fetch, Keyset: func(context.Context, string, int) ([]int64, string, error) {
		return []int64{9, 8, 7}, gitlabCursor(100), nil
	}}
	after := Cursor{ID: 10, Keyset: gitlabCursor(11), KeysetAfter: true}
	res, err := Resolve(context.Background(), Request{Size: 3, After: &after}, src)
	if err != nil || !res.HasNext {
		t.Fatalf("%v next=%v %v", res.Items, res.HasNext, err)
	}
	end := res.Cursors[2]
	if end.KeysetAfter || end.Keyset != gitlabCursor(11) {
		t.Fatalf("end cursor %+v, want the page's own GitLab cursor", end)
	}
	if got, err := ParseCursor(end.String()); err != nil || got != end {
		t.Fatalf("the end cursor does not parse: %+v %v", got, err)
	}
}

// Where GitLab offers no keyset pagination it imposes no offset limit either.
func TestKeysetUnavailableLiftsTheOffsetLimit(t *testing.T) {
	l := newFakeList(GitLabOffsetLimit + 100)
	src := l.source()
	src.Keyset = func(context.Context, string, int) ([]int64, string, error) { return nil, "", ErrKeysetUnavailable }
	id := l.ids[GitLabOffsetLimit+49]
	deep := Cursor{ID: id, Offset: GitLabOffsetLimit + 49, Keyset: gitlabCursor(id), KeysetAfter: true}
	res, err := Resolve(context.Background(), Request{Size: 10, After: &deep}, src)
	if err != nil || len(res.Items) != 10 || res.Items[0] != deep.ID-1 {
		t.Fatalf("past 50,000 by offset: %v %v", res.Items, err)
	}
}

// A cursor found in the last page the search may read still gets a full page.
func TestKeysetResumeFillsThePageAfterALateFind(t *testing.T) {
	l := newFakeList(1000)
	late := Cursor{ID: 510, Offset: 490, Keyset: gitlabCursor(800)}
	res, err := Resolve(context.Background(), Request{Size: 20, After: &late}, l.source())
	if err != nil || len(res.Items) != 20 || res.Items[0] != 509 || res.Items[19] != 490 || len(l.keysetCalls) != maxKeysetRounds+1 {
		t.Fatalf("%v %v after keyset calls %v", res.Items, err, l.keysetCalls)
	}
}

// Past the offset limit, a cursor that resumes by offset finds out whether
// GitLab offers keyset pagination at all: if not, there is no limit.
func TestOffsetLimitHoldsOnlyWithKeyset(t *testing.T) {
	l := newFakeList(GitLabOffsetLimit + 100)
	deep := Cursor{ID: l.ids[GitLabOffsetLimit+10], Offset: GitLabOffsetLimit + 10}
	src := l.source()
	if _, err := Resolve(context.Background(), Request{Size: 5, After: &deep}, src); !errors.Is(err, ErrOffsetLimit) {
		t.Fatalf("with keyset: err = %v, want ErrOffsetLimit", err)
	}
	src.Keyset = func(context.Context, string, int) ([]int64, string, error) { return nil, "", ErrKeysetUnavailable }
	res, err := Resolve(context.Background(), Request{Size: 5, After: &deep}, src)
	if err != nil || len(res.Items) != 5 || res.Items[0] != deep.ID-1 {
		t.Fatalf("without keyset: %v %v", res.Items, err)
	}
}

// A list's cursors name it: another list refuses them, cursors from before
// lists were named are taken by any.
func TestCursorsNameTheirList(t *testing.T) {
	l := newFakeList(100)
	mine := Source[int64]{Fetch: l.fetch, ID: identity, List: "project-jobs|1"}
	other := Source[int64]{Fetch: l.fetch, ID: identity, List: "project-jobs|2"}
	res, err := Resolve(context.Background(), Request{Size: 10}, mine)
	if err != nil || res.Cursors[9].List != ListTag("project-jobs|1") {
		t.Fatalf("%+v %v", res.Cursors, err)
	}
	end, err := ParseCursor(res.Cursors[9].String())
	if err != nil || end != res.Cursors[9] {
		t.Fatalf("round trip: %+v %v", end, err)
	}
	if _, err := Resolve(context.Background(), Request{Size: 10, After: &end}, mine); err != nil {
		t.Fatalf("own list: %v", err)
	}
	for _, req := range []Request{{Size: 10, After: &end}, {Size: 10, Backward: true, Before: &end}} {
		if _, err := Resolve(context.Background(), req, other); !errors.Is(err, ErrBadArgs) {
			t.Fatalf("another list: err = %v, want ErrBadArgs", err)
		}
	}
	untagged := Cursor{ID: end.ID, Offset: end.Offset}
	if res, err := Resolve(context.Background(), Request{Size: 10, After: &untagged}, other); err != nil || res.Items[0] != end.ID-1 {
		t.Fatalf("an untagged cursor: %v %v", res.Items, err)
	}
	unnamed := Source[int64]{Fetch: l.fetch, ID: identity}
	if res, err := Resolve(context.Background(), Request{Size: 10, After: &end}, unnamed); err != nil || res.Cursors[0].List != 0 {
		t.Fatalf("a list that cannot be named: %+v %v", res.Cursors, err)
	}
	for _, raw := range []string{"c2:0:5:0", "c2:x:5:0", "c2:5:0", "c2:1ffffffff:5:0"} {
		if _, err := ParseCursor(base64.RawURLEncoding.EncodeToString([]byte(raw))); !errors.Is(err, ErrBadCursor) {
			t.Errorf("%s: err = %v, want ErrBadCursor", raw, err)
		}
	}
}

// FuzzResolveOverPagesThatLie pages a list whose pages report any total and
// any next page, true or not, as a GitLab or a proxy in its place might:
// Resolve neither panics nor walks, and fails only with its own errors.
func FuzzResolveOverPagesThatLie(f *testing.F) {
	f.Add(uint16(250), int32(0), true, uint8(0), uint8(20), uint16(0), false)
	f.Add(uint16(250), int32(-250), true, uint8(1), uint8(100), uint16(40), true)
	f.Add(uint16(0), int32(5000), false, uint8(2), uint8(7), uint16(3), true)
	f.Add(uint16(2000), int32(-1999), true, uint8(3), uint8(1), uint16(1999), false)
	f.Fuzz(func(t *testing.T, length uint16, totalDelta int32, withTotal bool, nextMode, size uint8, afterOffset uint16, backward bool) {
		l := newFakeList(int(length % 2001))
		calls := 0
		fetch := func(ctx context.Context, page, perPage int) (Page[int64], error) {
			calls++
			p, err := l.fetch(ctx, page, perPage)
			switch nextMode % 4 {
			case 1:
				p.HasNext = true
			case 2:
				p.HasNext = false
			case 3:
				p.HasNext = !p.HasNext
			}
			if withTotal {
				total := max(len(l.ids)+int(totalDelta), 0)
				p.Total = &total
			}
			return p, err
		}
		req := Request{Size: 1 + int(size)%MaxPageSize, Backward: backward}
		if afterOffset > 0 {
			req.After = &Cursor{ID: max(int64(length)-int64(afterOffset), 1), Offset: int(afterOffset)}
		}
		_, err := Resolve(context.Background(), req, Source[int64]{Fetch: fetch, ID: identity})
		if err != nil && !errors.Is(err, ErrBadArgs) && !errors.Is(err, ErrNeedsTotal) {
			t.Fatalf("Resolve failed with %v", err)
		}
		if calls > 2*maxSearchCalls+4 {
			t.Fatalf("%d upstream calls for one page", calls)
		}
	})
}
