/**
 * The base image's layers as decompressed tar streams, each verified against its DiffID as it
 * ends: what the merged view, squash and verify read. A layer whose bytes do not decompress to
 * the config's DiffID fails with `DIFFID_MISMATCH` naming the layer (R7).
 */

import type { LayerOpener } from '@layerkit/diff';
import { type Digest, decompressAuto, LayerkitError } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';

/** Decompresses `blob` and checks, at its end, that the whole stream hashes to `diffID`. */
export async function* verifiedLayerStream(
  blob: AsyncIterable<Uint8Array>,
  diffID: Digest,
  layerName: string,
): AsyncIterable<Uint8Array> {
  const { stream } = await decompressAuto(blob, nodeRuntime);
  const hasher = nodeRuntime.sha256();
  for await (const chunk of stream) {
    hasher.update(chunk);
    yield chunk;
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

/** One opener per layer of `image`, bottom first; each call streams the layer afresh. */
export function baseLayerOpeners(source: ImageSource, image: ResolvedImage): LayerOpener[] {
  const { layers } = image.manifest.value;
  const diffIds = image.config.value.rootfs.diff_ids;
  checkLayersMatchDiffIds(image.manifest.value, image.config.value);
  return layers.map(
    (layer, i) => () =>
      verifiedLayerStream(source.blobs.stream(layer), diffIds[i]!, `layer ${i} (${layer.digest})`),
  );
}
