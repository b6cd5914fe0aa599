#!/usr/bin/env bash
# Rebuilds graphiql/dist from the npm registry at the versions pinned in
# package-lock.json: esbuild bundles GraphiQL 5, its explorer plugin and
# Monaco's web workers (build.mjs). dist/ is committed so that building
# jobgraph needs no npm and the served page needs no internet.
set -euo pipefail

web_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dist_dir="$(cd "$web_dir/.." && pwd)/dist"

cd "$web_dir"
# --ignore-scripts: no install script of any dependency is needed (esbuild's
# binary comes in its platform package), so none is run.
npm ci --ignore-scripts --no-audit --no-fund

rm -rf "$dist_dir"
node build.mjs
rm -rf node_modules
echo "graphiql assets written to $dist_dir:"
ls -l "$dist_dir"
