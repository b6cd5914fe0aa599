// What an esbuild build put in the bundles it wrote to distDir: every
// package's version in distDir/VERSIONS, its licence under distDir/licenses/.
// The build scripts of the embedded apps call it with esbuild's metafiles;
// nodeDir is the folder the metafiles' input paths start from.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeBundleInfo(metafiles, nodeDir, distDir) {
  const packages = new Map();
  for (const metafile of metafiles) {
    for (const input of Object.keys(metafile.inputs)) {
      // The innermost node_modules names the package, nested ones included.
      const match = input.match(/^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//);
      if (match) {
        packages.set(match[2], join(nodeDir, match[1], match[2]));
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
}
