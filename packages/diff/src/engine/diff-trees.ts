/**
 * The diff engine (`docker diff`): one merge-join pass over two trees in the global order.
 */
import type { HasherFactory } from '@layerkit/digest';
import type { BytePath, EntryStat, Tree, TreeEntry } from '../contracts.js';
import { comparePaths, EMPTY_PATH, isInside } from '../path.js';
import type { SnapshotLookup } from '../snapshot/snapshot-lookup.js';
import { statMatches } from '../snapshot/snapshot-lookup.js';
import { isSnapshotTree } from '../snapshot/snapshot-tree.js';
import { type ChangeStream, changeStream, type DiffFacts, recordLinkedPath } from './change-stream.js';
import { compareMetadata, type DetectionMode, sameContent, type XattrComparison } from './compare.js';
import { type DiffStats, type DiffTimes, emptyDiffStats, resetDiffStats } from './diff-stats.js';
import { LinkPartition } from './link-partition.js';
import { type ParentFrame, ParentStack } from './parent-stack.js';
import { TreeCursor } from './tree-cursor.js';

/** Options of {@link diffTrees}. */
export interface DiffOptions {
  /** How mtime-only differences are settled (default `auto`; see {@link DetectionMode}). */
  mode?: DetectionMode | undefined;
  /** Which xattrs count as a change (default `capability`, as Docker). */
  xattrs?: XattrComparison | undefined;
  /**
   * Stat facts recorded when the lower tree was unpacked into the upper directory: an upper
   * entry whose `stat` equals its record is unchanged, with no further checks. Not needed when
   * the lower tree is a snapshot tree (`snapshotTree`, `readSnapshotTree`): its entries' own
   * `stat`s are then the records. Given, this lookup takes precedence.
   */
  snapshot?: SnapshotLookup | undefined;
  /**
   * Hashes a file's content when only the other side knows its `contentDigest` (a snapshot or
   * merged-view lower). Default: the portable sha256; in Node pass `createNativeSha256`.
   */
  hasher?: HasherFactory | undefined;
  /**
   * Measure the time spent walking, comparing and reading content into the stream's
   * `stats.times` (default false: only the counters, which cost nothing measurable).
   */
  timing?: boolean | undefined;
}

/** A {@link ChangeStream} that also counts what its walk did. */
export interface DiffStream extends ChangeStream {
  /** The walk's counters (and phase times with `timing`); complete once iteration has ended. */
  readonly stats: Readonly<DiffStats>;
}

const clock = (): number => performance.now();

/** True when every lower child of a directory present on both sides was deleted. */
function isRecreated(frame: ParentFrame): boolean {
  return (
    frame.lower?.type === 'dir' && frame.lowerChildren > 0 && frame.lowerChildren === frame.deletedChildren
  );
}

/** Decides whether a path present on both sides changed. */
class ChangeDetector {
  readonly #mode: DetectionMode;
  readonly #xattrs: XattrComparison;
  readonly #snapshot: SnapshotLookup | undefined;
  readonly #lowerStatsRecorded: boolean;
  readonly #hasher: HasherFactory | undefined;
  readonly #links = new LinkPartition();
  readonly #stats: DiffStats;
  /**
   * When the last content comparison began (with `timing`): a sync content source is read
   * before `changed` returns, so the caller splits compare from hash time here.
   */
  contentStartedAt = 0;

  constructor(options: DiffOptions, lower: Tree, stats: DiffStats) {
    this.#stats = stats;
    this.#mode = options.mode ?? 'auto';
    this.#xattrs = options.xattrs ?? 'capability';
    this.#snapshot = options.snapshot;
    this.#lowerStatsRecorded = isSnapshotTree(lower);
    this.#hasher = options.hasher;
  }

  /** The stat recorded for the upper path at unpack time, if any. */
  #recorded(lower: TreeEntry, upper: TreeEntry): EntryStat | undefined {
    if (upper.stat === undefined) return undefined;
    if (this.#snapshot !== undefined) return this.#snapshot.find(upper.path);
    return this.#lowerStatsRecorded ? lower.stat : undefined;
  }

  /**
   * Snapshot (equal stat ⇒ unchanged), then metadata, then content only where metadata cannot
   * decide (per mode, or for a file whose recorded stat moved); then hardlink structure.
   * Synchronous unless the content must be read (the common unchanged case costs no promise).
   */
  changed(lower: TreeEntry, upper: TreeEntry): boolean | Promise<boolean> {
    const recorded = this.#recorded(lower, upper);
    if (recorded !== undefined && statMatches(recorded, upper.stat!)) {
      this.#stats.statMatched++;
      return !this.#links.agree(lower, upper);
    }
    this.#stats.metadataCompared++;
    let verdict = compareMetadata(lower, upper, this.#mode, this.#xattrs);
    // Touched since the unpack (ctime moved) yet metadata looks equal: only the bytes can tell.
    if (verdict === 'same' && recorded !== undefined && upper.type === 'file') verdict = 'compare-content';
    if (verdict === 'changed') return true;
    if (verdict === 'same') return !this.#links.agree(lower, upper);
    this.#stats.contentCompared++;
    if (this.#stats.times !== undefined) this.contentStartedAt = clock();
    return sameContent(lower, upper, this.#hasher, this.#stats).then(
      (same) => !same || !this.#links.agree(lower, upper),
    );
  }
}

async function* mergeWalk(
  lowerTree: Tree,
  upperTree: Tree,
  options: DiffOptions,
  facts: DiffFacts,
  stats: DiffStats,
) {
  const detector = new ChangeDetector(options, lowerTree, stats);
  // Phase times only when asked: two clock reads per step otherwise add up on a large tree.
  const times: DiffTimes | undefined = stats.times;
  let started = times === undefined ? 0 : clock();
  const parents = new ParentStack((frame) => {
    if (isRecreated(frame)) facts.recreatedDirs.add(frame.entry.path);
  });
  const [lower, upper] = await Promise.all([TreeCursor.open(lowerTree), TreeCursor.open(upperTree)]);
  if (times !== undefined) times.walkMs += clock() - started;
  try {
    // A lower subtree whose descendants are implied by a change at its top (D, or dir → non-dir C).
    let hidden: BytePath | undefined;
    while (lower.current !== undefined || upper.current !== undefined) {
      const l = lower.current;
      const u = upper.current;
      const skip = l !== undefined && hidden !== undefined && isInside(l.path, hidden);
      // < 0: a lower-only path (or one hidden by a change above it), > 0: upper-only, 0: both.
      const order = skip ? -1 : l === undefined ? 1 : u === undefined ? -1 : comparePaths(l.path, u.path);
      if (order <= 0) stats.lowerEntries++;
      if (order >= 0) stats.upperEntries++;
      if (skip) {
        // Implied by the change at `hidden`.
      } else if (order < 0) {
        const gone = l!;
        parents.moveTo(gone.path);
        const parent = parents.top();
        if (parent !== undefined) {
          parent.lowerChildren++;
          parent.deletedChildren++;
        }
        yield* parents.report({ kind: 'D', path: gone.path, lower: gone });
        if (gone.type === 'dir') hidden = gone.path;
      } else {
        const entry = u!;
        parents.moveTo(entry.path);
        recordLinkedPath(facts, entry, () => parents.ancestors());
        if (order > 0) {
          yield* parents.report({ kind: 'A', path: entry.path, entry });
          if (entry.type === 'dir') parents.enter(entry, undefined, true);
        } else {
          const old = l!;
          const parent = parents.top();
          if (parent !== undefined) parent.lowerChildren++;
          stats.bothSides++;
          if (times !== undefined) started = clock();
          const verdict = detector.changed(old, entry);
          const reads = typeof verdict !== 'boolean';
          if (times !== undefined) times.compareMs += (reads ? detector.contentStartedAt : clock()) - started;
          const changed = reads ? await verdict : verdict;
          if (times !== undefined && reads) times.hashMs += clock() - detector.contentStartedAt;
          if (changed) yield* parents.report({ kind: 'C', path: entry.path, entry, lower: old });
          if (old.type === 'dir' && entry.type !== 'dir') hidden = old.path;
          if (entry.type === 'dir') parents.enter(entry, old, changed);
        }
      }
      // Moving within a batch is synchronous: await only when a cursor waits for its next batch.
      if (times !== undefined) started = clock();
      const lowerWait = order <= 0 ? lower.advance() : undefined;
      if (lowerWait !== undefined) await lowerWait;
      const upperWait = order >= 0 ? upper.advance() : undefined;
      if (upperWait !== undefined) await upperWait;
      if (times !== undefined) times.walkMs += clock() - started;
    }
    parents.moveTo(EMPTY_PATH);
  } finally {
    await Promise.all([lower.close(), upper.close()]);
  }
}

/**
 * Streams the changes from `lower` to `upper` with Docker's rules
 * (docs/design.md#compat-docker-diff): an added directory and all its descendants are `A`; a
 * deleted subtree is one `D` at its top; a type change is `C` (file → dir adds its children as `A`;
 * dir → file implies its old children); every enclosing directory of a change is reported `C` just
 * before it unless it was added; the root never appears. Output is in the global order. Memory is
 * bounded by the tree depth plus the hardlink bookkeeping (multi-link files only).
 *
 * The returned stream's `facts` (hardlink groups, recreated directories) are complete once
 * the iteration ends; `layerEntriesFromChanges` uses them. Its `stats` count what the walk did
 * (entries read, paths settled by stat, metadata or content, bytes read), with phase times when
 * `options.timing` is set.
 */
export function diffTrees(lower: Tree, upper: Tree, options: DiffOptions = {}): DiffStream {
  const stats = emptyDiffStats(options.timing === true);
  const stream = changeStream((facts) => {
    resetDiffStats(stats);
    return mergeWalk(lower, upper, options, facts, stats);
  });
  return { facts: stream.facts, stats, [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator]() };
}
