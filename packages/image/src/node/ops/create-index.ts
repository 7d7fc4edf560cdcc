/**
 * `createIndex`: a multi-platform image — `dest` becomes an OCI index of the given images, each
 * listed with the platform its config names (`docker manifest create`, `buildah manifest`).
 * Images are copied in first (untagged); the index, and with it the tag, comes last.
 */
import { LayerkitError } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import { encodeDocument } from '../../json/raw.js';
import { isIndexMediaType, MediaTypes } from '../../media-types.js';
import type { Descriptor, ImageIndex, Platform } from '../../oci-types.js';
import { copyIndexImages, copyLayerBlobs } from '../../store/copy-image.js';
import { readIndex } from '../../store/resolve-image.js';
import type { OpenImageOptions } from '../store/open-image.js';
import type { ImageRefLike } from './image-ref.js';
import { withSink, withSource } from './with-image.js';

/** Options of {@link createIndex}. */
export interface CreateIndexOptions extends OpenImageOptions {
  /** The images to list: single images, or indexes whose images are all listed. */
  images: readonly ImageRefLike[];
  /** Where the index goes (a layout, an oci-archive or a registry; not a docker-archive). */
  dest: ImageRefLike;
  /** The index's own annotations. */
  annotations?: Record<string, string>;
  /** Called with the layer bytes copied so far; a throw cancels before the index is published. */
  onProgress?: (bytes: number) => void | Promise<void>;
}

function platformKey(platform: Platform | undefined): string {
  if (platform === undefined) return 'unknown';
  return [platform.os, platform.architecture, platform.variant ?? '', platform['os.version'] ?? ''].join('/');
}

/** Publishes in `dest` an index listing `images` and returns its descriptor. */
export async function createIndex(options: CreateIndexOptions): Promise<Descriptor> {
  if (options.images.length === 0) {
    throw new LayerkitError('INVALID_OPTION', 'an index needs at least one image', { option: 'images' });
  }
  return withSink(options.dest, options, async (sink) => {
    const manifests: Descriptor[] = [];
    let copied = 0;
    for (const ref of options.images) {
      const before = copied;
      const progress = (bytes: number) => options.onProgress?.((copied = before + bytes));
      await withSource(ref, options, async (source) => {
        const root = await source.root();
        if (isIndexMediaType(root.mediaType)) {
          manifests.push(
            ...(await copyIndexImages(source, sink, await readIndex(source.blobs, root), 1, progress)),
          );
          return;
        }
        const image = await source.resolve();
        await copyLayerBlobs(source, sink, image.manifest.value.layers, progress);
        manifests.push(await sink.publish(image, { untagged: true }));
      });
    }
    // One image per platform: a client could not choose between two.
    const seen = new Map<string, Descriptor>();
    for (const manifest of manifests) {
      const key = platformKey(manifest.platform);
      const other = seen.get(key);
      if (other !== undefined && other.digest !== manifest.digest) {
        throw new LayerkitError(
          'DUPLICATE_PLATFORM',
          `two images for ${key}: ${other.digest} and ${manifest.digest}`,
          {
            platform: key,
          },
        );
      }
      seen.set(key, manifest);
    }
    const unique = [...new Map(manifests.map((manifest) => [manifest.digest, manifest])).values()];
    const index: ImageIndex = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: unique };
    if (options.annotations !== undefined) index.annotations = options.annotations;
    return sink.publishIndex(encodeDocument(index, { hasher: createNativeSha256 }));
  });
}
