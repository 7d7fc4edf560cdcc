/**
 * An in-memory tree: the portable tree source for tests, browsers and synthetic layers.
 */
import { LayerkitError, type LayerkitErrorCode } from '@layerkit/digest';
import type { BytePath, ContentReader, EntryType, Tree, TreeEntry } from '../contracts.js';
import { comparePaths, parentPath, pathFromBytes, pathFromUtf8, pathToUtf8 } from '../path.js';

const utf8Encoder = new TextEncoder();

/** A convenient description of one entry for {@link MemoryTree.fromSpecs}. */
export interface MemoryEntrySpec {
  /** UTF-8 text (converted to a byte path) or raw name bytes; relative, `/`-separated. */
  path: string | Uint8Array;
  /** Default: `file` when `content` is given, else `symlink` when `linkTarget` is, else `dir`. */
  type?: EntryType;
  /** Default 0o644 for files, 0o777 for symlinks, 0o755 otherwise. */
  mode?: number;
  /** Owner user ID (default 0). */
  uid?: number;
  /** Owner group ID (default 0). */
  gid?: number;
  /** Default: the builder's `mtimeNs`. */
  mtimeNs?: bigint;
  /** File content; strings are encoded as UTF-8. */
  content?: string | Uint8Array;
  /** Symlink target as UTF-8 text or raw bytes. */
  linkTarget?: string | Uint8Array;
  /** Major device number, for `char` and `block`. */
  devMajor?: number;
  /** Minor device number, for `char` and `block`. */
  devMinor?: number;
  /** Extended attributes by (UTF-8) name; string values are encoded as UTF-8. */
  xattrs?: Record<string, string | Uint8Array>;
  /** Hardlink identity: entries sharing a key are links to one file. */
  linkKey?: string;
}

/** Defaults for {@link MemoryTree.fromSpecs}. */
export interface MemoryTreeDefaults {
  /** mtime for entries and implied directories that give none (default 0). */
  mtimeNs?: bigint;
}

/** Makes a content reader over fixed bytes (a fresh one-chunk iteration per call). */
export function bytesContent(bytes: Uint8Array): ContentReader {
  return () => [bytes];
}

function toBytePath(text: string | Uint8Array): BytePath {
  return typeof text === 'string' ? pathFromUtf8(text) : pathFromBytes(text);
}

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? utf8Encoder.encode(value) : value;
}

function invalid(code: LayerkitErrorCode, message: string, path: BytePath): LayerkitError {
  return new LayerkitError(code, message, { path });
}

/** Rejects paths outside the contract's shape (see contracts.ts). */
function checkPath(path: BytePath): void {
  const components = path.split('/');
  const bad = components.some((c) => c === '' || c === '.' || c === '..' || c.includes('\0'));
  if (bad) throw invalid('INVALID_PATH', `invalid tree path ${JSON.stringify(pathToUtf8(path))}`, path);
}

function specToEntry(spec: MemoryEntrySpec, mtimeNs: bigint): TreeEntry {
  const path = toBytePath(spec.path);
  const type: EntryType =
    spec.type ?? (spec.content !== undefined ? 'file' : spec.linkTarget !== undefined ? 'symlink' : 'dir');
  const defaultMode = type === 'file' ? 0o644 : type === 'symlink' ? 0o777 : 0o755;
  const entry: TreeEntry = {
    path,
    type,
    mode: spec.mode ?? defaultMode,
    uid: spec.uid ?? 0,
    gid: spec.gid ?? 0,
    size: 0,
    mtimeNs: spec.mtimeNs ?? mtimeNs,
  };
  if (type === 'file') {
    const bytes = toBytes(spec.content ?? '');
    entry.size = bytes.length;
    entry.content = bytesContent(bytes);
  }
  if (spec.linkTarget !== undefined) entry.linkTarget = toBytePath(spec.linkTarget);
  if (spec.devMajor !== undefined) entry.devMajor = spec.devMajor;
  if (spec.devMinor !== undefined) entry.devMinor = spec.devMinor;
  if (spec.linkKey !== undefined) entry.linkKey = spec.linkKey;
  if (spec.xattrs !== undefined) {
    entry.xattrs = new Map(Object.entries(spec.xattrs).map(([k, v]) => [pathFromUtf8(k), toBytes(v)]));
  }
  return entry;
}

/**
 * A tree held in memory, iterated in the global order (`comparePaths`). Construction validates
 * paths, rejects duplicates and entries below a non-directory, and adds missing parent
 * directories (0755, root-owned, with the default mtime).
 */
export class MemoryTree implements Tree {
  readonly #entries: readonly TreeEntry[];
  readonly #byPath: ReadonlyMap<BytePath, TreeEntry>;

  private constructor(entries: TreeEntry[]) {
    this.#entries = entries;
    this.#byPath = new Map(entries.map((e) => [e.path, e]));
  }

  /** Builds a tree from complete entries with byte-string paths. */
  static fromEntries(entries: Iterable<TreeEntry>, defaults: MemoryTreeDefaults = {}): MemoryTree {
    const byPath = new Map<BytePath, TreeEntry>();
    for (const entry of entries) {
      checkPath(entry.path);
      if (byPath.has(entry.path)) {
        throw invalid(
          'DUPLICATE_PATH',
          `duplicate tree path ${JSON.stringify(pathToUtf8(entry.path))}`,
          entry.path,
        );
      }
      byPath.set(entry.path, entry);
    }
    const mtimeNs = defaults.mtimeNs ?? 0n;
    for (const path of [...byPath.keys()]) {
      for (let parent = parentPath(path); parent !== ''; parent = parentPath(parent)) {
        const existing = byPath.get(parent);
        if (existing === undefined) {
          byPath.set(parent, { path: parent, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeNs });
        } else if (existing.type !== 'dir') {
          throw invalid(
            'PARENT_NOT_DIRECTORY',
            `parent of ${JSON.stringify(pathToUtf8(path))} is not a directory`,
            path,
          );
        } else {
          break;
        }
      }
    }
    return new MemoryTree([...byPath.values()].sort((a, b) => comparePaths(a.path, b.path)));
  }

  /** Builds a tree from friendly specs (UTF-8 paths, string contents). */
  static fromSpecs(specs: Iterable<MemoryEntrySpec>, defaults: MemoryTreeDefaults = {}): MemoryTree {
    const mtimeNs = defaults.mtimeNs ?? 0n;
    return MemoryTree.fromEntries(
      [...specs].map((s) => specToEntry(s, mtimeNs)),
      defaults,
    );
  }

  /** Number of entries (implied directories included). */
  get size(): number {
    return this.#entries.length;
  }

  /** The entry at `path`, if any. */
  get(path: BytePath): TreeEntry | undefined {
    return this.#byPath.get(path);
  }

  /** All entries in the global order. */
  list(): readonly TreeEntry[] {
    return this.#entries;
  }

  /** Iterates the entries in the global order. */
  async *entries(): AsyncIterable<TreeEntry> {
    yield* this.#entries;
  }
}
