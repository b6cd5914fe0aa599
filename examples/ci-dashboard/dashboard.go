// Package dashboard serves the example CI dashboard (src/, a React and urql
// app typed by graphql-codegen from jobgraph's schema) from its build in
// dist/, embedded in the binary: serving it needs no npm. build.sh rebuilds
// dist/ from the versions package-lock.json pins.
package dashboard

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"

	"jobgraph/internal/webassets"
)

// Path is where the dashboard's page is served; its assets are served
// under Path + "/assets/". Mount the handler at Path and at Path + "/".
const Path = "/dashboard"

//go:embed dist/*.js dist/*.css
var dist embed.FS

const (
	bundleName     = "dashboard.js"
	stylesheetName = "dashboard.css"
)

// assets is built once: the embedded files never change while running.
var assets = webassets.MustLoad(Path+"/assets/", webassets.Source{FS: dist, Dir: "dist"})

// contentSecurityPolicy admits this server only, with no relaxation: the
// bundle, the stylesheet and requests to the GraphQL endpoint come from
// here, the page's settings travel as a JSON data block rather than inline
// script, React sets no inline styles, and the log's HTML carries classes,
// not style attributes. img-src 'self' is for the icon at /favicon.ico.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Options configure the served page.
type Options struct {
	// Endpoint is the GraphQL URL path the dashboard POSTs to, e.g.
	// "/graphql"; it must be on this server, as the policy allows no other.
	Endpoint string
	// DefaultToken is the token the page starts with when the browser has
	// none stored, e.g. the demo token; "" starts with an empty field.
	DefaultToken string
}

// pageConfig is what the bundle's entry (src/config.ts) reads.
type pageConfig struct {
	Endpoint     string `json:"endpoint"`
	DefaultToken string `json:"defaultToken"`
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CI dashboard · jobgraph</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="{{.StylesheetURL}}">
</head>
<body>
<div id="dashboard">Loading the dashboard…</div>
<script type="application/json" id="dashboard-config">{{.Config}}</script>
<script src="{{.ScriptURL}}"></script>
</body>
</html>
`))

// Handler serves the page at Path and Path + "/", and the assets under
// Path + "/assets/"; any other path is not found.
func Handler(opts Options) http.Handler {
	if opts.Endpoint == "" {
		opts.Endpoint = "/graphql"
	}
	page, err := renderPage(opts)
	return &handler{page: page, pageErr: err}
}

func renderPage(opts Options) ([]byte, error) {
	// json.Marshal escapes <, > and & and U+2028/U+2029, so no token can
	// close the data block or open markup inside it.
	config, err := json.Marshal(pageConfig(opts))
	if err != nil {
		return nil, fmt.Errorf("encode dashboard page config: %w", err)
	}
	var page bytes.Buffer
	err = pageTemplate.Execute(&page, struct {
		StylesheetURL, ScriptURL string
		Config                   template.JS
	}{assets.URL(stylesheetName), assets.URL(bundleName), template.JS(config)})
	if err != nil {
		return nil, fmt.Errorf("render dashboard page: %w", err)
	}
	return page.Bytes(), nil
}

type handler struct {
	page    []byte
	pageErr error
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !webassets.Readable(w, r) {
		return
	}
	if r.URL.Path == Path || r.URL.Path == Path+"/" {
		h.servePage(w, r)
		return
	}
	found, ok := assets.Lookup(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	assets.Serve(w, r, found, contentSecurityPolicy, webassets.Immutable)
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	if h.pageErr != nil {
		http.Error(w, h.pageErr.Error(), http.StatusInternalServerError)
		return
	}
	// The page may carry the demo token.
	webassets.ServePage(w, r, h.page, contentSecurityPolicy)
}
