package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"

	"jobgraph/bench/procs"
)

// MeshConfig says where GraphQL Mesh's npm packages are, and whether the
// harness may install them.
type MeshConfig struct {
	Enabled bool
	// Modules is the folder holding node_modules; bench/mesh's
	// package.json and package-lock.json are installed there with npm.
	Modules string
	// Install lets the harness run npm install when the packages are
	// missing; without it a missing install skips Mesh.
	Install bool
	// Reason says why Mesh is not measured, when it is not enabled.
	Reason string
}

// DefaultMeshModules is the temporary folder Mesh's packages are installed
// in: one per version of the lock file, so a run reuses an earlier run's
// install and a changed lock installs afresh.
func DefaultMeshModules(benchDir string) (string, error) {
	lock, err := os.ReadFile(filepath.Join(benchDir, "mesh", "package-lock.json"))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(lock)
	return filepath.Join(os.TempDir(), "jobgraph-bench-mesh-"+hex.EncodeToString(sum[:6])), nil
}

// errMeshNotInstalled is the skip of a run that may not install Mesh.
var errMeshNotInstalled = errors.New("GraphQL Mesh's npm packages are not installed and installing was not allowed")

// MeshInstalled reports whether Mesh's packages are in modules.
func MeshInstalled(modules string) bool {
	for _, bin := range []string{"mesh-compose", "hive-gateway"} {
		if _, err := os.Stat(filepath.Join(modules, "node_modules", ".bin", bin)); err != nil {
			return false
		}
	}
	return true
}

var meshAddress = regexp.MustCompile(`Listening on (http://[0-9.:]+)`)

// startMesh installs Mesh's packages when needed, composes the supergraph of
// gitlabsim's OpenAPI description at simURL, and starts Hive Gateway on it;
// stop ends it and removes what the run composed.
func startMesh(ctx context.Context, cfg MeshConfig, files, simURL string, logf func(string, ...any)) (p *procs.Process, stop func(), err error) {
	if !MeshInstalled(cfg.Modules) {
		if !cfg.Install {
			return nil, nil, errMeshNotInstalled
		}
		logf("mesh: npm install into %s", cfg.Modules)
		if err := os.MkdirAll(cfg.Modules, 0o755); err != nil {
			return nil, nil, err
		}
		for _, f := range []string{"package.json", "package-lock.json"} {
			if err := copyFile(filepath.Join(files, f), filepath.Join(cfg.Modules, f)); err != nil {
				return nil, nil, err
			}
		}
		install := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
		install.Dir = cfg.Modules
		if out, err := install.CombinedOutput(); err != nil {
			return nil, nil, fmt.Errorf("npm install: %w: %s", err, out)
		}
	}
	// The composition and the supergraph live in a folder of this run, under
	// the packages' folder so that Node finds them.
	work, err := os.MkdirTemp(cfg.Modules, "run-")
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(work)
		}
	}()
	for _, f := range []string{"mesh.config.ts", "gitlabsim.openapi.yaml"} {
		if err := copyFile(filepath.Join(files, f), filepath.Join(work, f)); err != nil {
			return nil, nil, err
		}
	}
	bin := func(name string) string { return filepath.Join(cfg.Modules, "node_modules", ".bin", name) }
	compose := exec.CommandContext(ctx, "node", bin("mesh-compose"), "-o", "supergraph.graphql")
	compose.Dir = work
	compose.Env = append(os.Environ(), "GITLAB_API_URL="+simURL+"/api/v4")
	if out, err := compose.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("mesh-compose: %w: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	logf("mesh: Hive Gateway on port %d", port)
	p, err = procs.Start(ctx, "node", []string{bin("hive-gateway"), "supergraph", "supergraph.graphql",
		"--host", "127.0.0.1", "--port", strconv.Itoa(port)}, meshAddress, work, "NODE_ENV=production")
	if err != nil {
		return nil, nil, err
	}
	return p, func() { p.Stop(); os.RemoveAll(work) }, nil
}

// freePort is a loopback port nothing listens on (Hive Gateway takes no
// port 0).
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}
