/**
 * R7 (docs/threat-model.md#r7): a manifest's layers and its config's diff_ids pair up one to one,
 * bottom to top.
 */
import { LayerkitError } from '@layerkit/digest';
import type { Descriptor, ImageConfig } from '../oci-types.js';

/**
 * Throws `LAYER_COUNT_MISMATCH` when the manifest lists a different number of layers than the
 * config has diff_ids (containerd: "number of layers and diffIDs don't match"). Only the count and
 * the config digest of `manifest` are read, so a docker-archive's `manifest.json` entry qualifies.
 * Whether each DiffID matches its layer's content is checked while the layer is decompressed.
 */
export function checkLayersMatchDiffIds(
  manifest: { config: Pick<Descriptor, 'digest'>; layers: readonly unknown[] },
  config: ImageConfig,
): void {
  const layers = manifest.layers.length;
  const diffIds = config.rootfs.diff_ids.length;
  if (layers !== diffIds) {
    throw new LayerkitError(
      'LAYER_COUNT_MISMATCH',
      `number of layers and diffIDs don't match: the manifest has ${layers} layers, the config ${diffIds} diff_ids`,
      { layers, diffIds, config: manifest.config.digest },
    );
  }
}
