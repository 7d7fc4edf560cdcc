/**
 * R7 (docs/threat-model.md#r7): a layer's uncompressed bytes hash to the DiffID its image config
 * lists in `rootfs.diff_ids`. The one place the two are compared.
 */
import { type Digest, LayerkitError } from '@layerkit/digest';

/**
 * Throws `DIFFID_MISMATCH` when `actual` (the sha256 of the uncompressed layer) is not
 * `expected` (the config's DiffID). `layer` names the layer, e.g. `layer 2 (sha256:…)`.
 */
export function checkDiffID(layer: string, expected: Digest, actual: Digest): void {
  if (actual === expected) return;
  throw new LayerkitError(
    'DIFFID_MISMATCH',
    `${layer}: the uncompressed layer is ${actual}, but the config's DiffID is ${expected}`,
    { layer, expected, actual },
  );
}
