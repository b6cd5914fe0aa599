#!/usr/bin/env bash
# Rebuilds graphiql/dist from the npm registry at the versions pinned in
# package-lock.json. dist/ is committed so that building jobgraph needs no npm
# and the served page needs no internet.
set -euo pipefail

web_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dist_dir="$(cd "$web_dir/.." && pwd)/dist"

cd "$web_dir"
# --ignore-scripts: the UMD files ship prebuilt in the tarballs; no install
# script of any dependency is needed, so none is run.
npm ci --ignore-scripts --no-audit --no-fund

rm -rf "$dist_dir"
mkdir -p "$dist_dir/licenses"
cp node_modules/graphiql/graphiql.min.js \
   node_modules/graphiql/graphiql.min.css \
   node_modules/react/umd/react.production.min.js \
   node_modules/react-dom/umd/react-dom.production.min.js \
   "$dist_dir/"
for pkg in graphiql react react-dom; do
  cp "node_modules/$pkg/LICENSE" "$dist_dir/licenses/$pkg.LICENSE"
done
node -e '
  const lock = require("./package-lock.json");
  for (const pkg of ["graphiql", "@graphiql/react", "graphql", "react", "react-dom"]) {
    console.log(pkg + " " + lock.packages["node_modules/" + pkg].version);
  }
' > "$dist_dir/VERSIONS"
rm -rf node_modules
echo "graphiql assets written to $dist_dir:"
cat "$dist_dir/VERSIONS"
