package dashboard

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"jobgraph/internal/npmtest"
)

// tools is this folder's npm packages, pinned by package-lock.json.
var tools = npmtest.Folder{
	Dir:     ".",
	Install: "npm ci --no-audit --no-fund --prefix examples/ci-dashboard",
}

// graphql-codegen's client preset types the dashboard's operations from the
// schema, and tsc --strict accepts the app reading them: a schema change
// that breaks this frontend fails here.
func TestSourcesTypeCheckAgainstTheSchema(t *testing.T) {
	tools.Run(t, ".", "graphql-codegen", "--config", "codegen.yml")
	tools.Run(t, ".", "tsc", "-p", "tsconfig.json")
}

// The committed dist/ is what the sources and the pinned packages build, byte
// for byte: a change to src/ without a rebuild fails here.
func TestCommittedBundleIsBuiltFromTheSources(t *testing.T) {
	tools.Run(t, ".", "graphql-codegen", "--config", "codegen.yml")
	built := t.TempDir()
	tools.Node(t, ".", "esbuild", "build.mjs", built)

	want, got := readTree(t, "dist"), readTree(t, built)
	if gotNames, wantNames := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(gotNames, wantNames) {
		t.Fatalf("the build writes %q, dist/ holds %q; run examples/ci-dashboard/build.sh", gotNames, wantNames)
	}
	for name, body := range got {
		if !bytes.Equal(body, want[name]) {
			t.Errorf("dist/%s differs from what the sources build (%d bytes built, %d committed); run examples/ci-dashboard/build.sh",
				name, len(body), len(want[name]))
		}
	}
}

// readTree reads every file under dir, by slash-separated path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = body
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
