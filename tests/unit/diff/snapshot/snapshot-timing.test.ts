/**
 * How long "commit after a 1-file change" takes to find its change on 20,000 files: the snapshot
 * as the lower tree vs a plain stat walk (`find -printf`), a bare `directoryTree` walk and the
 * image's merged view. Printed, not asserted (the machine is shared); the changes are asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tree } from '@layerkit/diff';
import { diffTrees, mergedTree } from '@layerkit/diff';
import { directoryTree, readSnapshotTree, recordSnapshot } from '@layerkit/diff/node';
import { createNativeSha256 } from '@layerkit/digest/node';
import { beforeAll, expect, it } from 'vitest';
import { chunks } from '../../../fixtures/raw-tar.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { dockerDiff, sh } from '../disk-fixtures.js';

const DIRS = 200;
const FILES_PER_DIR = 100;
const REPEATS = 3;

const root = useScratchDir('snapshot-timing');
let dir: string;
beforeAll(() => {
  dir = join(root.path, 'rootfs');
  mkdirSync(dir);
  const body = Buffer.alloc(8192, 'x');
  for (let d = 0; d < DIRS; d++) {
    const sub = join(dir, `d${String(d).padStart(3, '0')}`);
    mkdirSync(sub);
    for (let f = 0; f < FILES_PER_DIR; f++) {
      writeFileSync(
        join(sub, `f${String(f).padStart(5, '0')}`),
        body.subarray(0, 64 + ((d * FILES_PER_DIR + f) % 4096)),
      );
    }
  }
  // Unpack-like: whole-second mtimes, as extracted from a tar.
  sh(dir, 'find . -exec touch -h -d @1700000000 {} +');
});

/** Best wall time of `REPEATS` runs, in ms, and the last result. */
async function best<T>(run: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  let ms = Number.POSITIVE_INFINITY;
  let result: T | undefined;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    result = await run();
    ms = Math.min(ms, performance.now() - start);
  }
  return { ms, result: result as T };
}

it('finds a 1-file change among 20,000 files about as fast as a stat walk', async () => {
  const file = join(root.path, 'snapshot');
  const record = await best(() => recordSnapshot(dir, file));
  const tarFile = join(root.path, 'base.tar');
  execFileSync('tar', ['--numeric-owner', '-cf', tarFile, '-C', dir, '.']);
  const tar = new Uint8Array(readFileSync(tarFile));
  sh(dir, 'printf changed > d007/f00042');

  const find = await best(() => execFileSync('find', [dir, '-printf', '%s %T@ %m\n']).length);
  const walk = await best(() => {
    let n = 0;
    for (const _entry of directoryTree(dir).entriesSync()) n++;
    return n;
  });
  const diffAgainst = (lower: Tree) =>
    dockerDiff(diffTrees(lower, directoryTree(dir), { hasher: createNativeSha256 }));
  const snapshot = await best(() => diffAgainst(readSnapshotTree(file)));
  const merged = await best(async () =>
    diffAgainst(await mergedTree([() => chunks(tar, 1024 * 1024)], { hasher: createNativeSha256 })),
  );

  expect(record.result).toBe(DIRS * (FILES_PER_DIR + 1));
  expect(walk.result).toBe(DIRS * (FILES_PER_DIR + 1));
  expect(snapshot.result).toBe('C /d007\nC /d007/f00042\n');
  expect(merged.result).toBe(snapshot.result);
  const ms = (t: { ms: number }) => `${t.ms.toFixed(0)} ms`;
  console.log(
    [
      `20,200 entries, best of ${REPEATS}:`,
      `  find -printf '%s %T@ %m\\n'          ${ms(find)}`,
      `  directoryTree walk alone             ${ms(walk)}`,
      `  diff vs readSnapshotTree             ${ms(snapshot)}  (${(snapshot.ms / find.ms).toFixed(2)}× find)`,
      `  diff vs mergedTree (plain tar)       ${ms(merged)}`,
      `  recordSnapshot (walk + sha256 all)   ${ms(record)}`,
    ].join('\n'),
  );
});
