package graphiql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"

	"jobgraph/internal/webassets"
)

// pageConfig is what the bundle's entry (web/src/main.jsx) reads to mount
// GraphiQL.
type pageConfig struct {
	Endpoint       string `json:"endpoint"`
	DefaultHeaders string `json:"defaultHeaders"`
	DefaultQuery   string `json:"defaultQuery"`
	// Workers maps a Monaco worker label to its content-addressed URL.
	Workers map[string]string `json:"workers"`
}

// The configuration travels as a JSON data block rather than inline script so
// the Content-Security-Policy can forbid inline scripts altogether.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="icon" type="image/svg+xml" href="{{.FaviconURL}}">
<link rel="stylesheet" href="{{.StylesheetURL}}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script type="application/json" id="graphiql-config">{{.Config}}</script>
<script src="{{.ScriptURL}}"></script>
</body>
</html>
`))

type pageData struct {
	Title         string
	FaviconURL    string
	StylesheetURL string
	ScriptURL     string
	Config        template.JS
}

// renderPage builds the page once per Handler: it depends only on Options.
func renderPage(opts Options, set webassets.Set) ([]byte, error) {
	// json.Marshal escapes <, > and & as \u003c and so on, and U+2028/U+2029,
	// so no value can close the data block or open markup inside it.
	workers := make(map[string]string, len(workerNames))
	for label, name := range workerNames {
		workers[label] = set.URL(name)
	}
	config, err := json.Marshal(pageConfig{
		Endpoint:       opts.Endpoint,
		DefaultHeaders: opts.DefaultHeaders,
		DefaultQuery:   opts.DefaultQuery,
		Workers:        workers,
	})
	if err != nil {
		return nil, fmt.Errorf("encode graphiql page config: %w", err)
	}
	var page bytes.Buffer
	err = pageTemplate.Execute(&page, pageData{
		Title:         opts.Title,
		FaviconURL:    set.URL(faviconName),
		StylesheetURL: set.URL(stylesheetName),
		ScriptURL:     set.URL(bundleName),
		Config:        template.JS(config),
	})
	if err != nil {
		return nil, fmt.Errorf("render graphiql page: %w", err)
	}
	return page.Bytes(), nil
}
