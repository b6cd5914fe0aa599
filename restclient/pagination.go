package restclient

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxPerPage is GitLab's ceiling for per_page.
const maxPerPage = 100

// ListOptions are the pagination parameters every list route takes.
type ListOptions struct {
	Page    int    // 1-based; 0 = omit
	PerPage int    // 0 = omit; >100 is an error before any request
	Keyset  bool   // pagination=keyset&order_by=id&sort=desc (project jobs only)
	Cursor  string // keyset cursor taken from a previous Response.NextCursor
}

// encode adds the options to q. keysetAllowed is false on routes where GitLab
// offers offset pagination only.
func (o *ListOptions) encode(q url.Values, keysetAllowed bool) error {
	switch {
	case o.Page < 0:
		return fmt.Errorf("page %d: must be 1 or more", o.Page)
	case o.PerPage < 0 || o.PerPage > maxPerPage:
		return fmt.Errorf("per_page %d: must be between 1 and %d", o.PerPage, maxPerPage)
	case o.Keyset && !keysetAllowed:
		return fmt.Errorf("keyset pagination is not offered by this route")
	case o.Keyset && o.Page != 0:
		return fmt.Errorf("keyset pagination takes a cursor, not a page")
	case o.Cursor != "" && !o.Keyset:
		return fmt.Errorf("a cursor needs keyset pagination")
	}
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	if o.PerPage > 0 {
		q.Set("per_page", strconv.Itoa(o.PerPage))
	}
	if o.Keyset {
		q.Set("pagination", "keyset")
		q.Set("order_by", "id")
		q.Set("sort", "desc")
		if o.Cursor != "" {
			q.Set("cursor", o.Cursor)
		}
	}
	return nil
}

// Response is GitLab's answer with its pagination headers decoded.
type Response struct {
	*http.Response            // body already consumed and closed for JSON endpoints
	Page, PerPage      int    // x-page, x-per-page; 0 when absent
	NextPage, PrevPage int    // 0 when absent or empty (the last or first page)
	Total, TotalPages  *int   // nil when GitLab did not say (project jobs never do)
	NextCursor         string // keyset: the cursor of Link rel="next"; "" on the last page
}

func newResponse(r *http.Response) *Response {
	resp := &Response{Response: r}
	h := r.Header
	resp.Page, _ = headerInt(h, "X-Page")
	resp.PerPage, _ = headerInt(h, "X-Per-Page")
	resp.NextPage, _ = headerInt(h, "X-Next-Page")
	resp.PrevPage, _ = headerInt(h, "X-Prev-Page")
	if n, ok := headerInt(h, "X-Total"); ok {
		resp.Total = &n
	}
	if n, ok := headerInt(h, "X-Total-Pages"); ok {
		resp.TotalPages = &n
	}
	if next, ok := linkTarget(h.Values("Link"), "next"); ok {
		resp.NextCursor = cursorOf(next)
	}
	return resp
}

// headerInt reads a non-negative integer header. GitLab sends an empty value
// for "no such page"; that, garbage, and absence all read as not present.
func headerInt(h http.Header, key string) (int, bool) {
	v := strings.TrimSpace(h.Get(key))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// cursorOf returns the cursor query value of a keyset next link.
func cursorOf(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Query().Get("cursor")
}

// linkTarget finds the URL of the link with relation rel in RFC 8288 Link
// header values: `<url>; rel="next", <url>; rel="prev"`. A URL may contain
// commas and semicolons, and a quoted parameter may contain anything, so
// values are scanned, not split.
func linkTarget(values []string, rel string) (string, bool) {
	for _, v := range values {
		for v != "" {
			start := indexUnquoted(v, '<')
			if start < 0 {
				break
			}
			end := strings.IndexByte(v[start:], '>')
			if end < 0 {
				break
			}
			target := v[start+1 : start+end]
			v = v[start+end+1:]
			params := v
			if next := indexUnquoted(v, '<'); next >= 0 {
				params, v = v[:next], v[next:]
			} else {
				v = ""
			}
			if hasRel(params, rel) {
				return target, true
			}
		}
	}
	return "", false
}

// hasRel reports whether link parameters such as `; rel="next prev",` name rel.
func hasRel(params, rel string) bool {
	for params != "" {
		p := params
		if i := indexUnquoted(params, ';'); i >= 0 {
			p, params = params[:i], params[i+1:]
		} else {
			params = ""
		}
		name, value, ok := strings.Cut(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ",")), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(value), `"`)) {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
	}
	return false
}

// indexUnquoted is strings.IndexByte outside quoted strings (RFC 9110
// §5.6.4), honouring their backslash escapes.
func indexUnquoted(s string, c byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case quoted && s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && s[i] == c:
			return i
		}
	}
	return -1
}
