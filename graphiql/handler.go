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

// contentSecurityPolicy admits this server only. GraphiQL sets inline styles
// on its elements and its stylesheet embeds fonts and icons as data: URLs;
// nothing else is relaxed.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the GraphiQL page at "/" and its assets under AssetsPath.
// Any other path is not found. Mount it on both, e.g.
//
//	mux.Handle("/{$}", h)
//	mux.Handle(graphiql.AssetsPath, h)
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

	if r.URL.Path == "/" {
		h.servePage(w, r)
		return
	}
	found, ok := h.assets.byPath[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	header.Set("Content-Type", found.contentType)
	// The URL names the content's digest, so the content behind it never changes.
	header.Set("Cache-Control", "public, max-age=31536000, immutable")
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
