/**
 * The sha256 of each regular file an unpack wrote, computed while its bytes streamed to disk, so
 * the snapshot recorded right after need not read the whole rootfs back.
 */
import { fstatSync } from 'node:fs';
import type { Digest } from '@layerkit/digest';
import type { TreeEntry } from '../../contracts.js';

/** What the file looked like when it was closed: any later change to it moves one of these. */
interface WrittenFile {
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  digest: Digest;
}

/**
 * Digests of written files by inode (`dev:ino`). Sound only for a tree no one else writes (the
 * unpack's private 0700 work directory), where the applier creates every regular file new
 * (`O_EXCL`) and never writes one again: an inode number a later layer reuses is recorded anew
 * when its file is written. Memory grows with the number of files written.
 */
export class WrittenContents {
  readonly #byInode = new Map<string, WrittenFile>();

  /** Records `digest` as the content of the file open as `fd`, which the writer just finished. */
  record(fd: number, digest: Digest): void {
    const stat = fstatSync(fd, { bigint: true });
    this.#byInode.set(`${stat.dev}:${stat.ino}`, {
      size: stat.size,
      mtimeNs: stat.mtimeNs,
      ctimeNs: stat.ctimeNs,
      digest,
    });
  }

  /**
   * The digest recorded for file `entry` (from a walk of the tree), when its lstat shows the file
   * as it was written: same inode, size, mtime and ctime, and a single link (a hardlinked inode
   * may have been linked or unlinked since, so it is read). Undefined means: read the file.
   */
  digestOf(entry: TreeEntry): Digest | undefined {
    const { stat } = entry;
    if (stat === undefined || entry.linkKey !== undefined) return undefined;
    const written = this.#byInode.get(`${stat.dev}:${stat.ino}`);
    if (
      written === undefined ||
      written.size !== stat.size ||
      written.mtimeNs !== stat.mtimeNs ||
      written.ctimeNs !== stat.ctimeNs
    ) {
      return undefined;
    }
    return written.digest;
  }
}
