#!/usr/bin/env node
/**
 * Bundles the compiled CLI (packages/cli/dist/process-entry.js, the output of `tsc -b`) and the
 * workspace packages it imports into one file, packages/cli/dist/layerkit-main.js, loaded by the
 * `layerkit` executable packages/cli/dist/layerkit.js (the bundled launcher, dist/bin.js).
 *
 * Why: Node 20 resolves, reads and compiles each ES module separately; the ~150 modules of the
 * CLI cost ~0.15 s before the first line of a command runs, as much as a whole small commit.
 * One file loads in ~0.02 s. The type-checked tsc output is what gets bundled, unminified (stack
 * traces stay readable). The xattr addon stays external: it is a native module loaded on use.
 */
import { renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'cli');
const dist = join(cli, 'dist');

/** The launcher's dynamic import of the CLI, pointed at the bundled CLI beside it. */
const bundledMain = {
  name: 'bundled-main',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\/process-entry\.js$/ }, () => ({
      path: './layerkit-main.js',
      external: true,
    }));
  },
};

/**
 * Bundles `entry` into `file` in dist/, written under a temp name and renamed: a test or a shell
 * running layerkit.js meanwhile never reads a half-written bundle (test files build it concurrently).
 */
async function bundle(entry, file, plugins = []) {
  const outfile = join(dist, file);
  const temp = `${outfile}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(dist, entry)],
    outfile: temp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    external: ['@napi-rs/xattr'],
    plugins,
    logLevel: 'warning',
  });
  renameSync(temp, outfile);
}

// The CLI first, then the launcher that loads it (bin.ts: it turns Node's compile cache on
// before the CLI is compiled, which a prelude inside one bundle could not).
await bundle('process-entry.js', 'layerkit-main.js');
await bundle('bin.js', 'layerkit.js', [bundledMain]);
