// Package graphiql serves the GraphiQL IDE from files embedded in the binary,
// so the IDE works where the browser cannot reach the internet.
package graphiql

import (
	"bytes"
	"net/http"
	"strconv"
	"time"
)

// Options configure the served page.
type Options struct {
	// Endpoint is the GraphQL URL path the IDE POSTs to, e.g. "/graphql".
	// It must be on this server: the Content-Security-Policy allows no other origin.
	Endpoint string
	// DefaultHeaders is the JSON text prefilled in the headers editor, e.g.
	// {"Authorization":"Bearer <demo token>"}, or "" for an empty editor.
	// The editor's content is sent as request headers with every query.
	DefaultHeaders string
	// DefaultQuery is the query shown in a fresh editor tab.
	DefaultQuery string
	// Title is the page's title.
	Title string
}

// contentSecurityPolicy admits this server only: scripts, Monaco's web
// workers, requests (connect-src 'self' covers ws:// and wss:// to this host,
// for subscriptions), the stylesheet and the icon font. Two relaxations,
// both for styles the bundle makes at run time: Monaco writes <style>
// elements and style attributes as it lays out text and themes, and has no
// nonce to hand them ('unsafe-inline' for styles, never for scripts);
// GraphiQL's stylesheet embeds its Roboto and Fira Code fonts as data: URLs.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; worker-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// faviconMaxAge bounds how long a client keeps the icon served at
// FaviconPath, whose URL, unlike the assets', does not change with it.
const faviconMaxAge = "public, max-age=86400"

// Handler serves the GraphiQL page at "/", its assets under AssetsPath and
// the icon at FaviconPath. Any other path is not found. Mount it on all
// three, e.g.
//
//	mux.Handle("/{$}", h)
//	mux.Handle(graphiql.AssetsPath, h)
//	mux.Handle(graphiql.FaviconPath, h)
func Handler(opts Options) http.Handler {
	if opts.Endpoint == "" {
		opts.Endpoint = "/graphql"
	}
	if opts.Title == "" {
		opts.Title = "GraphiQL"
	}
	page, err := renderPage(opts, assets)
	return &handler{page: page, pageErr: err, assets: assets}
}

type handler struct {
	page    []byte
	pageErr error
	assets  assetSet
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	header := w.Header()
	header.Set("X-Content-Type-Options", "nosniff")
	header.Set("Referrer-Policy", "no-referrer")

	switch r.URL.Path {
	case "/":
		h.servePage(w, r)
		return
	case FaviconPath:
		h.serveAsset(w, r, h.assets.byPath[h.assets.url(faviconName)], faviconMaxAge)
		return
	}
	found, ok := h.assets.byPath[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	// The URL names the content's digest, so the content behind it never changes.
	h.serveAsset(w, r, found, "public, max-age=31536000, immutable")
}

func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, found asset, cacheControl string) {
	header := w.Header()
	header.Set("Content-Type", found.contentType)
	// A web worker is bound by the policy its own script is served with,
	// not the page's.
	header.Set("Content-Security-Policy", contentSecurityPolicy)
	header.Set("Cache-Control", cacheControl)
	header.Set("Vary", "Accept-Encoding")
	body, etag := found.body, h.assets.digest
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

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	if h.pageErr != nil {
		http.Error(w, h.pageErr.Error(), http.StatusInternalServerError)
		return
	}
	header := w.Header()
	header.Set("Content-Type", "text/html; charset=utf-8")
	header.Set("Content-Security-Policy", contentSecurityPolicy)
	// The page may carry a token in its default headers: keep it out of caches.
	header.Set("Cache-Control", "no-store")
	header.Set("X-Frame-Options", "DENY")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.page))
}
