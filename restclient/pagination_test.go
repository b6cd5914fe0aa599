package restclient

import (
	"net/http"
	"strings"
	"testing"
)

func TestResponsePagination(t *testing.T) {
	intp := func(n int) *int { return &n }
	tests := []struct {
		name    string
		headers map[string]string
		want    Response
	}{
		{
			name: "offset page with totals",
			headers: map[string]string{"X-Page": "2", "X-Per-Page": "20", "X-Next-Page": "3", "X-Prev-Page": "1", "X-Total": "57", "X-Total-Pages": "3",
				"Link": `<https://gitlab.example.com/api/v4/projects/1/pipelines?page=3&per_page=20>; rel="next", <https://gitlab.example.com/api/v4/projects/1/pipelines?page=1&per_page=20>; rel="prev"`},
			want: Response{Page: 2, PerPage: 20, NextPage: 3, PrevPage: 1, Total: intp(57), TotalPages: intp(3)},
		},
		{
			name:    "last page of project jobs: no total, empty next",
			headers: map[string]string{"X-Page": "4", "X-Per-Page": "100", "X-Next-Page": "", "X-Prev-Page": "3"},
			want:    Response{Page: 4, PerPage: 100, PrevPage: 3},
		},
		{
			name:    "zero total is known",
			headers: map[string]string{"X-Total": "0", "X-Total-Pages": "0"},
			want:    Response{Total: intp(0), TotalPages: intp(0)},
		},
		{
			name:    "garbage headers read as absent",
			headers: map[string]string{"X-Page": "two", "X-Total": "-1", "X-Next-Page": "3.5"},
		},
		{
			name: "keyset next link",
			headers: map[string]string{"X-Per-Page": "20",
				"Link": `<https://gitlab.example.com/api/v4/projects/1/jobs?cursor=eyJpZCI6IjQyIiwiX2tkIjoibiJ9&order_by=id&page=1&pagination=keyset&per_page=20&sort=desc>; rel="next"`},
			want: Response{PerPage: 20, NextCursor: "eyJpZCI6IjQyIiwiX2tkIjoibiJ9"},
		},
		{
			name:    "keyset last page has no Link",
			headers: map[string]string{"X-Per-Page": "20"},
			want:    Response{PerPage: 20},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.headers {
					w.Header().Set(k, v)
				}
				_, _ = w.Write([]byte("[]"))
			}))
			_, resp, err := c.ListProjectJobs(authed(), "1", nil)
			if err != nil {
				t.Fatal(err)
			}
			got, want := *resp, tt.want
			if got.Page != want.Page || got.PerPage != want.PerPage || got.NextPage != want.NextPage || got.PrevPage != want.PrevPage ||
				got.NextCursor != want.NextCursor || !sameIntPtr(got.Total, want.Total) || !sameIntPtr(got.TotalPages, want.TotalPages) {
				t.Errorf("got %+v total %v pages %v, want %+v", got, deref(got.Total), deref(got.TotalPages), want)
			}
		})
	}
}

func sameIntPtr(a, b *int) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestLinkTarget(t *testing.T) {
	tests := []struct {
		values []string
		rel    string
		want   string
		ok     bool
	}{
		{[]string{`<https://x/a?p=1>; rel="prev", <https://x/a?p=3>; rel="next"`}, "next", "https://x/a?p=3", true},
		{[]string{`<https://x/a?p=1>; rel="first"`, `<https://x/a?p=3>; rel=next`}, "next", "https://x/a?p=3", true},
		{[]string{`<https://x/a?q=a,b;c>; title="x"; rel="next last"`}, "next", "https://x/a?q=a,b;c", true},
		{[]string{`<https://x/a?p=1>; rel="prev"`}, "next", "", false},
		{[]string{`garbage`, `<unterminated; rel="next"`}, "next", "", false},
		{nil, "next", "", false},
		{[]string{`<https://x/a?cursor=A>; rel="prev"; title="a<b", <https://x/a?cursor=B>; rel="next"`}, "next", "https://x/a?cursor=B", true},
		{[]string{`<https://x/a?cursor=A>; title="x\"<y;rel=next"; rel="prev", <https://x/a?cursor=B>; rel="next"`}, "next", "https://x/a?cursor=B", true},
		{[]string{`<https://x/a?cursor=A>; title="; rel=next"`}, "next", "", false},
	}
	for _, tt := range tests {
		got, ok := linkTarget(tt.values, tt.rel)
		if got != tt.want || ok != tt.ok {
			t.Errorf("linkTarget(%q) = %q, %v; want %q, %v", tt.values, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzResponsePagination reads pagination headers in any combination: no
// panic, and what is read is within the ranges the rest of the gateway plans
// with.
func FuzzResponsePagination(f *testing.F) {
	f.Add("2", "3", "1", "57", "3", `<https://x/api/v4/p?page=3>; rel="next"`)
	f.Add("1", "2", "", "", "0", "")
	f.Add("", "", "", "10001", "-1", `<https://x/?cursor=abc>; rel="next prev"`)
	f.Add("x", "99999999999999999999999", " 4 ", "1e3", "0x10", `<a>; rel="next"; title="<b>; rel=prev"`)
	f.Add("1", "1", "1", "1", "1", `<;>, <,>; rel=next, <`)
	f.Fuzz(func(t *testing.T, page, next, prev, total, totalPages, link string) {
		h := http.Header{}
		for k, v := range map[string]string{"X-Page": page, "X-Next-Page": next, "X-Prev-Page": prev, "X-Total": total, "X-Total-Pages": totalPages, "Link": link} {
			h.Set(k, v)
		}
		r := newResponse(&http.Response{Header: h})
		if r.Page < 0 || r.NextPage < 0 || r.PrevPage < 0 || (r.Total != nil && *r.Total < 0) || (r.TotalPages != nil && *r.TotalPages < 0) {
			t.Fatalf("headers %v read as %+v", h, r)
		}
		if r.NextCursor != "" && !strings.Contains(link, "cursor=") {
			t.Fatalf("a cursor %q from a Link without one: %q", r.NextCursor, link)
		}
	})
}
