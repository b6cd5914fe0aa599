package webassets

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadNamesEveryAssetUnderADigestOfAll(t *testing.T) {
	app := fstest.MapFS{"dist/app.js": {Data: []byte("run()")}, "dist/app.css": {Data: []byte("p{}")}}
	icons := fstest.MapFS{"static/icon.svg": {Data: []byte("<svg/>")}}
	set, err := Load("/app/", Source{app, "dist"}, Source{icons, "static"})
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 3 {
		t.Errorf("Len() = %d, want 3", set.Len())
	}
	url := set.URL("app.js")
	if !strings.HasPrefix(url, "/app/") || !strings.HasSuffix(url, "/app.js") {
		t.Errorf("URL(app.js) = %q, want /app/<digest>/app.js", url)
	}
	found, ok := set.Lookup(url)
	if !ok || string(found.Body()) != "run()" || found.ContentType() != "text/javascript; charset=utf-8" {
		t.Errorf("Lookup(%s) = %q %q %v", url, found.Body(), found.ContentType(), ok)
	}

	app["dist/app.css"] = &fstest.MapFile{Data: []byte("p{color:red}")}
	changed, err := Load("/app/", Source{app, "dist"}, Source{icons, "static"})
	if err != nil {
		t.Fatal(err)
	}
	if changed.URL("app.js") == url {
		t.Errorf("a changed stylesheet left app.js at %s; every URL must name the digest of all assets", url)
	}
}

func TestLoadRefusesWhatItCannotServe(t *testing.T) {
	tests := []struct {
		name    string
		sources []Source
		want    string
	}{
		{"unknown extension", []Source{{fstest.MapFS{"dist/VERSIONS": {}}, "dist"}}, "no content type"},
		{"one name twice", []Source{{fstest.MapFS{"a/x.js": {}}, "a"}, {fstest.MapFS{"b/x.js": {}}, "b"}}, "two sources"},
		{"missing folder", []Source{{fstest.MapFS{}, "dist"}}, "read embedded dist"},
	}
	for _, tt := range tests {
		if _, err := Load("/app/", tt.sources...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Load() error = %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}

func TestServeSetsThePolicyAndRevalidates(t *testing.T) {
	set := MustLoad("/app/", Source{fstest.MapFS{"dist/app.js": {Data: []byte(strings.Repeat("run();", 1000))}}, "dist"})
	found, _ := set.Lookup(set.URL("app.js"))
	serve := func(header http.Header) *http.Response {
		req := httptest.NewRequest(http.MethodGet, set.URL("app.js"), nil)
		req.Header = header
		rec := httptest.NewRecorder()
		set.Serve(rec, req, found, "default-src 'none'", Immutable)
		return rec.Result()
	}
	plain := serve(http.Header{})
	if got := plain.Header.Get("Content-Security-Policy"); got != "default-src 'none'" {
		t.Errorf("Content-Security-Policy = %q", got)
	}
	if got := plain.Header.Get("Cache-Control"); got != Immutable {
		t.Errorf("Cache-Control = %q, want %q", got, Immutable)
	}
	zipped := serve(http.Header{"Accept-Encoding": {"gzip"}})
	if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("ETag") == plain.Header.Get("ETag") {
		t.Errorf("gzip answer: Content-Encoding %q, ETag %q (identity's %q)",
			zipped.Header.Get("Content-Encoding"), zipped.Header.Get("ETag"), plain.Header.Get("ETag"))
	}
	if again := serve(http.Header{"If-None-Match": {plain.Header.Get("ETag")}}); again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation = %d, want 304", again.StatusCode)
	}
}
