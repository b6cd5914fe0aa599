// Bundles GraphiQL and Monaco's workers into ../dist with esbuild. The file
// names carry no hash: the Go handler serves them under a digest of them all.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
const packages = new Map();
for (const result of results) {
  for (const input of Object.keys(result.metafile.inputs)) {
    // The innermost node_modules names the package, nested ones included.
    const match = input.match(/^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//);
    if (match) {
      packages.set(match[2], join(webDir, match[1], match[2]));
    }
  }
}
mkdirSync(join(distDir, 'licenses'), { recursive: true });
const lines = [];
for (const name of [...packages.keys()].sort()) {
  const dir = packages.get(name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  lines.push(`${name} ${manifest.version} ${manifest.license}`);
  const licence = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE']
    .map((file) => join(dir, file))
    .find((file) => existsSync(file));
  if (licence) {
    copyFileSync(licence, join(distDir, 'licenses', `${name.replace('/', '__')}.LICENSE`));
  }
}
writeFileSync(join(distDir, 'VERSIONS'), lines.join('\n') + '\n');
