/**
 * A directory on disk as a Tree: a streamed, sorted, synchronous walk (docs/design.md#perf-walk).
 */
import type { BytePath, ContentReader, EntryStat, EntryType, Tree, TreeEntry } from '../../contracts.js';
import { inBatches } from '../../tree/in-batches.js';
import { entryTypeOf } from './entry-type.js';
import { readFileChunks } from './read-chunks.js';
import { type FsPath, type WalkedEntry, walkRoot, walkStats } from './walk-stats.js';
import { XattrReader, type XattrSelection } from './xattr-reader.js';

/** Options of {@link directoryTree}. */
export interface DirectoryTreeOptions {
  /** Which xattrs to read (default `capability`: only `security.capability`, as Docker). */
  xattrs?: XattrSelection | undefined;
  /** Receives non-fatal problems (e.g. the xattr addon failed to load); default: ignore. */
  onWarning?: ((message: string) => void) | undefined;
  /**
   * Called with the number of entries walked so far, once per batch (a few hundred entries):
   * progress, and a checkpoint — a throw stops the walk.
   */
  onEntries?: ((entries: number) => void) | undefined;
}

/** A directory tree with a synchronous walk beside the `Tree` interface. */
export interface DirectoryTree extends Tree {
  /** The same walk as `entries()`, synchronously (no promise per entry). */
  entriesSync(): Generator<TreeEntry>;
}

const READ_CHUNK = 64 * 1024;

/** Linux `major()` / `minor()` of a device number. */
function deviceNumbers(rdev: bigint): { devMajor: number; devMinor: number } {
  return {
    devMajor: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    devMinor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
  };
}

/**
 * A walked file's content, read by `readFileChunks`. Buffers come from a per-tree free list, so
 * two files can be read side by side (content comparison) while a single read reuses one buffer:
 * each chunk is valid only until the next step of its iteration.
 */
function fileContent(path: FsPath, size: number, pool: Buffer[]): ContentReader {
  return function* read() {
    const buffer = pool.pop() ?? Buffer.allocUnsafe(READ_CHUNK);
    try {
      yield* readFileChunks(path, size, buffer);
    } finally {
      pool.push(buffer);
    }
  };
}

/**
 * A walked entry. `xattrs` is read on first use: a diff that finds the stat unchanged in a
 * snapshot never needs them (any xattr change moves the ctime), and the read costs as much as the
 * lstat. It is an own enumerable getter, so `{ ...entry }` copies the value as for any entry; all
 * entries share one descriptor (a getter closure made per entry cost 2–4 µs each, a sixth of a walk).
 */
class DiskEntry {
  static readonly #lazyXattrs: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: DiskEntry) {
      return this.#readXattrs();
    },
  };

  path: BytePath;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeNs: bigint;
  stat: EntryStat;
  content?: ContentReader;
  linkTarget?: BytePath;
  devMajor?: number;
  devMinor?: number;
  linkKey?: string;
  readonly #absolute: FsPath;
  readonly #reader: XattrReader;
  #xattrs: TreeEntry['xattrs'] | null = null;

  constructor(walked: WalkedEntry, reader: XattrReader, pool: Buffer[]) {
    const { path, absolute, stat, linkTarget } = walked;
    const type = entryTypeOf(stat);
    this.path = path;
    this.type = type;
    this.mode = Number(stat.mode) & 0o7777;
    this.uid = Number(stat.uid);
    this.gid = Number(stat.gid);
    this.size = type === 'file' ? Number(stat.size) : 0;
    this.mtimeNs = stat.mtimeNs;
    this.stat = {
      dev: stat.dev,
      ino: stat.ino,
      ctimeNs: stat.ctimeNs,
      mtimeNs: stat.mtimeNs,
      size: stat.size,
    };
    this.#absolute = absolute;
    this.#reader = reader;
    if (type === 'file') this.content = fileContent(absolute, this.size, pool);
    else if (linkTarget !== undefined) this.linkTarget = linkTarget;
    else if (type === 'char' || type === 'block') Object.assign(this, deviceNumbers(stat.rdev));
    if (type !== 'dir' && stat.nlink > 1n) this.linkKey = `${stat.dev}:${stat.ino}`;
    Object.defineProperty(this, 'xattrs', DiskEntry.#lazyXattrs);
  }

  #readXattrs(): TreeEntry['xattrs'] {
    if (this.#xattrs === null) this.#xattrs = this.#reader.read(this.#absolute, this.type === 'file');
    return this.#xattrs;
  }
}

/**
 * Walks `root` (never following symlinks) in the global order: each directory's children
 * sorted by name bytes, a directory right before its subtree. Memory holds one sorted name list
 * per open directory, not the tree. Paths are byte strings, so non-UTF-8 names survive.
 * Entries carry type, mode & 0o7777, ids, size (files), ns mtime, symlink target, device
 * numbers, `linkKey` (`dev:ino`, for non-directories with nlink > 1), `stat` (for the snapshot
 * fast path), xattrs per `options.xattrs` (read on first use), and a lazy
 * synchronous `content()` for files.
 */
export function directoryTree(root: string | Uint8Array, options: DirectoryTreeOptions = {}): DirectoryTree {
  const top = walkRoot(root);
  const xattrs = new XattrReader(options.xattrs ?? 'capability', options.onWarning ?? (() => {}));
  const pool: Buffer[] = [];
  // A TreeEntry: its `xattrs` getter (defined in the constructor) reads undefined when there are none.
  const makeEntry = (walked: WalkedEntry): TreeEntry => new DiskEntry(walked, xattrs, pool) as TreeEntry;

  async function* entryBatches(): AsyncGenerator<TreeEntry[]> {
    let walked = 0;
    for await (const batch of inBatches(walkStats(top), makeEntry)) {
      walked += batch.length;
      options.onEntries?.(walked);
      yield batch;
    }
  }

  return {
    *entriesSync() {
      for (const walked of walkStats(top)) yield makeEntry(walked);
    },
    entryBatches,
    async *entries() {
      for await (const batch of entryBatches()) yield* batch;
    },
  };
}
