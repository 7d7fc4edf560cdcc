/**
 * From changes to layer entries: the content of a layer tar, in the layer order.
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath, Change, LayerEntry, TreeEntry } from '../contracts.js';
import { asBytePath, baseName, comparePaths, isInside, joinPath, parentPath, pathToUtf8 } from '../path.js';
import { opaqueMarkerPath } from '../tar/entry-name.js';
import type { ChangeStream } from './change-stream.js';

/** Options of {@link layerEntriesFromChanges}. */
export interface LayerEntryOptions {
  /**
   * Where a directory's lower children are all deleted (it was removed and recreated), write one
   * opaque marker instead of a whiteout per child. Off by default: the spec asks producers to
   * prefer explicit whiteouts (docs/design.md#compat-whiteouts), and every reader handles them.
   */
  opaque?: boolean;
}

/**
 * Sort keys that turn the global order into the layer order: within a directory the opaque
 * marker, then whiteouts (by name), then the other entries with their subtrees. `\0` (never part
 * of a file name) ranks right after `/` in `comparePaths`, ahead of every real name byte.
 */
function whiteoutKey(path: BytePath): BytePath {
  return joinPath(parentPath(path), asBytePath(`\0${baseName(path)}`));
}

function opaqueKey(dir: BytePath): BytePath {
  return asBytePath(`${dir}/\0`);
}

function asHardlink(entry: TreeEntry, target: BytePath): TreeEntry {
  const { content: _content, contentDigest: _digest, ...rest } = entry;
  return { ...rest, type: 'hardlink', linkTarget: target, size: 0 };
}

/**
 * Folds the later paths of each hardlink group (non-directories sharing a `linkKey`) into
 * `hardlink` entries: the first path the layer emits carries the content, later ones link to
 * it. A group with one path in the layer stays a plain entry.
 */
class HardlinkFolder {
  readonly #firstOfGroup = new Map<string, BytePath>();

  /** `entry` as the layer writes it, in the order the layer writes entries. */
  fold(entry: TreeEntry): TreeEntry {
    const key = entry.type === 'dir' ? undefined : entry.linkKey;
    if (key === undefined) return entry;
    const first = this.#firstOfGroup.get(key);
    if (first !== undefined) return asHardlink(entry, first);
    this.#firstOfGroup.set(key, entry.path);
    return entry;
  }
}

function missingParent(path: BytePath): LayerkitError {
  return new LayerkitError(
    'MISSING_PARENT',
    `layer entry ${JSON.stringify(pathToUtf8(path))} has no changed parent directory to carry it`,
    { path },
  );
}

/** Collects changes (metadata only; contents stay lazy) keyed by path. */
async function collect(
  changes: AsyncIterable<Change> | Iterable<Change>,
): Promise<Map<BytePath, LayerEntry>> {
  const items = new Map<BytePath, LayerEntry>();
  for await (const change of changes) {
    if (change.kind === 'D') {
      items.set(change.path, { kind: 'whiteout', path: change.path });
    } else if (change.entry === undefined) {
      throw new LayerkitError(
        'INVALID_CHANGE',
        `change ${JSON.stringify(pathToUtf8(change.path))} has no entry`,
        {
          path: change.path,
        },
      );
    } else {
      items.set(change.path, { kind: 'entry', entry: change.entry });
    }
  }
  return items;
}

function addEntry(items: Map<BytePath, LayerEntry>, entry: TreeEntry): void {
  if (!items.has(entry.path)) items.set(entry.path, { kind: 'entry', entry });
}

/**
 * Turns changes (in any order) into layer entries in the layer order: depth first, each
 * directory followed by its opaque marker, its whiteouts (sorted) and then its other entries
 * in the global order. `D` ⇒ whiteout, `A`/`C` ⇒ entry. Every entry's parent directory must be
 * among the changes (diff engines report changed parents as `C`).
 *
 * With a {@link ChangeStream}'s facts, hardlink groups are made whole: if any path of an upper
 * group is in the layer, all its paths are (with their ancestors), so the layer alone recreates the
 * links. Within a group the first emitted path carries the content and the others become
 * `hardlink` entries pointing at it. Opaque markers are emitted where the source requires them,
 * and with `opaque` where a recreated directory allows one.
 *
 * Buffers one small record per change; contents are not read.
 */
export async function* layerEntriesFromChanges(
  changes: AsyncIterable<Change> | Iterable<Change> | ChangeStream,
  options: LayerEntryOptions = {},
): AsyncIterable<LayerEntry> {
  const items = await collect(changes);
  const opaque = new Set<BytePath>();
  const facts = 'facts' in changes ? changes.facts : undefined;
  if (facts !== undefined) {
    for (const group of facts.linkGroups.values()) {
      if (group.length < 2 || !group.some((linked) => items.get(linked.entry.path)?.kind === 'entry'))
        continue;
      for (const linked of group) {
        addEntry(items, linked.entry);
        for (const ancestor of linked.ancestors) addEntry(items, ancestor);
      }
    }
    for (const dir of facts.opaqueDirs) opaque.add(dir);
    if (options.opaque === true) for (const dir of facts.recreatedDirs) opaque.add(dir);
  }

  const ordered: [key: BytePath, entry: LayerEntry][] = [];
  const isDir = (path: BytePath) => {
    const item = items.get(path);
    return item?.kind === 'entry' && item.entry.type === 'dir';
  };
  for (const [path, item] of items) {
    const parent = parentPath(path);
    if (parent !== '' && !isDir(parent)) throw missingParent(path);
    if (item.kind === 'whiteout') {
      if (!opaque.has(parent)) ordered.push([whiteoutKey(path), item]);
    } else {
      ordered.push([path, item]);
    }
  }
  for (const dir of opaque) {
    if (!isDir(dir)) throw missingParent(opaqueMarkerPath(dir));
    ordered.push([opaqueKey(dir), { kind: 'opaque', path: dir }]);
  }
  ordered.sort((a, b) => comparePaths(a[0], b[0]));

  const links = new HardlinkFolder();
  for (const [, item] of ordered) {
    yield item.kind === 'entry' ? { kind: 'entry', entry: links.fold(item.entry) } : item;
  }
}

/**
 * Layer entries for changes that only add, such as a diff against an empty tree (an import, a
 * squash, a layer from scratch), streamed as the changes come instead of buffered: with nothing
 * deleted there is no whiteout to move ahead of its siblings, so the layer order is the changes'
 * global order. The entries are exactly those {@link layerEntriesFromChanges} gives for such
 * changes (the first path of a hardlink group carries the content, later ones link to it), but
 * memory holds one path per multi-link file, not one record per change: an import of a million
 * files no longer keeps a million entries.
 *
 * The changes must come in the global order, as `diffTrees` gives them. A `D` change or one out
 * of order is `INVALID_CHANGE`; an entry whose parent directory came before it is not
 * `MISSING_PARENT`.
 */
export async function* layerEntriesFromAdditions(
  changes: AsyncIterable<Change> | Iterable<Change>,
): AsyncIterable<LayerEntry> {
  const openDirs: BytePath[] = [];
  const links = new HardlinkFolder();
  let previous: BytePath | undefined;
  for await (const change of changes) {
    const { path, entry } = change;
    if (change.kind === 'D' || entry === undefined) {
      throw new LayerkitError(
        'INVALID_CHANGE',
        `change ${JSON.stringify(pathToUtf8(path))} is not an addition`,
        { path },
      );
    }
    if (previous !== undefined && comparePaths(previous, path) >= 0) {
      throw new LayerkitError(
        'INVALID_CHANGE',
        `change ${JSON.stringify(pathToUtf8(path))} is out of the global order`,
        { path },
      );
    }
    previous = path;
    // In the global order a directory's subtree follows it at once: the open directories are
    // the chain of ancestors of the current path.
    while (openDirs.length > 0 && !isInside(path, openDirs[openDirs.length - 1]!)) openDirs.pop();
    const parent = parentPath(path);
    if (parent !== '' && openDirs[openDirs.length - 1] !== parent) throw missingParent(path);
    if (entry.type === 'dir') openDirs.push(path);
    yield { kind: 'entry', entry: links.fold(entry) };
  }
}
