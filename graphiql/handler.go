// Package graphiql serves the GraphiQL IDE from files embedded in the binary,
// so the IDE works where the browser cannot reach the internet.
package graphiql

import (
	"net/http"

	"jobgraph/internal/webassets"
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
	assets  webassets.Set
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !webassets.Readable(w, r) {
		return
	}
	switch r.URL.Path {
	case "/":
		h.servePage(w, r)
		return
	case FaviconPath:
		icon, _ := h.assets.Lookup(h.assets.URL(faviconName))
		h.assets.Serve(w, r, icon, contentSecurityPolicy, faviconMaxAge)
		return
	}
	found, ok := h.assets.Lookup(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.assets.Serve(w, r, found, contentSecurityPolicy, webassets.Immutable)
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	if h.pageErr != nil {
		http.Error(w, h.pageErr.Error(), http.StatusInternalServerError)
		return
	}
	// The page may carry a token in its default headers.
	webassets.ServePage(w, r, h.page, contentSecurityPolicy)
}
