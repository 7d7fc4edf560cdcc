/**
 * unpack → edit → commit: the snapshot recorded at unpack time is used, and only when the
 * image record beside the rootfs names the very base being committed on.
 *
 * Two observables. Reads: `/proc/self/io` `rchar` counts every byte this process reads, so a
 * commit that skips a big untouched file reads far fewer bytes than the file holds (the base
 * layer that also holds it is tiny: the file is one repeated byte). Detection: a same-size
 * rewrite with the mtime put back differs from the unpack only in ctime, which only the
 * snapshot sees (diff README: "invisible to every mode: only the snapshot catches it").
 */
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DiffStats, formatChangeLine } from '@layerkit/diff';
import { unpackLayout } from '@layerkit/diff/node';
import { commit, diffImage, importRootfs, unpack } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { waitForFsClockTick } from '../../../fixtures/fs-clock.js';
import {
  BASE_TREE,
  EPOCH,
  PLATFORM,
  sha256Of,
  useBaseLayout,
  writeTree,
} from '../../../fixtures/image-ops.js';

const ctx = useBaseLayout();

/** Bytes read by this process so far. */
function bytesRead(): number {
  const match = /^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  return Number(match![1]);
}

/** Runs `step` and returns how many bytes the process read meanwhile. */
async function readsDuring(step: () => Promise<unknown>): Promise<number> {
  const before = bytesRead();
  await step();
  return bytesRead() - before;
}

const BIG_SIZE = 16 << 20;

/** Tags `big`: the base tree plus a 16 MiB file of one repeated byte (a layer of ~16 kB). */
async function buildBigImage(): Promise<string> {
  const rootfs = join(ctx.dir, 'big-src');
  writeTree(rootfs, {
    ...BASE_TREE,
    'opt/big.bin': { type: 'file', content: new Uint8Array(BIG_SIZE).fill(0x5a) },
  });
  await importRootfs({ rootfs, dest: `oci:${ctx.layout}:big`, platform: PLATFORM, sourceDateEpoch: EPOCH });
  return `oci:${ctx.layout}:big`;
}

/** Unpacks `image` into `name`; when `foreign`, its record names another manifest (snapshot unusable). */
async function unpackAs(image: string, name: string, foreign = false): Promise<string> {
  const rootfs = join(ctx.dir, name);
  await unpack(image, rootfs);
  if (foreign) {
    const recordFile = unpackLayout(rootfs).imageRecordFile;
    const record = JSON.parse(readFileSync(recordFile, 'utf8'));
    record.manifestDigest = sha256Of(Buffer.from('some other image'));
    writeFileSync(recordFile, JSON.stringify(record));
  }
  return rootfs;
}

/** Rewrites `path` with other bytes of the same size and puts its exact mtime back: only ctime moves. */
function rewriteKeepingSizeAndMtime(rootfs: string, path: string): void {
  const file = join(rootfs, path);
  waitForFsClockTick(dirname(rootfs)); // the unpack recorded the snapshot just before
  const before = statSync(file, { bigint: true });
  const bytes = readFileSync(file);
  bytes[0] = bytes[0]! ^ 0x20;
  writeFileSync(file, bytes);
  // The unpacked mtimes are whole seconds, so utimes puts them back exactly.
  expect(before.mtimeNs % 1_000_000_000n).toBe(0n);
  const seconds = Number(before.mtimeNs / 1_000_000_000n);
  utimesSync(file, seconds, seconds);
  const after = statSync(file, { bigint: true });
  expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);
  expect(after.ctimeNs).not.toBe(before.ctimeNs);
}

describe('commit after unpack', () => {
  it('never reads an untouched file: bytes read stay far below its size', async () => {
    const image = await buildBigImage();
    const rootfs = await unpackAs(image, 'rootfs');
    writeFileSync(join(rootfs, 'etc/app.conf'), 'port=8080\n');
    let layer: unknown;
    const read = await readsDuring(async () => {
      layer = (await commit({ base: image, rootfs, dest: `oci:${ctx.layout}:v2` })).layer;
    });
    expect(layer).toBeDefined();
    expect(read).toBeLessThan(BIG_SIZE / 8);
  });

  it('the observable sees a read: a touched big file in content mode is read whole', async () => {
    const image = await buildBigImage();
    const rootfs = await unpackAs(image, 'rootfs');
    utimesSync(join(rootfs, 'opt/big.bin'), EPOCH, EPOCH);
    let layer: unknown = 'not run';
    const read = await readsDuring(async () => {
      layer = (await commit({ base: image, rootfs, dest: `oci:${ctx.layout}:v2`, mode: 'content' })).layer;
    });
    expect(layer).toBeUndefined();
    expect(read).toBeGreaterThanOrEqual(BIG_SIZE);
  });

  it('with the record naming the base, the snapshot catches a rewrite that kept size and mtime', async () => {
    const rootfs = await unpackAs(ctx.base, 'rootfs');
    rewriteKeepingSizeAndMtime(rootfs, 'etc/os-release');
    expect((await diffImage(ctx.base, rootfs)).map(formatChangeLine)).toEqual([
      'C /etc',
      'C /etc/os-release',
    ]);
    const result = await commit({ base: ctx.base, rootfs, dest: `oci:${ctx.layout}:v2` });
    expect(result.layer).toBeDefined();
  });

  it('the counters (diffImage onStats, commit onDiffStats) say the same: the rewrite hashed, the big file never read', async () => {
    const image = await buildBigImage();
    const rootfs = await unpackAs(image, 'rootfs');
    rewriteKeepingSizeAndMtime(rootfs, 'etc/os-release');
    const seen: DiffStats[] = [];
    const changes = await diffImage(image, rootfs, { onStats: (stats) => seen.push(stats) });
    expect(changes.map(formatChangeLine)).toEqual(['C /etc', 'C /etc/os-release']);
    await commit({
      base: image,
      rootfs,
      dest: `oci:${ctx.layout}:v2`,
      onDiffStats: (stats) => seen.push(stats),
    });
    expect(seen).toHaveLength(2);
    for (const { times, ...counts } of seen) {
      expect(times).toBeDefined();
      // Only the rewritten file's ctime moved: every other path (opt/big.bin included) is settled
      // by its recorded stat; that one has equal metadata, so it is hashed against the snapshot.
      expect(counts).toEqual({
        lowerEntries: counts.bothSides,
        upperEntries: counts.bothSides,
        bothSides: counts.bothSides,
        statMatched: counts.bothSides - 1,
        metadataCompared: 1,
        contentCompared: 1,
        filesRead: 1,
        bytesRead: statSync(join(rootfs, 'etc/os-release')).size,
      });
    }
  });

  it('with the record naming another image, the snapshot is not trusted (so that rewrite goes unseen)', async () => {
    const rootfs = await unpackAs(ctx.base, 'rootfs', true);
    rewriteKeepingSizeAndMtime(rootfs, 'etc/os-release');
    // Docker's metadata rules alone cannot see the rewrite; only a trusted snapshot (ctime moved) could.
    expect(await diffImage(ctx.base, rootfs, { mode: 'metadata' })).toEqual([]);
    writeFileSync(join(rootfs, 'etc/app.conf'), 'port=8080\n');
    expect((await diffImage(ctx.base, rootfs, { mode: 'metadata' })).map(formatChangeLine)).toEqual([
      'C /etc',
      'C /etc/app.conf',
    ]);
  });

  it('the record of an earlier base does not apply after the tag moved to a commit of it', async () => {
    const rootfs = await unpackAs(ctx.base, 'rootfs');
    writeFileSync(join(rootfs, 'etc/app.conf'), 'port=8080\n');
    await commit({ base: ctx.base, rootfs, dest: ctx.base });
    rewriteKeepingSizeAndMtime(rootfs, 'etc/os-release');
    // The base is now the commit: the snapshot (of the old base) must not be used, so only
    // metadata decides (in metadata mode), and nothing differs from the new base.
    expect(await diffImage(ctx.base, rootfs, { mode: 'metadata' })).toEqual([]);
  });
});
