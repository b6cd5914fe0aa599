package graphiql

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for name, values := range header {
		req.Header[name] = values
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(body)
}

var (
	srcOrHref    = regexp.MustCompile(`(?:src|href)="([^"]*)"`)
	configBlock  = regexp.MustCompile(`(?s)<script type="application/json" id="graphiql-config">(.*?)</script>`)
	cssURLs      = regexp.MustCompile(`url\("?([^")]*)"?\)`)
	absoluteURLs = regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9.-]+`)
)

func TestPageReferencesOnlyEmbeddedAssets(t *testing.T) {
	h := Handler(Options{Endpoint: "/graphql", Title: "jobgraph"})
	resp := get(t, h, http.MethodGet, "/", nil)
	page := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", resp.StatusCode)
	}
	wantHeaders := map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": contentSecurityPolicy,
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
	}
	for name, want := range wantHeaders {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("page header %s = %q, want %q", name, got, want)
		}
	}
	if found := absoluteURLs.FindAllString(page, -1); len(found) > 0 {
		t.Errorf("page names other origins %v; every asset must come from this server", found)
	}

	// What the browser fetches: the page's links, the workers the config
	// names and what the stylesheet refers to. Together they must be the
	// embedded assets, each served.
	referenced := map[string]bool{}
	for _, ref := range srcOrHref.FindAllStringSubmatch(page, -1) {
		referenced[ref[1]] = true
	}
	for _, url := range pageConfigOf(t, page).Workers {
		referenced[url] = true
	}
	stylesheet := readBody(t, get(t, h, http.MethodGet, assets.URL(stylesheetName), nil))
	for _, ref := range cssURLs.FindAllStringSubmatch(stylesheet, -1) {
		if !strings.HasPrefix(ref[1], "data:") {
			referenced[path.Join(path.Dir(assets.URL(stylesheetName)), ref[1])] = true
		}
	}
	if len(referenced) != assets.Len() {
		t.Errorf("page and stylesheet reference %d assets, %d are embedded: %v", len(referenced), assets.Len(), referenced)
	}
	for url := range referenced {
		if !strings.HasPrefix(url, AssetsPath) {
			t.Errorf("page references %q outside %s", url, AssetsPath)
			continue
		}
		resp := get(t, h, http.MethodGet, url, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || body == "" {
			t.Errorf("GET %s = %d with %d bytes, want 200 with the asset", url, resp.StatusCode, len(body))
		}
		found, _ := assets.Lookup(url)
		if want := found.ContentType(); resp.Header.Get("Content-Type") != want || want == "" {
			t.Errorf("GET %s Content-Type = %q, want %q", url, resp.Header.Get("Content-Type"), want)
		}
		if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s Cache-Control = %q, want a year, immutable", url, got)
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != contentSecurityPolicy {
			t.Errorf("GET %s Content-Security-Policy = %q, want the page's", url, got)
		}
	}
}

// pageConfigOf decodes the page's config block.
func pageConfigOf(t *testing.T, page string) pageConfig {
	t.Helper()
	match := configBlock.FindStringSubmatch(page)
	if match == nil {
		t.Fatalf("page has no config block:\n%s", page)
	}
	if strings.ContainsAny(match[1], "<>&\u2028\u2029") {
		t.Errorf("config block holds raw <, >, & or line separators: %s", match[1])
	}
	var config pageConfig
	if err := json.Unmarshal([]byte(match[1]), &config); err != nil {
		t.Fatalf("config block is not JSON: %v\n%s", err, match[1])
	}
	return config
}

func TestFaviconServed(t *testing.T) {
	h := Handler(Options{})
	resp := get(t, h, http.MethodGet, FaviconPath, nil)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "<svg ") {
		t.Fatalf("GET %s = %d with %q, want 200 with the SVG icon", FaviconPath, resp.StatusCode, body)
	}
	wantHeaders := map[string]string{
		"Content-Type":           "image/svg+xml",
		"Cache-Control":          faviconMaxAge,
		"X-Content-Type-Options": "nosniff",
	}
	for name, want := range wantHeaders {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s header %s = %q, want %q", FaviconPath, name, got, want)
		}
	}
	if linked := readBody(t, get(t, h, http.MethodGet, assets.URL(faviconName), nil)); linked != body {
		t.Errorf("%s and the page's icon link serve different icons", FaviconPath)
	}
}

func TestEmbeddedAssetsAreTheBuiltFiles(t *testing.T) {
	wantPrefixes := map[string]string{
		bundleName:          "(()=>{",
		stylesheetName:      ".monaco-editor{",
		"editor.worker.js":  "(()=>{",
		"json.worker.js":    "(()=>{",
		"graphql.worker.js": "(()=>{",
		"codicon.ttf":       "\x00\x01\x00\x00",
		faviconName:         "<svg ",
	}
	for name, prefix := range wantPrefixes {
		found, ok := assets.Lookup(assets.URL(name))
		if !ok {
			t.Errorf("asset %s is not embedded", name)
			continue
		}
		if len(found.Body()) == 0 || !strings.HasPrefix(string(found.Body()), prefix) {
			t.Errorf("asset %s (%d bytes) does not start with %q", name, len(found.Body()), prefix)
		}
	}
}

func TestAssetRevalidation(t *testing.T) {
	h := Handler(Options{})
	url := assets.URL(faviconName)
	first := get(t, h, http.MethodGet, url, nil)
	etag := first.Header.Get("ETag")
	if etag == "" {
		t.Fatalf("GET %s has no ETag", url)
	}
	again := get(t, h, http.MethodGet, url, http.Header{"If-None-Match": {etag}})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("GET %s with If-None-Match = %d, want 304", url, again.StatusCode)
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	h := Handler(Options{})
	tests := []struct {
		method, target string
		wantStatus     int
	}{
		{http.MethodHead, "/", http.StatusOK},
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodGet, "/index.html", http.StatusNotFound},
		{http.MethodGet, AssetsPath, http.StatusNotFound},
		{http.MethodGet, AssetsPath + "assets/0000000000000000/" + bundleName, http.StatusNotFound},
		{http.MethodGet, assets.URL("../dist/" + bundleName), http.StatusNotFound},
		{http.MethodGet, assets.URL("licenses/graphiql.LICENSE"), http.StatusNotFound},
		{http.MethodGet, assets.URL("VERSIONS"), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			resp := get(t, h, tt.method, tt.target, nil)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.target, resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q, want %q", resp.Header.Get("Allow"), "GET, HEAD")
			}
		})
	}
}

func TestPageConfigCannotBreakOutOfThePage(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"plain demo token", Options{Endpoint: "/graphql", DefaultHeaders: `{"Authorization":"Bearer glpat-demo"}`}},
		{"token closing the script", Options{DefaultHeaders: `{"Authorization":"Bearer </script><script>alert(1)</script>"}`}},
		{"quotes and backslashes", Options{DefaultHeaders: `{"X":"a\"b\\c'd"}`, DefaultQuery: `{ a(s: "\"") }`}},
		{"comment and CDATA openers", Options{DefaultQuery: "<!-- <![CDATA[ ]]> -->", Title: "</title><script>alert(1)</script>"}},
		{"line separators", Options{DefaultQuery: "a\u2028b\u2029c\n"}},
		{"invalid JSON headers stay text", Options{DefaultHeaders: `{"Authorization": Bearer x`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := readBody(t, get(t, Handler(tt.opts), http.MethodGet, "/", nil))
			if n := strings.Count(page, "<script"); n != 2 {
				t.Errorf("page has %d script elements, want 2 (config and the bundle):\n%s", n, page)
			}
			if n := strings.Count(page, "</script>"); n != 2 {
				t.Errorf("page closes %d script elements, want 2:\n%s", n, page)
			}
			got := pageConfigOf(t, page)
			want := pageConfig{Endpoint: tt.opts.Endpoint, DefaultHeaders: tt.opts.DefaultHeaders, DefaultQuery: tt.opts.DefaultQuery, Workers: got.Workers}
			if want.Endpoint == "" {
				want.Endpoint = "/graphql"
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("config block decodes to %+v, want %+v", got, want)
			}
			if tt.opts.Title != "" && strings.Contains(page, tt.opts.Title) {
				t.Errorf("title appears unescaped in the page:\n%s", page)
			}
		})
	}
}
