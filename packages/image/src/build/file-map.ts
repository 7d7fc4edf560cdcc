/**
 * Files in memory as a build layer: a plain object of paths to contents (or fuller specs), turned
 * into a `MemoryTree` whose entries are all added by the layer. Portable: the browser builds
 * from these exactly as Node does.
 */
import {
  diffTrees,
  type LayerEntry,
  layerEntriesFromAdditions,
  type MemoryEntrySpec,
  MemoryTree,
  type Tree,
} from '@layerkit/diff';
import { LayerkitError } from '@layerkit/digest';

/** One file of a {@link FileMap}: content and metadata, or a directory or symlink. */
export interface FileSpec {
  /** File content (UTF-8 for a string). */
  content?: string | Uint8Array | undefined;
  /** Default: `file` with content, `symlink` with a target, else `dir`. */
  type?: 'file' | 'dir' | 'symlink' | undefined;
  /** A symlink's target, as written. */
  target?: string | undefined;
  /** Permission bits (default 0o644 for files, 0o755 for directories). */
  mode?: number | undefined;
  /** Owner user ID (default 0: root). */
  uid?: number | undefined;
  /** Owner group ID (default 0: root). */
  gid?: number | undefined;
  /** Modification time in seconds (default: the build's SOURCE_DATE_EPOCH, else 0: reproducible). */
  mtime?: number | undefined;
}

/**
 * Files by path in the image (`app/run.sh` or `/app/run.sh`): a string or bytes is a file's
 * content (mode 0o644), a {@link FileSpec} says more. Missing parent directories are created
 * (0o755, root) — over an existing directory of the base they set those facts, as Jib and ko do:
 * list a directory explicitly to keep, say, `/tmp`'s sticky bit.
 */
export type FileMap = Readonly<Record<string, string | Uint8Array | FileSpec>>;

/** `/app/x` → `app/x` (still UTF-8 text); refuses paths that leave the root. */
export function imagePath(path: string): string {
  const cleaned = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (cleaned === '' || cleaned.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new LayerkitError('INVALID_PATH', `invalid path in the image ${JSON.stringify(path)}`, { path });
  }
  return cleaned;
}

/** The tree of a {@link FileMap}; entries without an mtime get `mtimeNs`. */
export function fileMapTree(files: FileMap, mtimeNs: bigint): MemoryTree {
  const specs = Object.entries(files).map(([path, value]): MemoryEntrySpec => {
    const spec: FileSpec =
      typeof value === 'string' || value instanceof Uint8Array ? { content: value } : value;
    const entry: MemoryEntrySpec = { path: imagePath(path) };
    if (spec.type !== undefined) entry.type = spec.type;
    if (spec.content !== undefined) entry.content = spec.content;
    if (spec.target !== undefined) entry.linkTarget = spec.target;
    if (spec.mode !== undefined) entry.mode = spec.mode;
    if (spec.uid !== undefined) entry.uid = spec.uid;
    if (spec.gid !== undefined) entry.gid = spec.gid;
    if (spec.mtime !== undefined) entry.mtimeNs = BigInt(Math.trunc(spec.mtime)) * 1_000_000_000n;
    return entry;
  });
  return MemoryTree.fromSpecs(specs, { mtimeNs });
}

/** Every entry of `tree`, to be added as it is (a diff against nothing), streamed. */
export function addedEntries(tree: Tree): AsyncIterable<LayerEntry> {
  return layerEntriesFromAdditions(diffTrees(MemoryTree.fromEntries([]), tree));
}
