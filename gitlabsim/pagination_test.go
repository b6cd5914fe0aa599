package gitlabsim

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

type idOnly struct{ ID int64 }

var nextLink = regexp.MustCompile(`<([^>]+)>; rel="next"`)

func TestProjectJobsOffsetHasNoTotals(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	r := get(t, srv, "/api/v4/projects/1/jobs?per_page=5&page=2&scope[]=success&scope[]=failed", TokenDeveloper)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	for _, h := range []string{"X-Total", "X-Total-Pages"} {
		if _, ok := r.header[h]; ok {
			t.Errorf("%s present on project jobs", h)
		}
	}
	want := map[string]string{"X-Page": "2", "X-Per-Page": "5", "X-Next-Page": "3", "X-Prev-Page": "1"}
	for h, v := range want {
		if got := r.header.Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
	link := r.header.Get("Link")
	if strings.Contains(link, `rel="last"`) || !strings.Contains(link, `rel="first"`) || !strings.Contains(link, `rel="prev"`) {
		t.Errorf("Link %s", link)
	}
	// Grape coerces scope to an array, so links carry scope[] even for one value.
	if !strings.Contains(link, "scope%5B%5D=failed&scope%5B%5D=success") || !strings.Contains(link, "id=1&page=3&per_page=5") {
		t.Errorf("Link %s lacks the request's params", link)
	}
	var jobs []struct {
		ID     int64
		Status string
	}
	r.json(t, &jobs)
	for i, j := range jobs {
		if j.Status != "success" && j.Status != "failed" {
			t.Errorf("scope let %s through", j.Status)
		}
		if i > 0 && jobs[i-1].ID <= j.ID {
			t.Errorf("ids not descending: %d then %d", jobs[i-1].ID, j.ID)
		}
	}
}

func TestPaginationValidation(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	tests := []struct {
		query   string
		status  int
		body    string
		perPage string
	}{
		{"per_page=500", 200, "", "100"},
		{"page=0", 400, `{"error":"page does not have a valid value"}`, ""},
		{"page=-3", 400, `{"error":"page does not have a valid value"}`, ""},
		{"page=x", 400, `{"error":"page is invalid"}`, ""},
		{"per_page=0", 400, `{"error":"per_page has a value not allowed"}`, ""},
		{"per_page=-1", 400, `{"error":"per_page does not have a valid value"}`, ""},
		{"scope=bogus", 400, `{"error":"scope does not have a valid value"}`, ""},
		{"scope[]=running&scope[]=bogus", 400, `{"error":"scope does not have a valid value"}`, ""},
		{"page=501&per_page=100", 405, `{"error":"Offset pagination has a maximum allowed offset of 50000 for requests that return objects of type Ci::Build. Remaining records can be retrieved using keyset pagination."}`, ""},
		{"pagination=keyset&order_by=id&sort=asc", 405, `{"error":"Keyset pagination is not yet available for this type of request"}`, ""},
		{"pagination=keyset&cursor=%21%21", 500, `{"message":"500 Internal Server Error"}`, ""},
		{"pagination=keyset&cursor=bm90IGpzb24", 500, `{"message":"500 Internal Server Error"}`, ""},
		{"pagination=keyset&cursor=eyJpZCI6IjciLCJfa2QiOiJuIn1%3D", 500, `{"message":"500 Internal Server Error"}`, ""},
		{"pagination=keyset&cursor=eyJpZCI6IjciLCJf%0Aa2QiOiJuIn0%3D", 500, `{"message":"500 Internal Server Error"}`, ""},
		{"pagination=keyset&cursor=eyJpZCI6IjciLCJfa2QiOiJuIn0%3D%3D", 500, `{"message":"500 Internal Server Error"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := get(t, srv, "/api/v4/projects/1/jobs?"+tt.query, TokenMaintainer)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.body != "" && string(r.body) != tt.body {
				t.Errorf("body %s, want %s", r.body, tt.body)
			}
			if tt.perPage != "" && r.header.Get("X-Per-Page") != tt.perPage {
				t.Errorf("X-Per-Page %q, want %s", r.header.Get("X-Per-Page"), tt.perPage)
			}
		})
	}
}

// An administrator's offset_pagination_limit applies to offset pages only.
func TestConfiguredOffsetLimit(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1, OffsetLimit: 300})
	r := get(t, srv, "/api/v4/projects/1/jobs?page=4&per_page=100", TokenMaintainer)
	want := `{"error":"Offset pagination has a maximum allowed offset of 300 for requests that return objects of type Ci::Build. Remaining records can be retrieved using keyset pagination."}`
	if r.status != http.StatusMethodNotAllowed || string(r.body) != want {
		t.Fatalf("page past the limit: %d %s", r.status, r.body)
	}
	if r := get(t, srv, "/api/v4/projects/1/jobs?page=3&per_page=100", TokenMaintainer); r.status != http.StatusOK {
		t.Fatalf("page up to the limit: %d %s", r.status, r.body)
	}
	const keyset = "/api/v4/projects/1/jobs?pagination=keyset&order_by=id&sort=desc&per_page=100"
	var seen []int64
	for ids, next := keysetIDs(t, srv, keyset); ; ids, next = keysetIDs(t, srv, keyset+"&cursor="+next) {
		seen = append(seen, ids...)
		if next == "" {
			break
		}
	}
	if len(seen) <= 300 {
		t.Fatalf("keyset read %d jobs, want past the limit", len(seen))
	}
}

func TestOffsetTotals(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	tests := []struct {
		name, path   string
		wantTotals   bool
		total, pages string
	}{
		{"demo pipelines", "/api/v4/projects/1/pipelines?per_page=50", true, "81", "2"},
		{"pipeline jobs", "/api/v4/projects/1/pipelines/100001/jobs?per_page=3", true, "9", "3"},
		{"projects", "/api/v4/projects", true, "4", "1"},
		{"empty list still has one page", "/api/v4/projects?search=nothing-matches", true, "0", "1"},
		{"over 10,000 pipelines drop totals", "/api/v4/projects/2/pipelines?per_page=100", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, tt.path, TokenMaintainer)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			_, hasTotal := r.header["X-Total"]
			_, hasPages := r.header["X-Total-Pages"]
			hasLast := strings.Contains(r.header.Get("Link"), `rel="last"`)
			if hasTotal != tt.wantTotals || hasPages != tt.wantTotals || hasLast != tt.wantTotals {
				t.Fatalf("totals %v/%v/last %v, want %v; headers %v", hasTotal, hasPages, hasLast, tt.wantTotals, r.header)
			}
			if tt.wantTotals && (r.header.Get("X-Total") != tt.total || r.header.Get("X-Total-Pages") != tt.pages) {
				t.Errorf("X-Total %s X-Total-Pages %s, want %s %s", r.header.Get("X-Total"), r.header.Get("X-Total-Pages"), tt.total, tt.pages)
			}
		})
	}
}

func TestOffsetLastPage(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	r := get(t, srv, "/api/v4/projects/1/pipelines?per_page=50&page=2", TokenMaintainer)
	if r.header.Get("X-Next-Page") != "" || r.header.Get("X-Prev-Page") != "1" {
		t.Fatalf("next %q prev %q", r.header.Get("X-Next-Page"), r.header.Get("X-Prev-Page"))
	}
	var items []idOnly
	r.json(t, &items)
	if len(items) != 31 {
		t.Fatalf("%d items on the last page, want 31", len(items))
	}
	beyond := get(t, srv, "/api/v4/projects/1/pipelines?per_page=50&page=3", TokenMaintainer)
	if string(beyond.body) != "[]" || beyond.header.Get("X-Prev-Page") != "" {
		t.Fatalf("beyond the end: %s prev %q", beyond.body, beyond.header.Get("X-Prev-Page"))
	}
}

func TestKeysetMatchesOffsetAndIsStable(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	var offset []int64
	for page := 1; ; page++ {
		r := get(t, srv, "/api/v4/projects/1/jobs?per_page=100&page="+strconv.Itoa(page), TokenMaintainer)
		var items []idOnly
		r.json(t, &items)
		for _, it := range items {
			offset = append(offset, it.ID)
		}
		if r.header.Get("X-Next-Page") == "" {
			break
		}
	}
	var keyset []int64
	path := "/api/v4/projects/1/jobs?pagination=keyset&order_by=id&sort=desc&per_page=100"
	added := false
	for path != "" {
		r := get(t, srv, path, TokenMaintainer)
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var items []idOnly
		r.json(t, &items)
		for _, it := range items {
			keyset = append(keyset, it.ID)
		}
		path = ""
		if m := nextLink.FindStringSubmatch(r.header.Get("Link")); m != nil {
			u, err := url.Parse(m[1])
			if err != nil {
				t.Fatal(err)
			}
			path = u.RequestURI()
		}
		if !added {
			// New jobs between pages must not shift the cursor.
			sim.AddPipeline(ProjectDemo, "main")
			added = true
		}
	}
	if len(offset) < 300 || len(offset) != len(keyset) {
		t.Fatalf("offset saw %d jobs, keyset %d", len(offset), len(keyset))
	}
	for i := range offset {
		if offset[i] != keyset[i] {
			t.Fatalf("position %d: offset %d, keyset %d", i, offset[i], keyset[i])
		}
	}
}

func TestKeysetNeedsAuthentication(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	if r := get(t, srv, "/api/v4/projects/2/jobs?pagination=keyset", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", r.status)
	}
}
