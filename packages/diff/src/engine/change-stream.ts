/**
 * A change stream with the facts its walk collects on the side, for the layer builder.
 */
import type { BytePath, Change, TreeEntry } from '../contracts.js';

/** One upper path of a hardlink group, with its ancestor directories (outermost first). */
export interface LinkedPath {
  /** The upper entry of this path. */
  entry: TreeEntry;
  /** The upper directories above it, outermost first. */
  ancestors: readonly TreeEntry[];
}

/** Facts a walk gathers while it streams changes; complete once the stream has ended. */
export interface DiffFacts {
  /** Upper hardlink groups (multi-link non-directories only): `linkKey` → its paths in walk order. */
  readonly linkGroups: Map<string, LinkedPath[]>;
  /** Directories whose lower children must all be hidden but could not be listed (opaque marker required). */
  readonly opaqueDirs: Set<BytePath>;
  /** Directories present on both sides whose every lower child is deleted by an explicit `D` change. */
  readonly recreatedDirs: Set<BytePath>;
}

/** Changes in the global order, plus the {@link DiffFacts} of the walk that produced them. */
export interface ChangeStream extends AsyncIterable<Change> {
  /** What the walk learned; complete only once iteration has ended. */
  readonly facts: DiffFacts;
}

/** Empty facts for a new walk. */
export function emptyFacts(): DiffFacts {
  return { linkGroups: new Map(), opaqueDirs: new Set(), recreatedDirs: new Set() };
}

/** Records an upper entry in its hardlink group, if it has one. */
export function recordLinkedPath(facts: DiffFacts, entry: TreeEntry, ancestors: () => TreeEntry[]): void {
  if (entry.linkKey === undefined || entry.type === 'dir') return;
  const linked = { entry, ancestors: ancestors() };
  const group = facts.linkGroups.get(entry.linkKey);
  if (group === undefined) facts.linkGroups.set(entry.linkKey, [linked]);
  else group.push(linked);
}

/** Wraps a walk (re-run from scratch on every iteration) as a {@link ChangeStream}. */
export function changeStream(walk: (facts: DiffFacts) => AsyncIterable<Change>): ChangeStream {
  const facts = emptyFacts();
  return {
    facts,
    [Symbol.asyncIterator]() {
      facts.linkGroups.clear();
      facts.opaqueDirs.clear();
      facts.recreatedDirs.clear();
      return walk(facts)[Symbol.asyncIterator]();
    },
  };
}
