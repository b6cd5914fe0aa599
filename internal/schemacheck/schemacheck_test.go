package schemacheck

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// tools is the npm folder: under testdata, so that the Go code some npm
// packages ship is no part of this module.
const tools = "testdata"

// installHint is what a developer runs when the tools are missing.
const installHint = "npm ci --no-audit --no-fund --prefix internal/schemacheck/testdata"

// tool returns the path of an installed npm binary. Without node_modules the
// test skips with the install command, and fails under CI=true, where a
// skip would pass a check that never ran.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join(tools, "node_modules", ".bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (%v); run %s", name, err, installHint)
		}
		t.Skipf("%s is not installed; run %s", name, installHint)
	}
	return path
}

// run runs a tool in dir and fails the test, with the tool's output, when it
// exits with an error.
func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool(t, name), args...)
	cmd.Dir = dir
	// No telemetry or update checks: tests never reach the internet.
	cmd.Env = append(os.Environ(), "NO_UPDATE_NOTIFIER=1", "NO_COLOR=1", "FORCE_COLOR=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// The Relay connection, edge, page-info and arguments rules hold, and every
// type, field, argument and enum value has a block description.
func TestSchemaPassesGraphQLESLint(t *testing.T) {
	config, err := filepath.Abs(filepath.Join(tools, "eslint.config.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	run(t, filepath.Join("..", ".."), "eslint", "--config", config, "--max-warnings", "0", "--no-warn-ignored", "schema.graphqls")
}

// graphql-codegen's client preset accepts the operations, types every
// scalar (strictScalars), and its output type-checks under --strict with
// code that reads it as a component would.
func TestCodegenClientPresetTypeChecks(t *testing.T) {
	run(t, tools, "graphql-codegen", "--config", "codegen.yml")
	run(t, tools, "tsc", "-p", "tsconfig.json")
}

// relay-compiler compiles paginated (@connection) and refetchable
// (@refetchable, through Query.node) fragments and a mutation. It reads a
// schema only under the .graphql name, so it gets a copy.
func TestRelayCompilerCompilesFragments(t *testing.T) {
	sdl, err := os.ReadFile(filepath.Join("..", "..", "schema.graphqls"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tools, "schema.graphql"), sdl, 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, tools, "relay-compiler", "relay.config.json")
}
