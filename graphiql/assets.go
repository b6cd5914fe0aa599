package graphiql

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"
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

// asset is one embedded file served under a content-addressed URL. Its gzip
// form is made on first request, so starting the server costs nothing.
type asset struct {
	contentType string
	body        []byte
	gzipped     func() ([]byte, error)
}

// assetSet maps a URL path to its asset. The URL carries a digest of every
// asset so a browser may cache them forever and a new binary is fetched anew.
type assetSet struct {
	digest string
	prefix string
	byPath map[string]asset
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".ttf": "font/ttf",
	".svg": "image/svg+xml",
}

// assets is built once: the embedded files never change while running.
var assets = mustLoadAssets()

// mustLoadAssets panics like template.Must: it can fail only when the embed
// patterns and contentTypes drift apart, a build defect every test catches.
func mustLoadAssets() assetSet {
	set, err := loadAssets()
	if err != nil {
		panic(err)
	}
	return set
}

func loadAssets() (assetSet, error) {
	files := map[string][]byte{}
	for _, src := range []struct {
		fsys fs.FS
		dir  string
	}{{dist, "dist"}, {static, "static"}} {
		entries, err := fs.ReadDir(src.fsys, src.dir)
		if err != nil {
			return assetSet{}, fmt.Errorf("read embedded %s: %w", src.dir, err)
		}
		for _, entry := range entries {
			body, err := fs.ReadFile(src.fsys, path.Join(src.dir, entry.Name()))
			if err != nil {
				return assetSet{}, fmt.Errorf("read embedded %s: %w", entry.Name(), err)
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
	set := assetSet{
		digest: version,
		prefix: AssetsPath + "assets/" + version + "/",
		byPath: make(map[string]asset, len(files)),
	}
	for _, name := range names {
		contentType, ok := contentTypes[path.Ext(name)]
		if !ok {
			return assetSet{}, fmt.Errorf("embedded asset %s: no content type for its extension", name)
		}
		body := files[name]
		set.byPath[set.prefix+name] = asset{
			contentType: contentType,
			body:        body,
			gzipped:     sync.OnceValues(func() ([]byte, error) { return gzipBytes(body) }),
		}
	}
	return set, nil
}

// url returns the URL path of the named asset.
func (s assetSet) url(name string) string {
	return s.prefix + name
}
