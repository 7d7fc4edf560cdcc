/**
 * A version-2 snapshot as a lower tree: what the rootfs looked like right after the unpack,
 * so a diff against the rootfs needs neither the image's layers nor the unchanged files' bytes.
 */
import { LayerkitError } from '@layerkit/digest';
import type { Tree, TreeEntry } from '../contracts.js';
import { inBatches } from '../tree/in-batches.js';
import { snapshotEntryOf } from './snapshot-entry.js';
import type { SnapshotRecord } from './snapshot-format.js';

/**
 * A tree read from a snapshot. Its entries' `stat`s were recorded from the very directory it is
 * diffed against, so `diffTrees` uses them as that directory's snapshot: an equal live stat means
 * unchanged, a moved one with equal metadata means the content decides (by `contentDigest`).
 */
export interface SnapshotTree extends Tree {
  /** Marks the entries' `stat`s as records of the upper directory (always `true`). */
  readonly statsRecorded: true;
}

/** True for a tree from {@link snapshotTree} (or anything else that declares recorded stats). */
export function isSnapshotTree(tree: Tree): tree is SnapshotTree {
  return (tree as Partial<SnapshotTree>).statsRecorded === true;
}

/**
 * The tree of version-2 `records` (in the global order, as `decodeSnapshot` yields them), one
 * entry per record (see `snapshotEntryOf`); no entry has `content`. Each `entries()` call iterates
 * `records` again, as a diff that is re-run (e.g. to write its layer) does: pass an array or a
 * re-iterable source (`readSnapshotTree` reopens its file). A one-shot iterator that is asked
 * twice throws `SNAPSHOT_CONSUMED` rather than pretend the tree became empty; a version-1 record
 * throws `SNAPSHOT_VERSION`.
 */
export function snapshotTree(records: Iterable<SnapshotRecord>): SnapshotTree {
  let iterated = false;
  async function* batches(): AsyncGenerator<TreeEntry[]> {
    const iterator = records[Symbol.iterator]();
    if ((iterator as unknown) === records && iterated) {
      throw new LayerkitError(
        'SNAPSHOT_CONSUMED',
        'snapshot records were already iterated: give snapshotTree a re-iterable source',
      );
    }
    iterated = true;
    try {
      yield* inBatches({ [Symbol.iterator]: () => iterator }, snapshotEntryOf);
    } finally {
      // An abandoned walk must still release the source (readSnapshotTree's open file).
      iterator.return?.();
    }
  }
  return {
    statsRecorded: true,
    entryBatches: batches,
    async *entries(): AsyncIterable<TreeEntry> {
      for await (const batch of batches()) yield* batch;
    },
  };
}
