// Bundles the dashboard into dist (or the folder given as the first
// argument) with esbuild, after graphql-codegen wrote src/gql. The file
// names carry no hash: the Go handler serves them under a digest of them all.
import * as esbuild from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBundleInfo } from '../../internal/webassets/bundleinfo.mjs';

const appDir = dirname(fileURLToPath(import.meta.url));
const distDir = resolve(process.argv[2] ?? join(appDir, 'dist'));

const result = await esbuild.build({
  absWorkingDir: appDir,
  entryPoints: { dashboard: join(appDir, 'src/main.tsx') },
  outdir: distDir,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  metafile: true,
});

// Every package that ended up in the bundle: its version in VERSIONS, its
// licence under licenses/.
writeBundleInfo([result.metafile], appDir, distDir);
