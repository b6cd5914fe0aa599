#!/usr/bin/env bash
# Rebuilds dist/ from the npm registry at the versions pinned in
# package-lock.json: graphql-codegen types the operations from the schema
# (codegen.yml), then esbuild bundles the dashboard (build.mjs). dist/ is
# committed so that building jobgraph needs no npm; the same sources and
# lock file build the same bytes.
set -euo pipefail

app_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

cd "$app_dir"
# --ignore-scripts: no install script of any dependency is needed (esbuild's
# binary comes in its platform package), so none is run.
npm ci --ignore-scripts --no-audit --no-fund

npx --no-install graphql-codegen --config codegen.yml
rm -rf dist
node build.mjs dist
echo "dashboard assets written to $app_dir/dist:"
ls -l dist
