/**
 * Hashing every regular file of a tree, the fast way (docs/design.md#perf-read): the tree's one
 * file reader (`readFileChunks`) into one reused 1 MiB buffer and node:crypto.
 */
import { type Digest, isLayerkitError } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import type { TreeEntry } from '../../contracts.js';
import type { WrittenContents } from '../apply/written-contents.js';
import { readFileChunks } from '../tree/read-chunks.js';

const BUFFER_BYTES = 1024 * 1024;
const SLASH = Buffer.from('/');

/**
 * The sha256 of each regular file under a root, hashing every hardlinked inode once and no file
 * whose digest is already known from writing it.
 */
export class ContentDigests {
  readonly #root: Buffer;
  readonly #written: WrittenContents | undefined;
  readonly #buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  /** Digests of multi-link inodes by `linkKey`: memory grows with hardlinked files only. */
  readonly #byLink = new Map<string, Digest | undefined>();

  /**
   * `root` is the directory the entries' paths are relative to (raw bytes); `written` the digests
   * of the files an unpack just wrote there, if any.
   */
  constructor(root: Buffer, written?: WrittenContents) {
    this.#root = root;
    this.#written = written;
  }

  /**
   * The sha256 of file `entry` (never following a symlink); undefined when the permissions forbid
   * reading it (a mode-000 file in a rootless unpack).
   */
  digest(entry: TreeEntry): Digest | undefined {
    const known = this.#written?.digestOf(entry);
    if (known !== undefined) return known;
    const key = entry.linkKey;
    if (key !== undefined && this.#byLink.has(key)) return this.#byLink.get(key);
    const digest = this.#read(
      Buffer.concat([this.#root, SLASH, Buffer.from(entry.path, 'latin1')]),
      entry.size,
    );
    if (key !== undefined) this.#byLink.set(key, digest);
    return digest;
  }

  #read(path: Buffer, size: number): Digest | undefined {
    const hash = createNativeSha256();
    try {
      for (const chunk of readFileChunks(path, size, this.#buffer)) hash.update(chunk);
    } catch (error) {
      if (isLayerkitError(error, 'PERMISSION_DENIED')) return undefined;
      throw error;
    }
    return hash.digest();
  }
}
