/**
 * What a diff cost: how many entries it walked, how it settled the paths present on both sides,
 * how much content it read, and (when asked) where the time went.
 */

/** The time a diff spent in each phase, in milliseconds (`performance.now()` around each phase). */
export interface DiffTimes {
  /** Reading the two trees' entries (listing and `lstat` for a directory, parsing for a snapshot). */
  walkMs: number;
  /**
   * Deciding paths present on both sides by their recorded stat and metadata (including the
   * xattrs a directory walk reads only when they are compared).
   */
  compareMs: number;
  /** Reading content where metadata could not decide (hashing one side or comparing both). */
  hashMs: number;
}

/**
 * The counters of one `diffTrees` walk; complete once its iteration has ended, and reset
 * when it is iterated again. Plain integer counters: always kept, at no measurable cost.
 */
export interface DiffStats {
  /** Entries read from the lower tree (including those under a deleted directory). */
  lowerEntries: number;
  /** Entries read from the upper tree. */
  upperEntries: number;
  /** Paths present in both trees: each gets a changed/unchanged verdict. */
  bothSides: number;
  /** Of those, settled by their stat recorded at unpack time (the snapshot fast path). */
  statMatched: number;
  /** Of those, compared by their metadata (type, mode, owner, xattrs, size, mtime). */
  metadataCompared: number;
  /** Of those, files whose content had to be compared (metadata could not decide). */
  contentCompared: number;
  /** Content streams read to compare content (two when both sides are read, none when both digests are known). */
  filesRead: number;
  /** Content bytes read, both sides together. */
  bytesRead: number;
  /** Phase times; present only when the diff was asked to measure them (`timing`). */
  times?: DiffTimes;
}

/** What content comparison adds to: the file and byte counters of {@link DiffStats}. */
export interface ContentReadCounter {
  /** Content streams opened. */
  filesRead: number;
  /** Bytes read from them. */
  bytesRead: number;
}

/** Zeroed counters (and zeroed times when `timed`). */
export function emptyDiffStats(timed: boolean): DiffStats {
  const stats: DiffStats = {
    lowerEntries: 0,
    upperEntries: 0,
    bothSides: 0,
    statMatched: 0,
    metadataCompared: 0,
    contentCompared: 0,
    filesRead: 0,
    bytesRead: 0,
  };
  if (timed) stats.times = { walkMs: 0, compareMs: 0, hashMs: 0 };
  return stats;
}

/** Zeroes `stats` in place for a new walk. */
export function resetDiffStats(stats: DiffStats): void {
  Object.assign(stats, emptyDiffStats(stats.times !== undefined));
}
