// build.mjs — bundles the shipped artifacts with esbuild (DEPENDENCIES.md §1, §2.4, §2.5).
//   dist/kuryr-cni.cjs  the CNI executable: node builtins only, CommonJS (a shebang'd ESM-less bundle
//                       inside a "type": "module" package needs the .cjs suffix), minified
//   dist/kuryr-cni      2-line sh wrapper installed as /opt/cni/bin/kuryr-cni
//   dist/kuryr.js       the operator/daemon CLI, ESM, npm packages left external (netlink/koffi carry .node files)
// usage: node scripts/build.mjs [cni]   (`cni`: only the CNI executable, as the CNI tests and bench need)
import { build } from 'esbuild';
import { chmodSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [join(root, 'src/cmd/kuryr-cni.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  outfile: join(dist, 'kuryr-cni.cjs'),
  logLevel: 'warning',
});

// The wrapper finds the bundle next to itself, or next to the file it is a symlink of, unless
// KURYR_CNI_BUNDLE names it (packages: /usr/lib/kuryr/kuryr-cni.cjs). No subprocess in the common case:
// start-up is on every runtime's hot path.
const wrapper = `#!/bin/sh
b=\${KURYR_CNI_BUNDLE:-\${0%/*}/kuryr-cni.cjs}
if [ ! -f "$b" ]; then b=$(readlink -f "$0"); b=\${b%/*}/kuryr-cni.cjs; fi
exec node "$b" "$@"
`;
writeFileSync(join(dist, 'kuryr-cni'), wrapper);
chmodSync(join(dist, 'kuryr-cni'), 0o755);

const cli = join(root, 'src/cmd/kuryr.ts');
if (process.argv[2] !== 'cni' && existsSync(cli)) {
  await build({
    entryPoints: [cli],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
    outfile: join(dist, 'kuryr.js'),
    logLevel: 'warning',
  });
  chmodSync(join(dist, 'kuryr.js'), 0o755);
}
