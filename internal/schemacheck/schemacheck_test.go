package schemacheck

import (
	"os"
	"path/filepath"
	"testing"

	"jobgraph/internal/npmtest"
)

// tools is the npm folder: under testdata, so that the Go code some npm
// packages ship is no part of this module.
var tools = npmtest.Folder{
	Dir:     "testdata",
	Install: "npm ci --no-audit --no-fund --prefix internal/schemacheck/testdata",
}

// The Relay connection, edge, page-info and arguments rules hold, and every
// type, field, argument and enum value has a block description.
func TestSchemaPassesGraphQLESLint(t *testing.T) {
	config, err := filepath.Abs(filepath.Join(tools.Dir, "eslint.config.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	tools.Run(t, filepath.Join("..", ".."), "eslint", "--config", config, "--max-warnings", "0", "--no-warn-ignored", "schema.graphqls")
}

// graphql-codegen's client preset accepts the operations, types every
// scalar (strictScalars), and its output type-checks under --strict with
// code that reads it as a component would.
func TestCodegenClientPresetTypeChecks(t *testing.T) {
	tools.Run(t, tools.Dir, "graphql-codegen", "--config", "codegen.yml")
	tools.Run(t, tools.Dir, "tsc", "-p", "tsconfig.json")
}

// relay-compiler compiles paginated (@connection) and refetchable
// (@refetchable, through Query.node) fragments and a mutation. It reads a
// schema only under the .graphql name, so it gets a copy.
func TestRelayCompilerCompilesFragments(t *testing.T) {
	sdl, err := os.ReadFile(filepath.Join("..", "..", "schema.graphqls"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tools.Dir, "schema.graphql"), sdl, 0o644); err != nil {
		t.Fatal(err)
	}
	tools.Run(t, tools.Dir, "relay-compiler", "relay.config.json")
}
