/**
 * The counters of a diff (`DiffStream.stats`): exact on small trees, for each way a path present
 * on both sides is settled (recorded stat, metadata, content), and the bytes the content reads
 * took. Phase times are only checked for presence: timing never goes into an assertion.
 */
import { join } from 'node:path';
import type { DiffStats, DiffStream, MemoryEntrySpec } from '@layerkit/diff';
import { diffTrees, MemoryTree } from '@layerkit/diff';
import { directoryTree, readSnapshotTree, recordSnapshot } from '@layerkit/diff/node';
import { createNativeSha256 } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import { waitForFsClockTick } from '../../../fixtures/fs-clock.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { dockerDiff, sh } from '../disk-fixtures.js';

const S = 1_000_000_000n;
const T = 1_700_000_000n * S;

/** The `docker diff` text and the counters (without the times) of one diff. */
async function run(stream: DiffStream): Promise<{ text: string; counts: Omit<DiffStats, 'times'> }> {
  const text = await dockerDiff(stream);
  const { times: _times, ...counts } = stream.stats;
  return { text, counts };
}

/** The counters of a diff of two empty trees: all there, all zero. */
const ZERO = (await run(diffTrees(MemoryTree.fromEntries([]), MemoryTree.fromEntries([])))).counts;

const counts = (partial: Partial<DiffStats>): Omit<DiffStats, 'times'> => ({ ...ZERO, ...partial });

describe('diffTrees stats: memory trees', () => {
  // Whole-second lower mtimes, as a tar gives: `auto` must read the bytes when an upper file
  // keeps the size and the second.
  const lower = MemoryTree.fromSpecs(
    [
      { path: 'd/a', content: 'abc' },
      { path: 'd/b', content: 'def' },
      { path: 'e', content: 'x' },
      { path: 'gone/y', content: '1' },
    ],
    { mtimeNs: T },
  );
  const upperSpecs: MemoryEntrySpec[] = [
    { path: 'd/a', content: 'abc', mtimeNs: T + 5n },
    { path: 'd/b', content: 'xyz', mtimeNs: T + 7n },
    { path: 'e', content: 'x', mtimeNs: T + 2n * S },
    { path: 'new/z', content: 'z' },
  ];
  const upper = MemoryTree.fromSpecs(upperSpecs, { mtimeNs: T });

  it('two empty trees: eight counters, all zero', () => {
    expect(Object.keys(ZERO)).toHaveLength(8);
    expect(Object.values(ZERO).every((n) => n === 0)).toBe(true);
  });

  it('auto: every entry walked once (the deleted subtree too), content read only for same-second files', async () => {
    // lower: d d/a d/b e gone gone/y; upper: d d/a d/b e new new/z; both: d d/a d/b e.
    // d/a and d/b keep size and second → bytes compared side by side (no digests: both read,
    // one 3-byte chunk each); e moved to another second → changed by metadata alone.
    expect(await run(diffTrees(lower, upper))).toEqual({
      text: 'C /d\nC /d/b\nC /e\nD /gone\nA /new\nA /new/z\n',
      counts: counts({
        lowerEntries: 6,
        upperEntries: 6,
        bothSides: 4,
        metadataCompared: 4,
        contentCompared: 2,
        filesRead: 4,
        bytesRead: 12,
      }),
    });
  });

  it('metadata: the same walk reads no content', async () => {
    expect(await run(diffTrees(lower, upper, { mode: 'metadata' }))).toEqual({
      text: 'C /e\nD /gone\nA /new\nA /new/z\n',
      counts: counts({ lowerEntries: 6, upperEntries: 6, bothSides: 4, metadataCompared: 4 }),
    });
  });

  it('counts are reset when the stream is iterated again; times only with timing', async () => {
    const stream = diffTrees(lower, upper);
    const first = await run(stream);
    expect(await run(stream)).toEqual(first);
    expect(stream.stats.times).toBeUndefined();
    const timed = diffTrees(lower, upper, { timing: true });
    expect((await run(timed)).counts).toEqual(first.counts);
    expect(Object.keys(timed.stats.times ?? {}).sort()).toEqual(['compareMs', 'hashMs', 'walkMs']);
  });
});

describe('diffTrees stats: directories on disk', () => {
  const root = useScratchDir('diff-stats', { per: 'test' });
  // 5 entries: a, a/one, a/two, b, b/three (the root is never an entry); 4-byte files with
  // sub-second mtimes, so equal mtimes settle a file by metadata alone.
  const TREE = `mkdir -p a b; printf 1111 > a/one; printf 2222 > a/two; printf 3333 > b/three
    touch -d '2024-01-02 03:04:05.123456789' a/one a/two b/three`;

  it('snapshot lower, nothing changed: every path settled by its recorded stat, no metadata, no reads', async () => {
    const dir = join(root.path, 'rootfs');
    sh(root.path, `mkdir rootfs && cd rootfs && ${TREE}`);
    const file = join(root.path, 'rootfs.snapshot');
    recordSnapshot(dir, file);
    const stream = diffTrees(readSnapshotTree(file), directoryTree(dir), { hasher: createNativeSha256 });
    expect(await run(stream)).toEqual({
      text: '',
      counts: counts({ lowerEntries: 5, upperEntries: 5, bothSides: 5, statMatched: 5 }),
    });
  });

  it('snapshot lower, K files rewritten with the same size and mtime: K compared by metadata, K hashed', async () => {
    const dir = join(root.path, 'rootfs');
    sh(root.path, `mkdir rootfs && cd rootfs && ${TREE}`);
    const file = join(root.path, 'rootfs.snapshot');
    recordSnapshot(dir, file);
    waitForFsClockTick(root.path);
    // Their ctime moves, so the record no longer vouches for them; size and mtime look equal, so
    // only the bytes tell: the upper file is hashed against the snapshot's digest (one read each).
    sh(
      dir,
      `printf 9999 > a/one; printf 8888 > b/three
      touch -d '2024-01-02 03:04:05.123456789' a/one b/three`,
    );
    const stream = diffTrees(readSnapshotTree(file), directoryTree(dir), { hasher: createNativeSha256 });
    expect(await run(stream)).toEqual({
      text: 'C /a\nC /a/one\nC /b\nC /b/three\n',
      counts: counts({
        lowerEntries: 5,
        upperEntries: 5,
        bothSides: 5,
        statMatched: 3,
        metadataCompared: 2,
        contentCompared: 2,
        filesRead: 2,
        bytesRead: 8,
      }),
    });
  });

  it('two directories, content mode: equal sub-second mtimes read nothing; K touched files read on both sides', async () => {
    sh(root.path, `mkdir lower && cd lower && ${TREE}`);
    sh(root.path, 'cp -a lower upper');
    const lower = join(root.path, 'lower');
    const upper = join(root.path, 'upper');
    const both = counts({ lowerEntries: 5, upperEntries: 5, bothSides: 5, metadataCompared: 5 });
    const diff = (mode: 'auto' | 'content') =>
      run(diffTrees(directoryTree(lower), directoryTree(upper), { mode }));
    expect(await diff('content')).toEqual({ text: '', counts: both });
    sh(upper, "touch -d '2024-02-03 04:05:06.5' a/one b/three");
    // content: a touch alone is no change, proven by reading both files whole (2 × 2 × 4 bytes).
    expect(await diff('content')).toEqual({
      text: '',
      counts: { ...both, contentCompared: 2, filesRead: 4, bytesRead: 16 },
    });
    // auto: another second is a change by metadata alone.
    expect(await diff('auto')).toEqual({ text: 'C /a\nC /a/one\nC /b\nC /b/three\n', counts: both });
  });
});
