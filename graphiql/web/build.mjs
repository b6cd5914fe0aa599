// Bundles GraphiQL and Monaco's workers into ../dist with esbuild. The file
// names carry no hash: the Go handler serves them under a digest of them all.
import * as esbuild from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBundleInfo } from '../../internal/webassets/bundleinfo.mjs';

const webDir = dirname(fileURLToPath(import.meta.url));
const distDir = join(webDir, '..', 'dist');

const shared = {
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome120', 'firefox120', 'safari17'],
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  metafile: true,
};

const results = await Promise.all([
  esbuild.build({
    ...shared,
    entryPoints: { graphiql: join(webDir, 'src/main.jsx') },
    outdir: distDir,
    jsx: 'automatic',
    // Monaco's codicon font, referenced from its stylesheet by a relative URL.
    loader: { '.ttf': 'file' },
    assetNames: '[name]',
  }),
  esbuild.build({
    ...shared,
    entryPoints: {
      'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
      'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
      'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
    },
    outdir: distDir,
  }),
]);

// Every package that ended up in the bundles: its version in VERSIONS, its
// licence under licenses/.
writeBundleInfo(results.map((result) => result.metafile), webDir, distDir);
