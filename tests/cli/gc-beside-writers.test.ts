/**
 * `layerkit gc` beside running writers (issue 15): a commit stores its layer before it takes the
 * layout lock to publish, and a gc in between must not delete that layer. Held deterministically
 * at that point once, then gc back to back beside parallel commits: every commit must succeed.
 */
import { join } from 'node:path';
import { gcLayout } from '@layerkit/image/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { buildCli, layerkit, layerkitInBackground, ok, startHeld, writeTree } from './cli.js';

const work = useScratchDir('cli-gc-writers');
let layout: string;
let base: string;

/** A rootfs: the base's tree plus one file of its own, so its commit writes a new layer. */
function rootfs(name: string): string {
  writeTree(join(work.path, name), { 'etc/hostname': 'base\n', [`srv/${name}.txt`]: `${name}\n` });
  return name;
}

beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  base = `oci:${layout}:base`;
  writeTree(join(work.path, 'base-rootfs'), { 'etc/hostname': 'base\n' });
  ok(['import', '--platform', 'linux/amd64', 'base-rootfs', base], { cwd: work.path });
});

describe('gc beside commits', () => {
  it('a gc between a commit storing its layer and publishing it deletes nothing the commit needs', async () => {
    // The first open of blobs/sha256 itself is the fsync after the commit's layer is renamed in.
    const run = startHeld(['commit', base, rootfs('held'), `oci:${layout}:held`], /\/blobs\/sha256$/, {
      cwd: work.path,
    });
    expect(await run.held).toBe(true);
    expect(layerkit(['gc', layout])).toMatchObject({ status: 0, stderr: '' });
    run.resume();
    const done = await run.done;
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    expect(layerkit(['verify', `oci:${layout}:held`]).status).toBe(0);
  });

  it('gc in a loop beside parallel commits fails none of them, and every tag verifies', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `writer-${i}`);
    const commits = names.map((name) =>
      layerkitInBackground(['commit', base, rootfs(name), `oci:${layout}:${name}`], { cwd: work.path }),
    );
    let finished = false;
    const all = Promise.all(commits).finally(() => {
      finished = true;
    });
    // In this process, back to back: the lock is free only between two runs, as short as it gets
    // (one event-loop turn, which also lets the commits' exits be seen).
    let gcRuns = 0;
    while (!finished) {
      await gcLayout(layout);
      gcRuns++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const results = await all;
    expect(results.map((result) => result.stderr)).toEqual(names.map(() => ''));
    expect(results.map((result) => result.status)).toEqual(names.map(() => 0));
    expect(gcRuns).toBeGreaterThan(0);
    expect(layerkit(['gc', layout])).toMatchObject({ status: 0, stderr: '' });
    for (const name of names) expect(layerkit(['verify', `oci:${layout}:${name}`]).status).toBe(0);
  });
});
