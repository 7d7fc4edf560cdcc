#!/usr/bin/env node
/**
 * Bundles the browser demo (tools/browser-demo/main.ts) into dist/ beside a copy of index.html,
 * from the TypeScript sources of the portable entry points only: `@layerkit/<package>` and its
 * `./internal` map to `packages/<package>/src/{index,internal}.ts`; any other layerkit subpath
 * (`./node`, `./internal/node`) fails the bundle, and esbuild's `platform: 'browser'` fails it on
 * any `node:` module or Node builtin that sneaks into the graph.
 *
 *   usage: node tools/browser-demo/bundle.mjs [outdir]   (default tools/browser-demo/dist)
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..', 'packages');
const PORTABLE_ENTRY = /^@layerkit\/([a-z]+)(\/internal)?$/;

/** Resolves layerkit's portable entry points to their sources and refuses every other one. */
const portableEntryPoints = {
  name: 'layerkit-portable-entry-points',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@layerkit\// }, (args) => {
      const match = PORTABLE_ENTRY.exec(args.path);
      if (match === null) {
        return {
          errors: [{ text: `${args.path} is not a portable entry point (imported by ${args.importer})` }],
        };
      }
      return { path: join(packages, match[1], 'src', match[2] === undefined ? 'index.ts' : 'internal.ts') };
    });
  },
};

/**
 * Bundles the page into `outdir` (index.html and main.js); rejects on any build error. `entry`
 * replaces main.ts (the tests bundle entries that must fail).
 */
export async function bundleBrowserDemo(outdir = join(here, 'dist'), entry = join(here, 'main.ts')) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [entry],
    outfile: join(outdir, 'main.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    plugins: [portableEntryPoints],
    logLevel: 'silent',
  });
  copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = await bundleBrowserDemo(
    process.argv[2] === undefined ? undefined : resolve(process.argv[2]),
  );
  console.log(`browser demo bundled into ${outdir}: serve it over HTTP and open index.html`);
}
