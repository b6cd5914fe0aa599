package dashboard

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

var (
	configBlock = regexp.MustCompile(`(?s)<script type="application/json" id="dashboard-config">(.*?)</script>`)
	srcOrHref   = regexp.MustCompile(`(?:src|href)="([^"]+)"`)
)

func get(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// The page names its bundle and stylesheet on this server, carries its
// settings in a data block no token can break out of, and is served under
// a policy that admits this server only.
func TestPage(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want pageConfig
	}{
		{"demo token", Options{Endpoint: "/graphql", DefaultToken: "glpat-demo"}, pageConfig{"/graphql", "glpat-demo"}},
		{"no token", Options{}, pageConfig{"/graphql", ""}},
		{"token closing the script", Options{DefaultToken: "</script><script>alert(1)</script>\u2028"}, pageConfig{"/graphql", "</script><script>alert(1)</script>\u2028"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Handler(tt.opts)
			for _, target := range []string{Path, Path + "/"} {
				resp, page := get(t, h, http.MethodGet, target)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s = %d", target, resp.StatusCode)
				}
				for name, want := range map[string]string{
					"Content-Security-Policy": contentSecurityPolicy,
					"Cache-Control":           "no-store",
					"Content-Type":            "text/html; charset=utf-8",
					"X-Content-Type-Options":  "nosniff",
				} {
					if got := resp.Header.Get(name); got != want {
						t.Errorf("GET %s: %s = %q, want %q", target, name, got, want)
					}
				}
				if n := strings.Count(page, "<script"); n != 2 {
					t.Errorf("page has %d script elements, want 2 (config and bundle):\n%s", n, page)
				}
				match := configBlock.FindStringSubmatch(page)
				if match == nil {
					t.Fatalf("page has no config block:\n%s", page)
				}
				var got pageConfig
				if err := json.Unmarshal([]byte(match[1]), &got); err != nil || got != tt.want {
					t.Errorf("config block %s decodes to %+v (%v), want %+v", match[1], got, err, tt.want)
				}
			}
		})
	}
}

// Every asset the page names is embedded and served, for a year, under the
// same policy; nothing else is.
func TestAssets(t *testing.T) {
	h := Handler(Options{})
	_, page := get(t, h, http.MethodGet, Path)
	var served int
	for _, ref := range srcOrHref.FindAllStringSubmatch(page, -1) {
		url := ref[1]
		if url == "/favicon.ico" {
			// jobgraph's icon, served beside the dashboard by GraphiQL's handler.
			continue
		}
		resp, body := get(t, h, http.MethodGet, url)
		if resp.StatusCode != http.StatusOK || body == "" {
			t.Errorf("GET %s = %d with %d bytes, want the asset", url, resp.StatusCode, len(body))
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != contentSecurityPolicy {
			t.Errorf("GET %s: Content-Security-Policy %q, want the page's", url, got)
		}
		if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q, want a year, immutable", url, got)
		}
		served++
	}
	if served != assets.Len() || served != 2 {
		t.Errorf("page names %d assets, %d are embedded; want the bundle and the stylesheet", served, assets.Len())
	}
	for _, tt := range []struct {
		method, target string
		status         int
	}{
		{http.MethodHead, Path, http.StatusOK},
		{http.MethodPost, Path, http.StatusMethodNotAllowed},
		{http.MethodGet, Path + "/index.html", http.StatusNotFound},
		{http.MethodGet, Path + "/assets/0000000000000000/" + bundleName, http.StatusNotFound},
		{http.MethodGet, assets.URL("VERSIONS"), http.StatusNotFound},
	} {
		if resp, _ := get(t, h, tt.method, tt.target); resp.StatusCode != tt.status {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.target, resp.StatusCode, tt.status)
		}
	}
}
