/**
 * Ordered lookup into a snapshot: a third merge stream beside the two trees of a diff.
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath, EntryStat } from '../contracts.js';
import { comparePaths } from '../path.js';
import type { SnapshotRecord } from './snapshot-format.js';

/** Finds the recorded stat of a path; paths must be asked for in non-decreasing global order. */
export interface SnapshotLookup {
  /**
   * The record of `path`, or `undefined` when none was recorded. Throws `SNAPSHOT_ORDER` for a
   * path before the last one asked.
   */
  find(path: BytePath): SnapshotRecord | undefined;
}

/**
 * A lookup that consumes `records` (in the global order) as the asked-for paths advance:
 * O(1) memory, each record read once. Asking for a path before the previous one throws.
 */
export function snapshotLookup(records: Iterable<SnapshotRecord>): SnapshotLookup {
  const iterator = records[Symbol.iterator]();
  let head = iterator.next();
  let lastAsked: BytePath | undefined;
  return {
    find(path) {
      if (lastAsked !== undefined && comparePaths(lastAsked, path) > 0) {
        throw new LayerkitError(
          'SNAPSHOT_ORDER',
          `snapshot lookup of ${JSON.stringify(path)} went backwards`,
          {
            path,
          },
        );
      }
      lastAsked = path;
      while (!head.done && comparePaths(head.value.path, path) < 0) head = iterator.next();
      return !head.done && head.value.path === path ? head.value : undefined;
    },
  };
}

/** True when a live stat equals the recorded one in every field (the file is untouched). */
export function statMatches(recorded: EntryStat, live: EntryStat): boolean {
  return (
    recorded.ino === live.ino &&
    recorded.dev === live.dev &&
    recorded.ctimeNs === live.ctimeNs &&
    recorded.mtimeNs === live.mtimeNs &&
    recorded.size === live.size
  );
}
