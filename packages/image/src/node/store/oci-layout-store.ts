/**
 * OCI image layout directories as image sources and sinks (their garbage collection:
 * layout-gc.ts). Tags live only in `index.json`, which is replaced atomically under the layout
 * lock after every blob, the config and the manifest are stored; a sink holds a lease on the
 * blobs it relies on until it is closed or aborted.
 */
import { statSync } from 'node:fs';
import { FsBlobStore } from '@layerkit/digest/node';
import type { Raw } from '../../json/raw.js';
import type { Descriptor, ImageIndex } from '../../oci-types.js';
import { validateRefName } from '../../parse/ref-name.js';
import type { ImageSink, ImageToPublish, PublishOptions } from '../../store/image-sink.js';
import type { ImageSource } from '../../store/image-source.js';
import { layoutImageSource, readLayoutIndex } from '../../store/layout-image-source.js';
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
import { LayoutLease } from './layout-lease.js';

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
  // Every blob this sink stores or finds is leased until close or abort: gc keeps it (layout-lease.ts).
  const lease = new LayoutLease(dir);
  const blobs = new FsBlobStore(dir, { retain: (digest) => lease.retain(digest) });
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
    close: async () => lease.release(),
    // A failed step into a layout it created leaves no empty layout behind.
    abort: async () => {
      lease.release();
      if (created) await removeUnusedLayout(dir);
    },
  };
}
