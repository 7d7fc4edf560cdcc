/**
 * A layer's declared compression (its media type) against the compression its bytes show: umoci
 * decompresses by the media type alone, so a gzip blob declared as a plain tar (or the reverse)
 * fails there, while layerkit, containerd and Docker sniff the bytes and take it.
 */
import type { CompressionName } from '@layerkit/digest';
import { layerCompressionOf } from '../media-types.js';
import type { Descriptor } from '../oci-types.js';
import { finding, type VerifyProblem } from './finding.js';

/**
 * `LAYER_COMPRESSION_MISMATCH` (error) when `layer` (layer `index`) declares another compression
 * than `detected`, the one its first bytes showed; nothing for an unknown media type (that is
 * `LAYER_MEDIA_TYPE_UNKNOWN`).
 */
export function checkLayerCompression(
  layer: Descriptor,
  index: number,
  detected: CompressionName,
): VerifyProblem[] {
  const declared = layerCompressionOf(layer.mediaType);
  if (declared === undefined || declared === detected) return [];
  const name = (compression: CompressionName) =>
    compression === 'none' ? 'an uncompressed tar' : compression;
  return [
    finding(
      'LAYER_COMPRESSION_MISMATCH',
      'error',
      `layer ${index} (${layer.digest}): media type ${layer.mediaType} declares ${name(declared)}, the bytes are ${name(detected)}`,
      ['umoci'],
    ),
  ];
}
