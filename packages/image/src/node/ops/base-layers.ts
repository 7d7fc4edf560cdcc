/**
 * An image's layers as verified, decompressed tar streams: what the merged view, history and
 * verify read. Each is a `LayerStream` checked against the config's DiffID (R7,
 * docs/threat-model.md#r7) over a blob stream that checks the descriptor's size and digest (R2).
 */

import type { LayerOpener } from '@layerkit/diff';
import { LayerStream } from '@layerkit/diff/internal';
import type { ByteSource, Digest } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import type { Descriptor } from '../../oci-types.js';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';

/** Layer `index` (`layer`, its descriptor) read from `blob`, checked against `diffID`. */
export function baseLayerStream(
  blob: ByteSource,
  index: number,
  layer: Descriptor,
  diffID: Digest,
): LayerStream {
  return new LayerStream(blob, { runtime: nodeRuntime, layer: `layer ${index} (${layer.digest})`, diffID });
}

/**
 * One opener per layer of `image`, bottom first; each call streams the layer afresh. `through`
 * sees each layer's blob stream on its way in (progress counting).
 */
export function baseLayerOpeners(
  source: ImageSource,
  image: ResolvedImage,
  through: (index: number, blob: ByteSource) => ByteSource = (_index, blob) => blob,
): LayerOpener[] {
  checkLayersMatchDiffIds(image.manifest.value, image.config.value);
  const diffIds = image.config.value.rootfs.diff_ids;
  return image.manifest.value.layers.map(
    (layer, i) => () => baseLayerStream(through(i, source.blobs.stream(layer)), i, layer, diffIds[i]!),
  );
}
