package graphiql

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"
)

func TestAssetsServedGzippedToClientsThatAcceptIt(t *testing.T) {
	h := Handler(Options{})
	url := assets.URL(bundleName)
	plain := get(t, h, http.MethodGet, url, nil)
	plainBody := readBody(t, plain)
	zipped := get(t, h, http.MethodGet, url, http.Header{"Accept-Encoding": {"gzip, br"}})
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", zipped.Header.Get("Content-Encoding"))
	}
	for _, resp := range []*http.Response{plain, zipped} {
		if resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Vary = %q, want Accept-Encoding", resp.Header.Get("Vary"))
		}
	}
	if plain.Header.Get("ETag") == zipped.Header.Get("ETag") {
		t.Errorf("identity and gzip forms share the ETag %s", plain.Header.Get("ETag"))
	}
	compressed := readBody(t, zipped)
	reader, err := gzip.NewReader(bytes.NewReader([]byte(compressed)))
	if err != nil {
		t.Fatalf("open gzip body: %v", err)
	}
	unzipped, err := io.ReadAll(reader)
	if err != nil {
		t.Fatalf("read gzip body: %v", err)
	}
	if !bytes.Equal(unzipped, []byte(plainBody)) {
		t.Errorf("gzip body unzips to %d bytes, want the %d-byte asset", len(unzipped), len(plainBody))
	}
	if len(compressed)*3 > len(plainBody) {
		t.Errorf("gzip body is %d bytes for a %d-byte asset; want it under a third", len(compressed), len(plainBody))
	}
}

func BenchmarkServeGzippedBundle(b *testing.B) {
	h := Handler(Options{})
	url := assets.URL(bundleName)
	for b.Loop() {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", "gzip")
		h.ServeHTTP(discardResponse{header: http.Header{}}, req)
	}
}

// discardResponse drops the body so the benchmark measures the handler.
type discardResponse struct{ header http.Header }

func (d discardResponse) Header() http.Header         { return d.header }
func (d discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d discardResponse) WriteHeader(int)             {}
