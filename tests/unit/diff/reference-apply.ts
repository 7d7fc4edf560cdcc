/**
 * A reference applier written from the OCI layer spec (reference §1.1), independent of the
 * library's apply code: it applies LayerEntry lists to an in-memory tree and is strict about
 * everything a well-formed layer guarantees, so the diff engine's output is checked, not trusted.
 */
import type { BytePath, EntryType, LayerEntry, Tree, TreeEntry } from '@layerkit/diff';
import { isInside, parentPath } from '../../../packages/diff/src/path.js';

/** One file system object; hardlinked paths share the same Inode object. */
export interface Inode {
  type: Exclude<EntryType, 'hardlink' | 'socket'>;
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: bigint;
  content: Uint8Array;
  linkTarget: BytePath;
  devMajor: number;
  devMinor: number;
  xattrs: ReadonlyMap<string, Uint8Array>;
}

/** A whole tree: path → inode (no root entry). */
export type RefTree = Map<BytePath, Inode>;

async function readAll(entry: TreeEntry): Promise<Uint8Array> {
  const chunks: number[] = [];
  const source = entry.content?.();
  if (source === undefined) throw new Error(`file ${JSON.stringify(entry.path)} has no content reader`);
  for await (const chunk of source) chunks.push(...chunk);
  if (chunks.length !== entry.size)
    throw new Error(`file ${JSON.stringify(entry.path)}: size != content length`);
  return Uint8Array.from(chunks);
}

async function toInode(entry: TreeEntry): Promise<Inode> {
  if (entry.type === 'hardlink' || entry.type === 'socket') throw new Error(`unexpected ${entry.type}`);
  return {
    type: entry.type,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtimeNs: entry.mtimeNs,
    content: entry.type === 'file' ? await readAll(entry) : new Uint8Array(0),
    linkTarget: entry.linkTarget ?? '',
    devMajor: entry.devMajor ?? 0,
    devMinor: entry.devMinor ?? 0,
    xattrs: new Map(entry.xattrs ?? []),
  };
}

/** Loads a tree into the model; entries sharing a `linkKey` share one inode. */
export async function loadTree(tree: Tree): Promise<RefTree> {
  const out: RefTree = new Map();
  const byKey = new Map<string, Inode>();
  for await (const entry of tree.entries()) {
    const shared = entry.linkKey === undefined ? undefined : byKey.get(entry.linkKey);
    const inode = shared ?? (await toInode(entry));
    if (entry.linkKey !== undefined) byKey.set(entry.linkKey, inode);
    out.set(entry.path, inode);
  }
  return out;
}

function removeSubtree(tree: RefTree, path: BytePath, keep: (p: BytePath) => boolean = () => false): void {
  for (const p of [...tree.keys()]) {
    if ((p === path || isInside(p, path)) && !keep(p)) tree.delete(p);
  }
}

function fail(message: string): never {
  throw new Error(`reference apply: ${message}`);
}

/**
 * Applies a layer to a copy of `base`. Whiteouts and opaque markers hide lower paths only
 * (never this layer's); an entry over an existing path replaces the attributes when both are
 * directories, else unlinks (the subtree) and recreates; hardlinks share the target's inode.
 * Throws on anything a well-formed layer never contains: a missing or non-directory parent,
 * a duplicate path, a whiteout of nothing, a dangling or directory hardlink, a size mismatch.
 */
export async function referenceApply(base: RefTree, layer: Iterable<LayerEntry> | AsyncIterable<LayerEntry>) {
  const tree: RefTree = new Map(base);
  const written = new Set<BytePath>();
  const inLayer = (p: BytePath) => written.has(p);
  const requireParentDir = (path: BytePath) => {
    const parent = parentPath(path);
    if (parent !== '' && tree.get(parent)?.type !== 'dir')
      fail(`parent of ${JSON.stringify(path)} is not a dir`);
  };
  for await (const item of layer) {
    if (item.kind === 'whiteout') {
      requireParentDir(item.path);
      if (!tree.has(item.path) || inLayer(item.path))
        fail(`whiteout of nothing: ${JSON.stringify(item.path)}`);
      removeSubtree(tree, item.path, inLayer);
      continue;
    }
    if (item.kind === 'opaque') {
      if (tree.get(item.path)?.type !== 'dir')
        fail(`opaque marker on a non-dir ${JSON.stringify(item.path)}`);
      for (const p of [...tree.keys()]) if (isInside(p, item.path) && !inLayer(p)) tree.delete(p);
      continue;
    }
    const entry = item.entry;
    requireParentDir(entry.path);
    if (written.has(entry.path)) fail(`duplicate entry ${JSON.stringify(entry.path)}`);
    const existing = tree.get(entry.path);
    if (existing !== undefined && !(existing.type === 'dir' && entry.type === 'dir')) {
      removeSubtree(tree, entry.path);
    }
    if (entry.type === 'hardlink') {
      const target = tree.get(entry.linkTarget ?? '');
      if (target === undefined || target.type === 'dir')
        fail(`bad hardlink target for ${JSON.stringify(entry.path)}`);
      tree.set(entry.path, target);
    } else {
      tree.set(entry.path, await toInode(entry));
    }
    written.add(entry.path);
  }
  return tree;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Per path, every fact that must match (dir mtimes excluded: diffs ignore them by design). */
export function describe(tree: RefTree): Map<BytePath, string> {
  const groups = new Map<Inode, BytePath[]>();
  for (const [path, inode] of tree) groups.set(inode, [...(groups.get(inode) ?? []), path]);
  const out = new Map<BytePath, string>();
  for (const [path, n] of tree) {
    const xattrs = [...n.xattrs].map(([k, v]) => `${k}=${hex(v)}`).sort();
    const parts = [n.type, n.mode.toString(8), `${n.uid}:${n.gid}`, hex(n.content), n.linkTarget];
    parts.push(`${n.devMajor},${n.devMinor}`, xattrs.join(','), (groups.get(n) ?? []).join('|'));
    if (n.type !== 'dir') parts.push(`mtime=${n.mtimeNs}`);
    out.set(path, parts.join(' '));
  }
  return out;
}
