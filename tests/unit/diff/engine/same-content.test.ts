/**
 * sameContent when only one side knows its digest (a snapshot or merged-view lower): the other
 * side is hashed with the given hasher, never compared byte by byte.
 */
import type { SnapshotRecord, TreeEntry } from '@layerkit/diff';
import {
  diffTrees,
  dockerChange,
  formatDockerDiff,
  MemoryTree,
  pathFromUtf8,
  snapshotTree,
} from '@layerkit/diff';
import type { Digest, HasherFactory } from '@layerkit/digest';
import { createPortableSha256, sha256Bytes } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameContent } from '../../../../packages/diff/src/engine/compare.js';
import { checkProperty } from '../../../fixtures/property.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const F = pathFromUtf8('f');

/** A file entry; `content` undefined means the side cannot produce its bytes. */
function file(options: { digest?: Digest; content?: Uint8Array[]; async?: boolean }): TreeEntry {
  const entry: TreeEntry = { path: F, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtimeNs: 0n };
  if (options.digest !== undefined) entry.contentDigest = options.digest;
  const chunks = options.content;
  if (chunks !== undefined) {
    entry.content = options.async
      ? async function* read() {
          yield* chunks;
        }
      : () => chunks;
  }
  return entry;
}

/** A hasher factory that counts the hashers it made and the bytes they saw. */
function counting(factory: HasherFactory): { factory: HasherFactory; made: number; bytes: number } {
  const tally = {
    made: 0,
    bytes: 0,
    factory: () => {
      tally.made++;
      const hasher = factory();
      return {
        update(data: Uint8Array) {
          tally.bytes += data.length;
          hasher.update(data);
          return this;
        },
        digest: () => hasher.digest(),
      };
    },
  };
  return tally;
}

describe('sameContent with a digest on one side', () => {
  it('hashes the other side, in any chunking, sync or async, with either side holding the digest', async () => {
    await checkProperty(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        fc.boolean(),
        async (known, live, cut, async, digestBelow) => {
          const chunks: Uint8Array[] = [];
          for (let i = 0; i < live.length; i += cut) chunks.push(live.subarray(i, i + cut));
          const recorded = file({ digest: sha256Bytes(known) });
          const onDisk = file({ content: chunks, async });
          const [lower, upper] = digestBelow ? [recorded, onDisk] : [onDisk, recorded];
          const hasher = counting(createNativeSha256);
          const same = await sameContent(lower, upper, hasher.factory);
          expect(same).toBe(Buffer.from(known).equals(Buffer.from(live)));
          expect([hasher.made, hasher.bytes]).toEqual([1, live.length]);
        },
      ),
    );
  });

  it('defaults to the portable hasher (same verdicts as native)', async () => {
    const recorded = file({ digest: sha256Bytes(bytes('hello'), createPortableSha256) });
    expect(await sameContent(recorded, file({ content: [bytes('hel'), bytes('lo')] }))).toBe(true);
    expect(await sameContent(recorded, file({ content: [bytes('hellO')] }))).toBe(false);
  });

  it('never proves equal a side that cannot produce its content', async () => {
    const digest = sha256Bytes(new Uint8Array(0));
    expect(await sameContent(file({ digest }), file({}))).toBe(false);
  });

  it('compares two digests without hashing, and two contents byte by byte without hashing', async () => {
    const hasher = counting(createNativeSha256);
    const a = sha256Bytes(bytes('a'));
    expect(await sameContent(file({ digest: a }), file({ digest: a }), hasher.factory)).toBe(true);
    expect(
      await sameContent(file({ digest: a }), file({ digest: sha256Bytes(bytes('b')) }), hasher.factory),
    ).toBe(false);
    expect(
      await sameContent(
        file({ content: [bytes('ab')] }),
        file({ content: [bytes('a'), bytes('b')] }),
        hasher.factory,
      ),
    ).toBe(true);
    expect(hasher.made).toBe(0);
  });
});

describe('diffTrees with a snapshot lower', () => {
  const record = (digest: Digest, stat: Partial<SnapshotRecord> = {}): SnapshotRecord => ({
    path: F,
    dev: 1n,
    ino: 2n,
    ctimeNs: 3n,
    mtimeNs: 4n,
    size: 5n,
    metadata: { type: 'file', mode: 0o644, uid: 0, gid: 0, contentDigest: digest },
    ...stat,
  });

  /** The live file `f`: 5 bytes, mtime 4, with the given stat facts. */
  function upper(content: string, stat: { ino: bigint; ctimeNs: bigint }) {
    const [entry] = MemoryTree.fromSpecs([{ path: 'f', content, mtimeNs: 4n }]).list();
    return MemoryTree.fromEntries([
      { ...entry!, stat: { dev: 1n, ino: stat.ino, ctimeNs: stat.ctimeNs, mtimeNs: 4n, size: 5n } },
    ]);
  }

  async function diff(lower: SnapshotRecord, live: MemoryTree, hasher: HasherFactory): Promise<string> {
    const changes = [];
    for await (const change of diffTrees(snapshotTree([lower]), live, { hasher })) changes.push(change);
    return formatDockerDiff(changes.map(dockerChange));
  }

  it('an equal stat settles the path unread; a moved one is settled by hashing with options.hasher', async () => {
    const hello = sha256Bytes(bytes('hello'));
    const hasher = counting(createNativeSha256);
    expect(await diff(record(hello), upper('HELLO', { ino: 2n, ctimeNs: 3n }), hasher.factory)).toBe('');
    expect(hasher.made).toBe(0);
    // Touched (ctime moved) but rewritten with the same bytes: unchanged, one file hashed.
    expect(await diff(record(hello), upper('hello', { ino: 2n, ctimeNs: 9n }), hasher.factory)).toBe('');
    // Replaced by a new inode with new bytes and the old size and mtime: only the hash sees it.
    expect(await diff(record(hello), upper('HELLO', { ino: 7n, ctimeNs: 3n }), hasher.factory)).toBe(
      'C /f\n',
    );
    expect([hasher.made, hasher.bytes]).toEqual([2, 10]);
  });
});
