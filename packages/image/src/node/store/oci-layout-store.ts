/**
 * OCI image layout directories as image sources and sinks, and their garbage collection.
 * Tags live only in `index.json`, which is replaced atomically under the layout lock after
 * every blob, the config and the manifest are stored.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '@layerkit/digest';
import { removeStaleTemporaries } from '@layerkit/digest/internal/node';
import type { Raw } from '../../json/raw.js';
import type { Descriptor, ImageIndex } from '../../oci-types.js';
import { validateRefName } from '../../parse/ref-name.js';
import type { ImageSink, ImageToPublish, PublishOptions } from '../../store/image-sink.js';
import type { ImageSource } from '../../store/image-source.js';
import { layoutImageSource, readLayoutIndex } from '../../store/layout-image-source.js';
import { reachableBlobs } from '../../store/reachable-blobs.js';
import { storeImageDocuments } from '../../store/store-image-documents.js';
import { storeIndexDocument } from '../../store/store-index-document.js';
import { withTag } from '../../store/tagged-index.js';
import { hostPlatform } from './host-platform.js';
import {
  directoryLayoutAccess,
  ensureLayout,
  removeUnusedLayout,
  updateLayoutIndex,
} from './layout-directory.js';
import { withLayoutLock } from './layout-lock.js';

/** Opens the layout at `dir` for reading (`NOT_AN_OCI_LAYOUT` if it is not one). */
export async function openLayoutSource(dir: string): Promise<ImageSource> {
  const access = directoryLayoutAccess(dir);
  await readLayoutIndex(access);
  return layoutImageSource(access, { platform: hostPlatform() });
}

/**
 * Opens `dir` for writing, creating the layout if needed. `tag` (a ref.name, R18 of
 * docs/threat-model.md) is what
 * `publish` points at the image; a tag that exists is moved and the old manifest stays in
 * `blobs/` until {@link gcLayout}.
 */
export async function openLayoutSink(dir: string, tag?: string): Promise<ImageSink> {
  if (tag !== undefined) validateRefName(tag);
  const created = statSync(dir, { throwIfNoEntry: false }) === undefined;
  await ensureLayout(dir);
  const { blobs } = directoryLayoutAccess(dir);
  return {
    blobs,
    maxConcurrentWrites: 4,
    async publish(image: ImageToPublish, options: PublishOptions = {}): Promise<Descriptor> {
      // An index's image: stored, not listed; publishIndex checks it is still complete.
      if (options.untagged) return storeImageDocuments(blobs, image);
      const imageTag = options.tag ?? tag;
      if (imageTag !== undefined) validateRefName(imageTag);
      let descriptor: Descriptor | undefined;
      // Inside the lock, so a concurrent gc cannot delete a layer between the check and the tag.
      await updateLayoutIndex(dir, async (index) => {
        descriptor = await storeImageDocuments(blobs, image);
        return withTag(index, descriptor, imageTag);
      });
      return descriptor!;
    },
    async publishIndex(imageIndex: Raw<ImageIndex>, options: PublishOptions = {}): Promise<Descriptor> {
      if (options.untagged) return storeIndexDocument(blobs, imageIndex);
      const indexTag = options.tag ?? tag;
      if (indexTag !== undefined) validateRefName(indexTag);
      let descriptor: Descriptor | undefined;
      await updateLayoutIndex(dir, async (index) => {
        descriptor = await storeIndexDocument(blobs, imageIndex);
        return withTag(index, descriptor, indexTag);
      });
      return descriptor!;
    },
    close: async () => {},
    // A failed step into a layout it created leaves no empty layout behind.
    abort: async () => {
      if (created) await removeUnusedLayout(dir);
    },
  };
}

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
 * Deletes every blob of the layout at `dir` that `index.json` does not reach (through
 * indexes, manifests, configs, layers and subjects), and the temporary files of dead writers. Holds the layout lock throughout, so a
 * concurrent `publish` either lands before the walk or finds its missing blobs and fails.
 */
export async function gcLayout(dir: string): Promise<GcResult> {
  const access = directoryLayoutAccess(dir);
  // Checked before the lock, so a path that is no layout is reported as such (not as a lock error).
  await readLayoutIndex(access);
  return withLayoutLock(dir, async () => {
    const index = await readLayoutIndex(access);
    const { reachable } = await reachableBlobs(access.blobs, index.manifests);
    const removed: Digest[] = [];
    let removedBytes = 0;
    for await (const digest of access.blobs.list()) {
      if (reachable.has(digest)) continue;
      const path = access.blobs.path(digest);
      removedBytes += statSync(path).size;
      rmSync(path, { force: true });
      removed.push(digest);
    }
    const temporaries = [...removeStaleTemporaries(join(dir, 'blobs')), ...removeStaleTemporaries(dir)];
    for (const { size } of temporaries) removedBytes += size;
    return { removed, removedTemporaries: temporaries.map(({ path }) => path), removedBytes };
  });
}
