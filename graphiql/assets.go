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
// A caller mounts the handler at "/" (the page) and at AssetsPath.
const AssetsPath = "/graphiql/"

// dist holds the npm-built files (see web/build.sh); static holds jobgraph's
// own page script, kept apart so rebuilding dist never touches it.
//
//go:embed dist/graphiql.min.js dist/graphiql.min.css dist/react.production.min.js dist/react-dom.production.min.js
var dist embed.FS

//go:embed static/start.js
var static embed.FS

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
