/**
 * The first half of every `publishIndex`: check that each image the index lists is complete in
 * the store (manifest, config, every distributable layer: a concurrent gc may have removed what
 * no tag reached yet), then store the index's exact bytes.
 */
import { LayerkitError } from '@layerkit/digest';
import type { Raw } from '../json/raw.js';
import { JsonSizeLimits } from '../json/strict-parse.js';
import {
  isIndexMediaType,
  isManifestMediaType,
  isNondistributableMediaType,
  MediaTypes,
} from '../media-types.js';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import { parseIndex } from '../parse/index-document.js';
import { parseManifest } from '../parse/manifest.js';
import type { BlobReader, BlobWriteStore } from './blob-reader.js';
import { readJsonBlob } from './resolve-image.js';

function missing(digest: string, what: string): LayerkitError {
  return new LayerkitError('BLOB_MISSING', `${what} ${digest} must be stored before the index is published`, {
    digest,
  });
}

/** Throws `BLOB_MISSING` unless everything `descriptor` reaches is in `blobs`. */
async function checkComplete(
  blobs: Pick<BlobReader, 'has' | 'get'>,
  descriptor: Descriptor,
  depth: number,
): Promise<void> {
  if (!(await blobs.has(descriptor.digest))) throw missing(descriptor.digest, 'manifest');
  if (isIndexMediaType(descriptor.mediaType)) {
    if (depth > 4)
      throw new LayerkitError('INDEX_TOO_DEEP', `index ${descriptor.digest} nests too deep`, {
        digest: descriptor.digest,
      });
    const nested = parseIndex(await readJsonBlob(blobs, descriptor, JsonSizeLimits.index), descriptor);
    for (const child of nested.value.manifests) await checkComplete(blobs, child, depth + 1);
    return;
  }
  if (!isManifestMediaType(descriptor.mediaType)) return;
  const manifest = parseManifest(await readJsonBlob(blobs, descriptor, JsonSizeLimits.manifest), descriptor);
  if (!(await blobs.has(manifest.value.config.digest))) throw missing(manifest.value.config.digest, 'config');
  for (const layer of manifest.value.layers) {
    if (!isNondistributableMediaType(layer.mediaType) && !(await blobs.has(layer.digest))) {
      throw missing(layer.digest, 'layer');
    }
  }
}

/**
 * Checks `index`'s images are in `blobs`, stores it, and returns its descriptor. With a reader,
 * each image is checked down to its layers; a write-only store (an archive being written, where
 * `publish` checked each image and nothing can remove it) is asked for the manifests only.
 */
export async function storeIndexDocument(
  blobs: BlobWriteStore & Partial<Pick<BlobReader, 'get'>>,
  index: Raw<ImageIndex>,
): Promise<Descriptor> {
  const { get } = blobs;
  for (const child of index.value.manifests) {
    if (get !== undefined)
      await checkComplete(
        { has: (digest) => blobs.has(digest), get: (ref) => get.call(blobs, ref) },
        child,
        1,
      );
    else if (!(await blobs.has(child.digest))) throw missing(child.digest, 'manifest');
  }
  const ref = await blobs.put(index.bytes);
  return { mediaType: index.value.mediaType ?? MediaTypes.ociIndex, digest: ref.digest, size: ref.size };
}
