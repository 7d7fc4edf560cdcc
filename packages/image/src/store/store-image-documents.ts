/**
 * The shared first half of every `publish`: store the config, check the layers are there,
 * store the manifest (exact bytes, in that order), and build the manifest descriptor that
 * the format then makes visible under a tag.
 */
import { LayerkitError } from '@layerkit/digest';
import { isNondistributableMediaType, MediaTypes } from '../media-types.js';
import type { Descriptor } from '../oci-types.js';
import type { BlobWriteStore } from './blob-reader.js';
import { configPlatform } from './config-platform.js';
import type { ImageToPublish } from './image-sink.js';

/** Stores config then manifest into `blobs`; returns the manifest descriptor (with platform). */
export async function storeImageDocuments(blobs: BlobWriteStore, image: ImageToPublish): Promise<Descriptor> {
  const { manifest, config } = image;
  const configRef = await blobs.put(config.bytes);
  const expected = manifest.value.config;
  if (configRef.digest !== expected.digest || configRef.size !== expected.size) {
    throw new LayerkitError(
      'IMAGE_INCONSISTENT',
      `the manifest's config is ${expected.digest} (${expected.size} bytes) but the config given is ${configRef.digest} (${configRef.size} bytes)`,
      { expected: expected.digest, actual: configRef.digest },
    );
  }
  for (const layer of manifest.value.layers) {
    // Non-distributable layers may legitimately be absent (R6, docs/threat-model.md#r6).
    if (!isNondistributableMediaType(layer.mediaType) && !(await blobs.has(layer.digest))) {
      throw new LayerkitError(
        'BLOB_MISSING',
        `layer ${layer.digest} must be stored before the manifest is published`,
        {
          digest: layer.digest,
        },
      );
    }
  }
  const manifestRef = await blobs.put(manifest.bytes);
  return {
    mediaType: manifest.value.mediaType ?? MediaTypes.ociManifest,
    digest: manifestRef.digest,
    size: manifestRef.size,
    platform: image.platform ?? configPlatform(image.config.value),
  };
}
