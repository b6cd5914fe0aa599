// Package npmtest runs, in tests, the npm tools a folder pins in its
// package.json and package-lock.json. Without them installed a test skips
// with the install command, and fails under CI=true, where a skip would
// pass a check that never ran.
package npmtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// runTimeout bounds one tool run; codegen, tsc and esbuild take seconds.
const runTimeout = 3 * time.Minute

// Folder is an npm folder: its node_modules holds the tools.
type Folder struct {
	// Dir is the folder, relative to the test's package or absolute.
	Dir string
	// Install is what a developer runs to install the tools, e.g.
	// "npm ci --no-audit --no-fund --prefix internal/schemacheck/testdata".
	Install string
}

// Bin returns the absolute path of an installed npm binary of the folder.
func (f Folder) Bin(t testing.TB, name string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join(f.Dir, "node_modules", ".bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (%v); run %s", name, err, f.Install)
		}
		t.Skipf("%s is not installed; run %s", name, f.Install)
	}
	return path
}

// NodeFor returns the path of node once the folder's package pkg is
// installed, for a test that runs a script of its own with the folder's
// packages.
func (f Folder) NodeFor(t testing.TB, pkg string) string {
	t.Helper()
	_, missing := os.Stat(filepath.Join(f.Dir, "node_modules", pkg))
	node, noNode := exec.LookPath("node")
	if missing != nil || noNode != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node or the npm package %s is missing (%v, %v); run %s", pkg, noNode, missing, f.Install)
		}
		t.Skipf("node or the npm package %s is missing; run %s", pkg, f.Install)
	}
	return node
}

// Run runs the folder's npm binary name in dir and fails the test, with the
// tool's output, when it exits with an error.
func (f Folder) Run(t testing.TB, dir, name string, args ...string) {
	t.Helper()
	run(t, dir, f.Bin(t, name), args...)
}

// Node runs a Node.js script in dir once the folder's tools are installed
// (installBin names one of them), as a build script that imports them runs.
func (f Folder) Node(t testing.TB, dir, installBin string, args ...string) {
	t.Helper()
	f.Bin(t, installBin)
	node, err := exec.LookPath("node")
	if err != nil {
		// The tools are installed, so npm and node were there.
		t.Fatalf("node is not on PATH: %v", err)
	}
	run(t, dir, node, args...)
}

func run(t testing.TB, dir, path string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	// No telemetry or update checks: tests never reach the internet.
	cmd.Env = append(os.Environ(), "NO_UPDATE_NOTIFIER=1", "NO_COLOR=1", "FORCE_COLOR=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(path), args, err, out)
	}
}
