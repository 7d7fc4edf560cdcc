/**
 * The public contracts of @layerkit/diff: tree entries, trees and changes.
 * Implementations live in their own files; this file holds types only.
 *
 * Paths are *byte strings*: every char code is one byte (0–255) of the raw file name,
 * exactly as the file system or the tar header holds it (think `Buffer.toString('latin1')`).
 * This keeps non-UTF-8 names intact end to end and makes `<` on strings a byte comparison.
 * `BytePath` is branded so UTF-8 text cannot pass for one: convert at the edges with
 * `pathFromUtf8` / `pathFromBytes` and `pathToUtf8` / `pathToBytes` (see path.ts).
 * A path is relative to the tree root, has no leading `/` or `./`, no trailing `/`,
 * and the root itself is never an entry.
 */
import type { Digest } from '@layerkit/digest';

declare const bytePathBrand: unique symbol;

/**
 * A byte-string path (see the file comment). Branded: a plain (UTF-8) `string` is not a
 * `BytePath`; make one with `pathFromUtf8` or `pathFromBytes`. A `BytePath` is a `string`
 * wherever one is read.
 */
export type BytePath = string & {
  /** A type-only marker (no such property exists at run time). */
  readonly [bytePathBrand]: true;
};

/** File types a tree can hold. `hardlink` appears only in tar-sourced trees (typeflag 1). */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'socket';

/**
 * File content, produced lazily. A source may return a sync iterable (Node's fast path:
 * `readSync` into a buffer, no promise per chunk) or an async one; consumers handle both.
 * A chunk is valid only until the next step of the iteration: copy it if you keep it.
 */
export type ContentReader = () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** One file system object, with everything Docker and the OCI layer spec compare or record. */
export interface TreeEntry {
  /** The path relative to the tree root (byte string, no leading or trailing `/`). */
  path: BytePath;
  /** The kind of file system object. */
  type: EntryType;
  /** Permission bits plus setuid/setgid/sticky (`& 0o7777`); never the S_IFMT type bits. */
  mode: number;
  /** Owner user ID. */
  uid: number;
  /** Owner group ID. */
  gid: number;
  /** Content length for files; 0 for everything else. */
  size: number;
  /** Modification time in nanoseconds since the epoch. */
  mtimeNs: bigint;
  /** Symlink target (verbatim bytes), or for `hardlink` the path of the entry it links to. */
  linkTarget?: BytePath;
  /** Major device number, for `char` and `block`. */
  devMajor?: number;
  /** Minor device number, for `char` and `block`. */
  devMinor?: number;
  /** Extended attributes: name (byte string) → raw value. Absent when none were read. */
  xattrs?: ReadonlyMap<string, Uint8Array>;
  /** Hardlink identity of an on-disk file (`dev:ino`), present when nlink > 1. */
  linkKey?: string;
  /** Stat facts for the snapshot fast path (on-disk sources only). */
  stat?: EntryStat;
  /** sha256 of the content when the source already knows it (e.g. hashed while reading a layer). */
  contentDigest?: Digest;
  /** Opens the content of a `file`. */
  content?: ContentReader;
}

/** The stat facts git's index trick compares: equal ⇒ unchanged, without reading the file. */
export interface EntryStat {
  /** Device ID of the file system holding the file (`st_dev`). */
  dev: bigint;
  /** Inode number (`st_ino`). */
  ino: bigint;
  /** Status change time in nanoseconds since the epoch (`st_ctime`). */
  ctimeNs: bigint;
  /** Modification time in nanoseconds since the epoch (`st_mtime`). */
  mtimeNs: bigint;
  /** Size in bytes (`st_size`). */
  size: bigint;
}

/**
 * A source of entries in the one global order: path components compared as bytes,
 * a directory immediately before its descendants (`a`, `a/b`, `a.b`): see `comparePaths`.
 */
export interface Tree {
  /** Every entry once, in the global order. A diff may call it again: each call walks the tree anew. */
  entries(): AsyncIterable<TreeEntry>;
  /**
   * The same entries in the same order, a batch at a time (optional): a consumer then waits
   * once per batch instead of once per entry, which is most of a stat walk's overhead.
   */
  entryBatches?(): AsyncIterable<readonly TreeEntry[]>;
}

/** `docker diff` change kinds, with the Engine API's numbers: C=0, A=1, D=2. */
export type ChangeKind = 'C' | 'A' | 'D';

/** One change between a lower and an upper tree. */
export interface Change {
  /** `A` added, `C` changed, `D` deleted. */
  kind: ChangeKind;
  /** The changed path. */
  path: BytePath;
  /** The upper entry for A and C. */
  entry?: TreeEntry;
  /** The lower entry for C and D. */
  lower?: TreeEntry;
}

/** An entry in a layer (the tar's view): a tree entry, a whiteout, or an opaque marker. */
export type LayerEntry =
  /** A file system object the layer adds or replaces. */
  | {
      /** Discriminant: an entry. */
      kind: 'entry';
      /** The object, with its path, metadata and content. */
      entry: TreeEntry;
    }
  /** Deletes `path` (written as `dir/.wh.base`). */
  | {
      /** Discriminant: a whiteout. */
      kind: 'whiteout';
      /** The deleted path. */
      path: BytePath;
    }
  /** Hides all lower children of directory `path` (written as `path/.wh..wh..opq`). */
  | {
      /** Discriminant: an opaque marker. */
      kind: 'opaque';
      /** The directory whose lower children are hidden. */
      path: BytePath;
    };

/** One tar header after PAX / GNU long-name resolution, before any path normalization. */
export interface TarHeader {
  /** The raw entry name (byte string), exactly as the archive spells it (may hold `./`, `/`, `..`). */
  name: BytePath;
  /** The typeflag character: `0` `1` `2` `3` `4` `5` `6` `7` (`\0` is reported as `0`). */
  typeflag: string;
  /** `& 0o7777` of the header's mode field. */
  mode: number;
  /** Owner user ID (numeric field, or PAX `uid`). */
  uid: number;
  /** Owner group ID (numeric field, or PAX `gid`). */
  gid: number;
  /** Bytes of content (after PAX `size`); for a GNU sparse file, its expanded size (`realsize`). */
  size: number;
  /** mtime in ns (PAX `mtime` keeps fractions). */
  mtimeNs: bigint;
  /** Link target for typeflags 1 and 2 (byte string). */
  linkName: BytePath;
  /** Major device number for typeflags 3 and 4; 0 otherwise. */
  devMajor: number;
  /** Minor device number for typeflags 3 and 4; 0 otherwise. */
  devMinor: number;
  /** Owner user name (`''` when the header has none); layers are applied by numeric ID. */
  uname: string;
  /** Owner group name (`''` when the header has none); layers are applied by numeric ID. */
  gname: string;
  /** `SCHILY.xattr.*` records: name (byte string) → raw value. */
  xattrs: Map<string, Uint8Array>;
}

/** One entry read from a tar stream. `body` must be consumed or abandoned before the next entry. */
export interface TarEntry {
  /** The entry's resolved header. */
  header: TarHeader;
  /** Exactly `header.size` bytes of content. */
  body: AsyncIterable<Uint8Array>;
}

/** Bounds that make reading a hostile tar safe (T17–T21, docs/threat-model.md#apply); safe defaults. */
export interface TarLimits {
  /** Largest PAX / GNU long-name payload (default 1 MiB). */
  maxSpecialHeaderBytes?: number | undefined;
  /** Most entries in one archive (default 10,000,000). */
  maxEntries?: number | undefined;
  /** Longest path in bytes (default 4096). */
  maxPathBytes?: number | undefined;
  /** Most path components (default 1024). */
  maxPathDepth?: number | undefined;
  /** Most total bytes of the archive stream, headers included and sparse files' holes counted (default 1 TiB). */
  maxTotalBytes?: number | undefined;
}
