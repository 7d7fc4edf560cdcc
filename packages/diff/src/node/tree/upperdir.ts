/**
 * The changes an overlayfs upperdir implies (Docker's overlay2 path and buildkit's overlay differ:
 * docs/design.md#compat-upperdir).
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath, Change, Tree, TreeEntry } from '../../contracts.js';
import { type ChangeStream, changeStream, type DiffFacts } from '../../engine/change-stream.js';
import { compareMetadata, type XattrComparison } from '../../engine/compare.js';
import { ParentStack } from '../../engine/parent-stack.js';
import { comparePaths, isInside, pathFromUtf8 } from '../../path.js';
import { directoryTree } from './dir-tree.js';
import type { XattrSelection } from './xattr-reader.js';

/** Options of {@link upperdirChanges}. */
export interface UpperdirOptions {
  /** Which xattrs the reported entries carry (default `capability`); overlay's own are always read. */
  xattrs?: Exclude<XattrSelection, 'none'>;
  /** Receives non-fatal problems. */
  onWarning?: (message: string) => void;
}

const OVERLAY_PREFIXES = ['trusted.overlay.', 'user.overlay.'].map(pathFromUtf8);
const CAPABILITY = pathFromUtf8('security.capability');

function overlayXattr(entry: TreeEntry, name: string): Uint8Array | undefined {
  for (const prefix of OVERLAY_PREFIXES) {
    const value = entry.xattrs?.get(prefix + name);
    if (value !== undefined) return value;
  }
  return undefined;
}

function isWhiteout(entry: TreeEntry): boolean {
  return entry.type === 'char' && entry.devMajor === 0 && entry.devMinor === 0;
}

function isOpaque(entry: TreeEntry): boolean {
  const value = overlayXattr(entry, 'opaque');
  return value !== undefined && value.length === 1 && value[0] === 0x79;
}

/**
 * Rejects overlay features whose upperdir does not hold the full entry, and strips overlay's own
 * xattrs (and, for `capability`, every other one) from what is reported.
 */
function cleanEntry(entry: TreeEntry, keep: XattrComparison): TreeEntry {
  for (const feature of ['redirect', 'metacopy']) {
    if (overlayXattr(entry, feature) !== undefined) {
      throw new LayerkitError(
        'OVERLAY_UNSUPPORTED',
        `upperdir entry ${JSON.stringify(entry.path)} uses overlay ${feature}; diff the merged directory instead`,
        { path: entry.path, feature },
      );
    }
  }
  if (entry.xattrs === undefined) return entry;
  const xattrs = new Map(
    [...entry.xattrs].filter(([name]) =>
      keep === 'capability' ? name === CAPABILITY : !OVERLAY_PREFIXES.some((p) => name.startsWith(p)),
    ),
  );
  const { xattrs: _all, linkKey, ...rest } = entry;
  return { ...rest, ...(xattrs.size > 0 ? { xattrs } : {}), ...(linkKey !== undefined ? { linkKey } : {}) };
}

async function* emptyTree(): AsyncIterable<TreeEntry> {}

async function* upperWalk(
  upperdir: string | Uint8Array,
  lower: Tree | undefined,
  options: UpperdirOptions,
  facts: DiffFacts,
): AsyncIterable<Change> {
  const keep = options.xattrs ?? 'capability';
  const upper = directoryTree(upperdir, { xattrs: 'all', onWarning: options.onWarning ?? (() => {}) });
  const parents = new ParentStack();
  const lowerEntries = (lower?.entries() ?? emptyTree())[Symbol.asyncIterator]();
  let l = await lowerEntries.next();
  // Opaque directories enclosing the current path, and the top of a lower subtree already deleted.
  const opaque: BytePath[] = [];
  let deleted: BytePath | undefined;

  /** Lower entries before `path` (all, for undefined) are visible unless an opaque directory hides them. */
  async function* lowerOnlyBefore(path: BytePath | undefined): AsyncIterable<Change> {
    for (
      ;
      !l.done && (path === undefined || comparePaths(l.value.path, path) < 0);
      l = await lowerEntries.next()
    ) {
      const gone = l.value;
      if (!opaque.some((dir) => isInside(gone.path, dir))) continue;
      if (deleted !== undefined && isInside(gone.path, deleted)) continue;
      parents.moveTo(gone.path);
      yield* parents.report({ kind: 'D', path: gone.path, lower: gone });
      deleted = gone.path;
    }
  }

  for (const raw of upper.entriesSync()) {
    const path = raw.path;
    yield* lowerOnlyBefore(path);
    let old: TreeEntry | undefined;
    if (!l.done && l.value.path === path) {
      old = l.value;
      l = await lowerEntries.next();
    }
    while (opaque.length > 0 && !isInside(path, opaque[opaque.length - 1]!)) opaque.pop();
    parents.moveTo(path);
    if (old !== undefined && old.type === 'dir' && (raw.type !== 'dir' || isWhiteout(raw))) deleted = path;
    if (isWhiteout(raw)) {
      if (old !== undefined) yield* parents.report({ kind: 'D', path, lower: old });
      else if (lower === undefined) yield* parents.report({ kind: 'D', path });
      continue;
    }
    const entry = cleanEntry(raw, keep);
    const opaqueDir = entry.type === 'dir' && isOpaque(raw);
    // A copied-up directory equal to the lower one is reported only as a parent (as buildkit).
    const unchangedDir =
      old !== undefined &&
      entry.type === 'dir' &&
      !opaqueDir &&
      compareMetadata(old, entry, 'auto', keep) === 'same';
    if (!unchangedDir) {
      const change: Change = { kind: old === undefined && lower !== undefined ? 'A' : 'C', path, entry };
      if (old !== undefined) change.lower = old;
      yield* parents.report(change);
    }
    if (entry.type === 'dir') {
      parents.enter(entry, old, !unchangedDir);
      if (opaqueDir && lower === undefined) facts.opaqueDirs.add(path);
      else if (opaqueDir) opaque.push(path);
    }
  }
  yield* lowerOnlyBefore(undefined);
}

/**
 * Streams the changes an overlayfs upperdir records: a char device 0/0 is a deletion; a directory
 * with `trusted.overlay.opaque=y` (or `user.overlay.opaque=y`) hides all lower children; everything
 * else is an addition or modification, and enclosing directories are reported as `C` first.
 *
 * With `lowerTree` (the overlay's lower layers as one tree), opaque directories are expanded into
 * explicit deletions of the hidden lower paths (as buildkit does; the spec's SHOULD), whiteouts of
 * paths absent below are skipped, additions are told from modifications, and copied-up
 * directories equal to the lower ones are reported only as parents. Without it, every entry is
 * reported `C` and opaque directories are recorded in the stream's `facts.opaqueDirs`, so the
 * layer gets an opaque marker. Overlay `redirect` and `metacopy` entries are rejected.
 */
export function upperdirChanges(
  upperdir: string | Uint8Array,
  lowerTree?: Tree,
  options: UpperdirOptions = {},
): ChangeStream {
  return changeStream((facts) => upperWalk(upperdir, lowerTree, options, facts));
}
