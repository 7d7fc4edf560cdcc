/**
 * An `ApplyTarget` held in memory: a tree of names pointing at shared inodes, so the one apply
 * algorithm yields exactly what it would on disk (hardlinks share metadata, a replaced name drops
 * only its own link). File bodies are hashed while they stream past and then forgotten: memory grows
 * with the number of entries, never with their bytes.
 */
import type { Digest, HasherFactory } from '@layerkit/digest';
import type { BytePath, EntryType, TreeEntry } from '../contracts.js';
import { baseName, EMPTY_PATH, joinPath, parentPath, pathComponents } from '../path.js';
import type { ApplyTarget, EntryMeta, SpecialType } from './apply-types.js';

/** Where a file's bytes live: the entry at `ordinal` (0-based, in stream order) of layer `layer`. */
export interface ContentSource {
  layer: number;
  ordinal: number;
}

/** One file-system object; several names may share it (hardlinks). */
interface Inode {
  readonly id: number;
  readonly type: EntryType;
  meta: EntryMeta;
  size: number;
  linkTarget?: BytePath;
  devMajor?: number;
  devMinor?: number;
  contentDigest?: Digest;
  source?: ContentSource;
}

/** A name in the tree; directories have children. */
interface MemoryNode {
  inode: Inode;
  children?: Map<BytePath, MemoryNode>;
}

/** What an implied parent directory gets: like `mkdir -p` as root, with time zero (deterministic). */
const IMPLIED_DIR_META: EntryMeta = { uid: 0, gid: 0, mode: 0o755, mtimeNs: 0n, xattrs: new Map() };

/** New metadata over old, as on disk: the entry's xattrs are added to (or replace) those already set. */
function mergedXattrs(old: EntryMeta, meta: EntryMeta): EntryMeta {
  if (old.xattrs.size === 0) return meta;
  if (meta.xattrs.size === 0) return { ...meta, xattrs: old.xattrs };
  return { ...meta, xattrs: new Map([...old.xattrs, ...meta.xattrs]) };
}

/** The in-memory target of the merged view. */
export class MemoryTarget implements ApplyTarget {
  readonly specialFiles = true;
  /** The entry being applied; files record it as their content source. */
  position: ContentSource = { layer: 0, ordinal: 0 };
  readonly #hasher: HasherFactory;
  readonly #root: MemoryNode;
  #inodes = 0;

  constructor(hasher: HasherFactory) {
    this.#hasher = hasher;
    this.#root = this.#dirNode(IMPLIED_DIR_META);
  }

  kind(path: BytePath): EntryType | undefined {
    return this.#lookup(path)?.inode.type;
  }

  readlink(path: BytePath): BytePath {
    return this.#lookup(path)?.inode.linkTarget ?? EMPTY_PATH;
  }

  readdir(path: BytePath): BytePath[] {
    return [...(this.#lookup(path)?.children?.keys() ?? [])];
  }

  mkdirImplied(path: BytePath): void {
    this.#attach(path, this.#dirNode(IMPLIED_DIR_META));
  }

  remove(path: BytePath): void {
    this.#lookup(parentPath(path))?.children?.delete(baseName(path));
  }

  makeDir(path: BytePath, meta: EntryMeta, exists: boolean): void {
    const existing = exists ? this.#lookup(path) : undefined;
    if (existing === undefined) this.#attach(path, this.#dirNode(meta));
    else existing.inode.meta = mergedXattrs(existing.inode.meta, meta);
  }

  async writeFile(path: BytePath, meta: EntryMeta, body: AsyncIterable<Uint8Array>): Promise<void> {
    const hasher = this.#hasher();
    let written = 0;
    for await (const chunk of body) {
      hasher.update(chunk);
      written += chunk.length;
    }
    const inode = this.#inode('file', meta);
    inode.size = written;
    inode.contentDigest = hasher.digest();
    inode.source = { ...this.position };
    this.#attach(path, { inode });
  }

  makeSymlink(path: BytePath, linkTarget: BytePath, meta: EntryMeta): void {
    // Linux symlinks always carry mode 0777, whatever the header says.
    const inode = this.#inode('symlink', { ...meta, mode: 0o777 });
    inode.linkTarget = linkTarget;
    this.#attach(path, { inode });
  }

  makeHardlink(path: BytePath, existing: BytePath, meta: EntryMeta): void {
    const inode = this.#lookup(existing)!.inode;
    // As on disk: the link entry's owner, xattrs, time (and mode, unless a symlink) land on the shared inode.
    const mode = inode.type === 'symlink' ? inode.meta.mode : meta.mode;
    inode.meta = { ...mergedXattrs(inode.meta, meta), mode };
    this.#attach(path, { inode });
  }

  makeSpecial(path: BytePath, type: SpecialType, major: number, minor: number, meta: EntryMeta): boolean {
    const inode = this.#inode(type, meta);
    if (type !== 'fifo') {
      inode.devMajor = major;
      inode.devMinor = minor;
    }
    this.#attach(path, { inode });
    return true;
  }

  setDirTime(path: BytePath, mtimeNs: bigint): void {
    const node = this.#lookup(path)!;
    node.inode.meta = { ...node.inode.meta, mtimeNs };
  }

  /**
   * Every entry below the root (any order), as tree entries; `content` builds the reader of a
   * file from its source. Files with several names share a `linkKey`.
   */
  entries(content: (source: ContentSource) => NonNullable<TreeEntry['content']>): TreeEntry[] {
    const names = new Map<number, number>();
    const found: Array<[BytePath, Inode]> = [];
    const visit = (dir: BytePath, node: MemoryNode) => {
      for (const [name, child] of node.children ?? []) {
        const path = joinPath(dir, name);
        found.push([path, child.inode]);
        names.set(child.inode.id, (names.get(child.inode.id) ?? 0) + 1);
        visit(path, child);
      }
    };
    visit(EMPTY_PATH, this.#root);
    return found.map(([path, inode]) => {
      const { meta } = inode;
      const entry: TreeEntry = {
        path,
        type: inode.type,
        mode: meta.mode,
        uid: meta.uid,
        gid: meta.gid,
        size: 0,
        mtimeNs: meta.mtimeNs,
      };
      if (meta.xattrs.size > 0) entry.xattrs = meta.xattrs;
      if (inode.linkTarget !== undefined) entry.linkTarget = inode.linkTarget;
      if (inode.devMajor !== undefined) entry.devMajor = inode.devMajor;
      if (inode.devMinor !== undefined) entry.devMinor = inode.devMinor;
      if (inode.type !== 'dir' && names.get(inode.id)! > 1) entry.linkKey = `merged:${inode.id}`;
      if (inode.source !== undefined) {
        entry.size = inode.size;
        if (inode.contentDigest !== undefined) entry.contentDigest = inode.contentDigest;
        entry.content = content(inode.source);
      }
      return entry;
    });
  }

  #lookup(path: BytePath): MemoryNode | undefined {
    if (path === '') return this.#root;
    let node: MemoryNode | undefined = this.#root;
    for (const name of pathComponents(path)) {
      node = node.children?.get(name);
      if (node === undefined) return undefined;
    }
    return node;
  }

  #attach(path: BytePath, node: MemoryNode): void {
    this.#lookup(parentPath(path))!.children!.set(baseName(path), node);
  }

  #inode(type: EntryType, meta: EntryMeta): Inode {
    return { id: ++this.#inodes, type, meta, size: 0 };
  }

  #dirNode(meta: EntryMeta): MemoryNode {
    return { inode: this.#inode('dir', meta), children: new Map() };
  }
}
