/**
 * Garbage collection of an OCI layout directory: the blobs `index.json` does not reach, and the
 * leftovers of dead writers. It never makes a live writer fail (layout-lease.ts), never deletes
 * past a manifest or index it cannot find, and never deletes through a symlinked blob directory.
 */
import { linkSync, lstatSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Digest, digestHex, LayerkitError } from '@layerkit/digest';
import { removeStaleTemporaries, temporaryPath } from '@layerkit/digest/internal/node';
import { readLayoutIndex } from '../../store/layout-image-source.js';
import { type MissingDocument, reachableBlobs } from '../../store/reachable-blobs.js';
import { directoryLayoutAccess } from './layout-directory.js';
import { readLeases } from './layout-lease.js';
import { withLayoutLock } from './layout-lock.js';

/** What {@link gcLayout} removed. */
export interface GcResult {
  /** The digests of the blobs deleted, in the order the blob directory listed them. */
  removed: Digest[];
  /**
   * The temporary files left by writers that died mid-write (`kill -9`, a crash, a full disk),
   * removed too; a writer still running keeps its file.
   */
  removedTemporaries: string[];
  /** The total size in bytes of everything removed (the files' sizes on disk). */
  removedBytes: number;
}

/**
 * Deletes every blob of the layout at `dir` that `index.json` does not reach (through indexes,
 * manifests, configs, layers and subjects) and no running writer has leased, and the temporary
 * files and leases of dead writers. Holds the layout lock throughout, so no tag moves meanwhile.
 *
 * Each unreferenced blob is first moved aside, then the leases are read, and a leased one is put
 * back: a writer that leased it before that read finds it back in place, one that leased it later
 * found it gone and stored its own copy (see layout-lease.ts).
 *
 * @throws `BLOB_MISSING` when `index.json` (or an index under it) names a manifest or index the
 *   layout does not hold: what it references is unknown, so nothing is deleted.
 * @throws `NOT_A_DIRECTORY` when `blobs/` or `blobs/sha256/` is a symlink or no directory.
 */
export async function gcLayout(dir: string): Promise<GcResult> {
  const access = directoryLayoutAccess(dir);
  // Checked before the lock, so a path that is no layout is reported as such (not as a lock error).
  await readLayoutIndex(access);
  return withLayoutLock(dir, async () => {
    const blobsDir = join(dir, 'blobs');
    requireDirectory(blobsDir);
    requireDirectory(join(blobsDir, 'sha256'));
    const index = await readLayoutIndex(access);
    const { reachable, missingDocuments } = await reachableBlobs(access.blobs, index.manifests);
    const [firstMissing] = missingDocuments;
    if (firstMissing !== undefined) throw missingDocumentError(dir, firstMissing);

    const leasedBefore = readLeases(dir).digests;
    const aside: { digest: Digest; path: string; trash: string }[] = [];
    for await (const digest of access.blobs.list()) {
      if (reachable.has(digest) || leasedBefore.has(digest)) continue;
      const path = access.blobs.path(digest);
      const trash = temporaryPath(join(blobsDir, digestHex(digest)));
      try {
        renameSync(path, trash);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      aside.push({ digest, path, trash });
    }

    const leased = readLeases(dir).digests;
    const removed: Digest[] = [];
    let removedBytes = 0;
    for (const { digest, path, trash } of aside) {
      if (leased.has(digest)) {
        putBack(trash, path);
        continue;
      }
      removedBytes += lstatSync(trash).size;
      rmSync(trash, { force: true });
      removed.push(digest);
    }
    const temporaries = [...removeStaleTemporaries(blobsDir), ...removeStaleTemporaries(dir)];
    for (const { size } of temporaries) removedBytes += size;
    return { removed, removedTemporaries: temporaries.map(({ path }) => path), removedBytes };
  });
}

/** Links a blob moved aside back under its name (a writer's own copy may be there already). */
function putBack(trash: string, path: string): void {
  try {
    linkSync(trash, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  rmSync(trash, { force: true });
}

/** gc deletes inside `path` only when it is a real directory (absent: nothing to delete). */
function requireDirectory(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined || stat.isDirectory()) return;
  const what = stat.isSymbolicLink() ? 'a symlink' : 'not a directory';
  throw new LayerkitError(
    'NOT_A_DIRECTORY',
    `${path} is ${what}: gc deletes nothing outside the layout, and nothing was deleted`,
    { path },
  );
}

function missingDocumentError(dir: string, { descriptor, referencedBy }: MissingDocument): LayerkitError {
  const namedBy = referencedBy === undefined ? `${join(dir, 'index.json')}` : referencedBy;
  return new LayerkitError(
    'BLOB_MISSING',
    `${namedBy} names ${descriptor.digest} (${descriptor.mediaType}), which is missing from ${join(dir, 'blobs')}: gc cannot tell what it references, so nothing was deleted`,
    { digest: descriptor.digest, path: dir },
  );
}
