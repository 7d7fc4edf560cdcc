#!/usr/bin/env node
/**
 * Bundles the compiled CLI (packages/cli/dist/bin.js, the output of `tsc -b`) and the workspace
 * packages it imports into one file, packages/cli/dist/layerkit.js: the `layerkit` executable.
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

// Written under a temp name and renamed: a test or a shell running layerkit.js meanwhile never
// reads a half-written bundle (test files build it concurrently).
const outfile = join(cli, 'dist', 'layerkit.js');
const temp = `${outfile}.${process.pid}.tmp`;
await build({
  entryPoints: [join(cli, 'dist', 'bin.js')],
  outfile: temp,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  external: ['@napi-rs/xattr'],
  logLevel: 'warning',
});
renameSync(temp, outfile);
