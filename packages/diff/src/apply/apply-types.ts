/**
 * The shapes shared by every layer applier: what an apply reports, the metadata it sets, and the
 * small file-system surface (`ApplyTarget`) the one apply algorithm runs against — a directory on
 * disk (`@layerkit/diff/node`) or the in-memory merged view.
 */
import type { BytePath, EntryType } from '../contracts.js';

/** An entry the applier deliberately did not create, and why. */
export interface SkippedEntry {
  /** The entry's path in the layer. */
  path: BytePath;
  /** Why it was skipped, for people (e.g. `AUFS metadata`; {@link ROOT_ENTRY_SKIPPED} for the root). */
  reason: string;
}

/** An extended attribute that was not applied, and why (policy or a failing `setxattr`). */
export interface DroppedXattr {
  /** The object whose attribute was dropped. */
  path: BytePath;
  /** The attribute's name (byte string). */
  name: string;
  /** Why, for people: the policy's rule or the `setxattr` error. */
  reason: string;
}

/** What applying one layer's entries did, besides creating them. */
export interface ApplyTally {
  /** Tar entries read (whiteouts and skipped entries included). */
  entries: number;
  /** Entries deliberately not created, in layer order. */
  skipped: SkippedEntry[];
  /** lchown calls that failed (expected when not running as root). */
  ownershipFailures: number;
  /** Extended attributes not applied, in layer order. */
  droppedXattrs: DroppedXattr[];
  /**
   * The metadata the layer gives the root directory (its last `./` directory entry), which the
   * apply itself never sets: the root is the caller's (`unpackImageLayers` gives it to the rootfs
   * it renames into place). Absent when the layer has no such entry.
   */
  root?: EntryMeta;
}

/** Policy switches of the apply algorithm. */
export interface ApplyRules {
  /** Reject a path that occurs twice in one layer (T22, docs/threat-model.md#t22); default: in order. */
  strict?: boolean;
  /**
   * What whiteouts and opaque markers become (default `remove`: they remove lower content). With
   * `overlay` the layer is extracted on its own as an overlayfs lower layer: a whiteout becomes a
   * 0:0 character device, an opaque directory gets `user.overlay.opaque=y`, and nothing is removed
   * (docs/design.md#mounted-images). The target must implement {@link OverlayMarkers}.
   */
  whiteouts?: 'remove' | 'overlay' | undefined;
}

/** How a target records deletions in overlayfs form (`whiteouts: 'overlay'`). */
export interface OverlayMarkers {
  /** Creates an overlay whiteout (char device 0:0, mode 0, owner 0:0) at `path`, where nothing is. */
  makeWhiteout(path: BytePath): void;
  /** Marks the directory `path` opaque: lower layers' children are hidden under it. */
  markOpaque(path: BytePath): void;
}

/** The metadata set on every created object, already validated and filtered by the policy. */
export interface EntryMeta {
  /** Owner user ID. */
  uid: number;
  /** Owner group ID. */
  gid: number;
  /** Permission bits plus setuid/setgid/sticky. */
  mode: number;
  /** Clamped to [0, 2^63) ns. */
  mtimeNs: bigint;
  /** Allowed extended attributes only. */
  xattrs: ReadonlyMap<string, Uint8Array>;
}

/** Device and FIFO entry types. */
export type SpecialType = Extract<EntryType, 'char' | 'block' | 'fifo'>;

/**
 * The file-system operations the apply algorithm needs. Paths are real, already-resolved paths
 * relative to the root (`''` is the root itself); no operation follows a symlink in the last
 * component. Only `writeFile` is asynchronous: everything else runs synchronously so a layer of
 * small entries costs no promise per entry.
 */
export interface ApplyTarget {
  /**
   * Whether devices and FIFOs are to be created; otherwise they are skipped and reported
   * ({@link SPECIAL_FILES_OFF}). When they are, `makeSpecial` may still find itself not permitted.
   */
  readonly specialFiles: boolean;
  /** The type of the object at `path` (lstat semantics), or `undefined` when nothing is there. */
  kind(path: BytePath): EntryType | undefined;
  /** The target of the symlink at `path`, verbatim. */
  readlink(path: BytePath): BytePath;
  /** The names inside directory `path`. */
  readdir(path: BytePath): BytePath[];
  /** Creates a missing parent directory (mode 0755, owned by the applier). */
  mkdirImplied(path: BytePath): void;
  /** Deletes the object at `path` (a directory with everything below it); never follows a symlink. */
  remove(path: BytePath): void;
  /** Creates directory `path`, or when `exists`, replaces the attributes of the directory there. */
  makeDir(path: BytePath, meta: EntryMeta, exists: boolean): void;
  /** Creates a new regular file holding `body` (the tar reader guarantees its size); fails if `path` exists. */
  writeFile(path: BytePath, meta: EntryMeta, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** Creates a symlink holding `linkTarget` verbatim. */
  makeSymlink(path: BytePath, linkTarget: BytePath, meta: EntryMeta): void;
  /** Creates `path` as another name of the existing non-directory `existing`. */
  makeHardlink(path: BytePath, existing: BytePath, meta: EntryMeta): void;
  /**
   * Creates a device node or FIFO (only called when `specialFiles`). Returns false, creating
   * nothing, when the system does not permit it (a device node without root or `CAP_MKNOD`).
   */
  makeSpecial(path: BytePath, type: SpecialType, major: number, minor: number, meta: EntryMeta): boolean;
  /** Sets a directory's mtime again once all its children exist. */
  setDirTime(path: BytePath, mtimeNs: bigint): void;
  /** Present on targets that can hold an overlayfs lower layer (`whiteouts: 'overlay'`). */
  readonly overlay?: OverlayMarkers | undefined;
}

/** The `SkippedEntry.reason` of an entry naming the root itself (e.g. GNU tar's `./`): never applied. */
export const ROOT_ENTRY_SKIPPED = 'names the root';

/** The `SkippedEntry.reason` of a device or FIFO when the target was told not to create them (`devices: false`). */
export const SPECIAL_FILES_OFF = 'device nodes and FIFOs are not created (devices: false)';

/** The `SkippedEntry.reason` of a device node the system does not let the applier create. */
export const DEVICE_NOT_PERMITTED = 'device node not created: not permitted (needs root with CAP_MKNOD)';

/** Creates an empty tally. */
export function emptyTally(): ApplyTally {
  return { entries: 0, skipped: [], ownershipFailures: 0, droppedXattrs: [] };
}
