// Package webassets serves the built files of a browser app embedded in the
// binary, under URLs that name a digest of them all: a browser may cache
// them forever, and a new binary's files are fetched anew.
package webassets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Immutable is the Cache-Control of an asset served under its digest: the
// content behind such a URL never changes.
const Immutable = "public, max-age=31536000, immutable"

// Source is a folder of an fs.FS whose files are all served.
type Source struct {
	FS  fs.FS
	Dir string
}

// Asset is one embedded file. Its gzip form is made on first request, so
// starting the server costs nothing.
type Asset struct {
	contentType string
	body        []byte
	gzipped     func() ([]byte, error)
}

// ContentType is the asset's media type, from its extension.
func (a Asset) ContentType() string { return a.contentType }

// Body is the asset's content.
func (a Asset) Body() []byte { return a.body }

// Set maps the URL path of each asset to the asset.
type Set struct {
	digest string
	prefix string
	byPath map[string]Asset
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".ttf": "font/ttf",
	".svg": "image/svg+xml",
}

// MustLoad is Load that panics, like template.Must: with embedded sources it
// can fail only when the embed patterns and the known extensions drift
// apart, a build defect any test of the caller catches.
func MustLoad(prefix string, sources ...Source) Set {
	set, err := Load(prefix, sources...)
	if err != nil {
		panic(err)
	}
	return set
}

// Load reads every file of the sources and serves each under
// prefix + digest + "/" + its name; names must be unique across sources.
func Load(prefix string, sources ...Source) (Set, error) {
	files := map[string][]byte{}
	for _, src := range sources {
		entries, err := fs.ReadDir(src.FS, src.Dir)
		if err != nil {
			return Set{}, fmt.Errorf("read embedded %s: %w", src.Dir, err)
		}
		for _, entry := range entries {
			if _, dup := files[entry.Name()]; dup {
				return Set{}, fmt.Errorf("embedded asset %s: two sources have it", entry.Name())
			}
			body, err := fs.ReadFile(src.FS, path.Join(src.Dir, entry.Name()))
			if err != nil {
				return Set{}, fmt.Errorf("read embedded %s: %w", entry.Name(), err)
			}
			files[entry.Name()] = body
		}
	}

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	digest := sha256.New()
	for _, name := range names {
		fmt.Fprintf(digest, "%s\x00%d\x00", name, len(files[name]))
		digest.Write(files[name])
	}

	version := hex.EncodeToString(digest.Sum(nil))[:16]
	set := Set{
		digest: version,
		prefix: prefix + version + "/",
		byPath: make(map[string]Asset, len(files)),
	}
	for _, name := range names {
		contentType, ok := contentTypes[path.Ext(name)]
		if !ok {
			return Set{}, fmt.Errorf("embedded asset %s: no content type for its extension", name)
		}
		body := files[name]
		set.byPath[set.prefix+name] = Asset{
			contentType: contentType,
			body:        body,
			gzipped:     sync.OnceValues(func() ([]byte, error) { return gzipBytes(body) }),
		}
	}
	return set, nil
}

// URL returns the URL path of the named asset.
func (s Set) URL(name string) string {
	return s.prefix + name
}

// Lookup returns the asset served at urlPath.
func (s Set) Lookup(urlPath string) (Asset, bool) {
	found, ok := s.byPath[urlPath]
	return found, ok
}

// Len is the number of assets.
func (s Set) Len() int { return len(s.byPath) }

// Serve answers with the asset, gzip-encoded for a client that accepts it,
// under the given Content-Security-Policy (a web worker is bound by the
// policy its own script is served with, not the page's) and Cache-Control.
func (s Set) Serve(w http.ResponseWriter, r *http.Request, found Asset, csp, cacheControl string) {
	header := w.Header()
	header.Set("Content-Type", found.contentType)
	header.Set("Content-Security-Policy", csp)
	header.Set("Cache-Control", cacheControl)
	header.Set("Vary", "Accept-Encoding")
	body, etag := found.body, s.digest
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		// On a compression failure the identity encoding still serves the asset.
		if gzipped, err := found.gzipped(); err == nil {
			body, etag = gzipped, etag+"-gzip"
			header.Set("Content-Encoding", "gzip")
		}
	}
	header.Set("ETag", strconv.Quote(etag))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// Readable answers 405 to a method other than GET and HEAD and reports
// false; otherwise it sets the headers every answer of an app carries and
// reports true.
func Readable(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return false
	}
	header := w.Header()
	header.Set("X-Content-Type-Options", "nosniff")
	header.Set("Referrer-Policy", "no-referrer")
	return true
}

// ServePage answers with an app's HTML page under the policy csp. The page
// may carry a token in its settings, so no cache keeps it, and no other site
// may frame it.
func ServePage(w http.ResponseWriter, r *http.Request, page []byte, csp string) {
	header := w.Header()
	header.Set("Content-Type", "text/html; charset=utf-8")
	header.Set("Content-Security-Policy", csp)
	header.Set("Cache-Control", "no-store")
	header.Set("X-Frame-Options", "DENY")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(page))
}
