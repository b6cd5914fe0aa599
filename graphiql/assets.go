package graphiql

import (
	"embed"

	"jobgraph/internal/webassets"
)

// AssetsPath is the path prefix under which the handler serves its assets.
// A caller mounts the handler at "/" (the page), at AssetsPath and at
// FaviconPath.
const AssetsPath = "/graphiql/"

// FaviconPath is where browsers and other clients look for a site's icon
// when a page names none; the handler serves jobgraph's icon there too.
const FaviconPath = "/favicon.ico"

// dist holds the esbuild output (see web/build.sh): GraphiQL's bundle and
// stylesheet, Monaco's web workers and its icon font. static holds jobgraph's
// own files, kept apart so rebuilding dist never touches them.
//
//go:embed dist/*.js dist/*.css dist/*.ttf
var dist embed.FS

//go:embed static/favicon.svg
var static embed.FS

// Names of the assets the page and the GraphiQL bundle refer to.
const (
	bundleName     = "graphiql.js"
	stylesheetName = "graphiql.css"
	faviconName    = "favicon.svg"
)

// workerNames maps the labels Monaco asks workers for to their files;
// "editor" serves every label without a worker of its own.
var workerNames = map[string]string{
	"editor":  "editor.worker.js",
	"json":    "json.worker.js",
	"graphql": "graphql.worker.js",
}

// assets is built once: the embedded files never change while running.
var assets = webassets.MustLoad(AssetsPath+"assets/",
	webassets.Source{FS: dist, Dir: "dist"}, webassets.Source{FS: static, Dir: "static"})
