/**
 * The base image's layers as decompressed tar streams, each verified against its DiffID as it
 * ends: what the merged view, squash and verify read. A layer whose bytes do not decompress to
 * the config's DiffID fails with `DIFFID_MISMATCH` naming the layer (R7,
 * docs/threat-model.md#r7).
 */

import type { LayerOpener } from '@layerkit/diff';
import { type Digest, decompressAuto, isLayerkitError, LayerkitError } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';

/**
 * Names the layer in a decompression failure — after re-reading the blob, because a damaged
 * blob makes zlib fail long before the blob's own digest check at its end, and `BLOB_CORRUPT`
 * (the store is damaged) is the cause to report, not the symptom.
 */
async function decompressionFailure(
  error: LayerkitError,
  openBlob: () => AsyncIterable<Uint8Array>,
  layerName: string,
): Promise<LayerkitError> {
  for await (const _chunk of openBlob()) {
    // Reading to the end verifies size and digest: a damaged blob throws BLOB_CORRUPT here.
  }
  return new LayerkitError(
    error.code,
    `${layerName}: ${error.message}`,
    { ...error.details, layer: layerName },
    { cause: error },
  );
}

/**
 * Decompresses the blob `openBlob` streams and checks, at its end, that the whole stream hashes
 * to `diffID`. Every failure names the layer or its digest.
 */
export async function* verifiedLayerStream(
  openBlob: () => AsyncIterable<Uint8Array>,
  diffID: Digest,
  layerName: string,
): AsyncIterable<Uint8Array> {
  const hasher = nodeRuntime.sha256();
  try {
    const { stream } = await decompressAuto(openBlob(), nodeRuntime);
    for await (const chunk of stream) {
      hasher.update(chunk);
      yield chunk;
    }
  } catch (error) {
    if (isLayerkitError(error) && error.code === 'CORRUPT_COMPRESSED_DATA')
      throw await decompressionFailure(error, openBlob, layerName);
    throw error;
  }
  const actual = hasher.digest();
  if (actual !== diffID) {
    throw new LayerkitError('DIFFID_MISMATCH', `${layerName} decompresses to ${actual}, expected ${diffID}`, {
      layer: layerName,
      expected: diffID,
      actual,
    });
  }
}

/**
 * One opener per layer of `image`, bottom first; each call streams the layer afresh. `through`
 * sees each layer's blob stream on its way in (progress counting).
 */
export function baseLayerOpeners(
  source: ImageSource,
  image: ResolvedImage,
  through: (index: number, blob: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array> = (_index, blob) =>
    blob,
): LayerOpener[] {
  const { layers } = image.manifest.value;
  const diffIds = image.config.value.rootfs.diff_ids;
  checkLayersMatchDiffIds(image.manifest.value, image.config.value);
  return layers.map(
    (layer, i) => () =>
      verifiedLayerStream(
        () => through(i, source.blobs.stream(layer)),
        diffIds[i]!,
        `layer ${i} (${layer.digest})`,
      ),
  );
}
