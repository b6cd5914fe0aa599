package gitlabsim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

const (
	defaultPerPage = 20
	maxPerPage     = 100
	// maxCountLimit is Kaminari's MAX_COUNT_LIMIT: above it GitLab stops counting.
	maxCountLimit = 10000
	// DefaultOffsetLimit is the default plan's offset_pagination_limit for
	// keyset-capable lists.
	DefaultOffsetLimit = 50000
)

type pageRequest struct {
	page, perPage int
	// requestedPerPage is per_page as sent; GitLab's Link headers repeat it unclamped.
	requestedPerPage int
}

// parsePagination validates page and per_page as Grape and PaginationParams do.
func (rc *requestContext) parsePagination() (pageRequest, bool) {
	pr := pageRequest{page: 1, perPage: defaultPerPage, requestedPerPage: defaultPerPage}
	var errs []string
	if v := rc.query.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			errs = append(errs, "page is invalid")
		case n < 1:
			errs = append(errs, "page does not have a valid value")
		default:
			pr.page = n
		}
	}
	if v := rc.query.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			errs = append(errs, "per_page is invalid")
		case n == 0:
			errs = append(errs, "per_page has a value not allowed")
		case n < 0:
			errs = append(errs, "per_page does not have a valid value")
		default:
			pr.requestedPerPage, pr.perPage = n, min(n, maxPerPage)
		}
	}
	if len(errs) > 0 {
		writeError(rc.w, http.StatusBadRequest, strings.Join(errs, ", "))
		return pr, false
	}
	return pr, true
}

// linkQuery mirrors Grape's params as GitLab re-serialises them into Link headers:
// route params, declared defaults and every query parameter, array params as key[].
type linkQuery map[string][]string

func (rc *requestContext) linkQuery(defaults map[string]string, arrayParams ...string) linkQuery {
	q := linkQuery{}
	for k, v := range defaults {
		q[k] = []string{v}
	}
	for k, v := range rc.params {
		if raw, err := url.PathUnescape(v); err == nil {
			q[k] = []string{raw}
		}
	}
	for k, vs := range rc.query {
		base := strings.TrimSuffix(k, "[]")
		switch {
		case base != k || contains(arrayParams, base):
			delete(q, base)
			q[base+"[]"] = append(q[base+"[]"], vs...)
		default:
			q[k] = vs[len(vs)-1:]
		}
	}
	return q
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// encode renders the query like Ruby's Hash#to_query: escaped pairs, sorted.
func (q linkQuery) encode(overrides map[string]string) string {
	pairs := make([]string, 0, len(q)+len(overrides))
	for k, vs := range q {
		if _, ok := overrides[k]; ok {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	for k, v := range overrides {
		pairs = append(pairs, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

func (rc *requestContext) pageURL(q linkQuery, overrides map[string]string) string {
	return rc.base + rc.r.URL.EscapedPath() + "?" + q.encode(overrides)
}

// offsetPage slices n records the way Kaminari pages them and sets GitLab's offset
// headers. withCount=false is GitLab's without_count mode; counts are also dropped
// above 10,000 records. It returns the [lo, hi) window of the records.
func (rc *requestContext) offsetPage(n int, withCount bool, pr pageRequest, q linkQuery) (int, int) {
	withCount = withCount && n <= maxCountLimit
	lo := min((pr.page-1)*pr.perPage, n)
	hi := min(lo+pr.perPage, n)
	totalPages := (n + pr.perPage - 1) / pr.perPage
	var next, prev int
	if withCount {
		outOfRange := pr.page > totalPages
		if pr.page < totalPages && !outOfRange {
			next = pr.page + 1
		}
		if pr.page > 1 && !outOfRange {
			prev = pr.page - 1
		}
	} else {
		if hi < n {
			next = pr.page + 1
		}
		if pr.page > 1 && hi > lo {
			prev = pr.page - 1
		}
	}
	per := strconv.Itoa(pr.requestedPerPage)
	var links []string
	if prev > 0 {
		links = append(links, "<"+rc.pageURL(q, map[string]string{"page": strconv.Itoa(prev), "per_page": per})+`>; rel="prev"`)
	}
	if next > 0 {
		links = append(links, "<"+rc.pageURL(q, map[string]string{"page": strconv.Itoa(next), "per_page": per})+`>; rel="next"`)
	}
	links = append(links, "<"+rc.pageURL(q, map[string]string{"page": "1", "per_page": per})+`>; rel="first"`)
	h := rc.w.Header()
	h.Set("X-Per-Page", strconv.Itoa(pr.perPage))
	h.Set("X-Page", strconv.Itoa(pr.page))
	h.Set("X-Next-Page", itoaOrEmpty(next))
	h.Set("X-Prev-Page", itoaOrEmpty(prev))
	if withCount {
		last := max(totalPages, 1)
		links = append(links, "<"+rc.pageURL(q, map[string]string{"page": strconv.Itoa(last), "per_page": per})+`>; rel="last"`)
		h.Set("X-Total", strconv.Itoa(n))
		h.Set("X-Total-Pages", strconv.Itoa(last))
	}
	h.Set("Link", strings.Join(links, ", "))
	return lo, hi
}

func itoaOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Keyset directions of Gitlab::Pagination::Keyset::Paginator.
const (
	keysetForward  = "n"
	keysetBackward = "p"
)

// keysetCursor is GitLab's opaque keyset cursor: URL-safe base64 of the JSON order
// values plus the direction under "_kd".
type keysetCursor struct {
	ID        string `json:"id,omitempty"`
	Direction string `json:"_kd,omitempty"`
}

// keysetPosition is a decoded cursor: the id to page from (hasID false for the
// first or last page) and the direction as sent ("" when the cursor has none).
type keysetPosition struct {
	id        int64
	hasID     bool
	direction string
}

func encodeCursor(id int64) string {
	b, _ := json.Marshal(keysetCursor{ID: strconv.FormatInt(id, 10), Direction: keysetForward})
	return base64.URLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor as Base64CursorConverter.parse does: Ruby's
// Base64.urlsafe_decode64 takes padded and unpadded input but nothing else, and
// the result must be a JSON object. The id may come as a string (as GitLab
// writes it) or a number.
func decodeCursor(s string) (keysetPosition, error) {
	// Base64.urlsafe_decode64: padding added only when missing and needed,
	// then both alphabets accepted, strictly (no line breaks, which Go's
	// decoder would skip).
	if strings.ContainsAny(s, "\r\n") {
		return keysetPosition{}, errors.New("cursor is not URL-safe base64: line break")
	}
	if !strings.HasSuffix(s, "=") && len(s)%4 != 0 {
		s += strings.Repeat("=", 4-len(s)%4)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(strings.NewReplacer("-", "+", "_", "/").Replace(s))
	if err != nil {
		return keysetPosition{}, fmt.Errorf("cursor is not URL-safe base64: %w", err)
	}
	var c struct {
		ID        json.Number `json:"id"`
		Direction string      `json:"_kd"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return keysetPosition{}, fmt.Errorf("cursor is no JSON object of order values: %w", err)
	}
	pos := keysetPosition{direction: c.Direction}
	if c.ID != "" {
		if pos.id, err = strconv.ParseInt(c.ID.String(), 10, 64); err != nil {
			return keysetPosition{}, fmt.Errorf("cursor id %q: %w", c.ID, err)
		}
		pos.hasID = true
	}
	return pos, nil
}
