/**
 * The executable turns on Node's compile cache where Node has it (22.1+), in the OS temp dir,
 * never beside the CLI, and runs uncached, silently, where no cache can be made.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { BIN, layerkit } from './cli.js';

const scratch = useScratchDir('compile-cache', { per: 'test' });
/** The runs use this process's Node: the cache exists where its node:module can make one. */
const nodeHasCache =
  typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
/** Node's own switches, unset so that the CLI's default is what runs. */
const NO_CACHE_SETTINGS = { NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined };

describe(`the compile cache (Node ${process.version})`, () => {
  it(`is ${nodeHasCache ? 'made in the OS temp dir' : 'left off: node:module has no enableCompileCache'}, never beside the CLI`, () => {
    const beside = readdirSync(dirname(BIN)).sort();
    const run = layerkit(['--version'], { env: { ...NO_CACHE_SETTINGS, TMPDIR: scratch.path } });
    expect(run).toMatchObject({ status: 0, stdout: 'layerkit 0.1.0\n', stderr: '' });
    expect(readdirSync(scratch.path)).toEqual(nodeHasCache ? ['node-compile-cache'] : []);
    expect(readdirSync(dirname(BIN)).sort()).toEqual(beside);
  });

  it('runs the command uncached and silent when the temp dir cannot hold a cache', () => {
    // A path below a regular file: no directory can be made there, even by root.
    const file = join(scratch.path, 'not-a-dir');
    writeFileSync(file, '');
    for (const env of [{ TMPDIR: join(file, 'tmp') }, { NODE_COMPILE_CACHE: file }]) {
      const run = layerkit(['--version'], { env: { ...NO_CACHE_SETTINGS, ...env } });
      expect(run).toMatchObject({ status: 0, stdout: 'layerkit 0.1.0\n', stderr: '' });
    }
    expect(readdirSync(scratch.path)).toEqual(['not-a-dir']);
  });
});
