/**
 * Layer descriptors' media types, per the manifest that lists them: a type the image spec (or
 * Docker's schema2) defines, of the manifest's own family, and non-distributable layers with the
 * `urls` a registry requires of them.
 */
import type { Digest } from '@layerkit/digest';
import { isLayerMediaType, isNondistributableMediaType, MediaTypes } from '../media-types.js';
import type { ImageManifest } from '../oci-types.js';
import { finding, type VerifyProblem } from './finding.js';

/** Who refuses a layer of an unknown media type (docs/client-rejections.md). */
const UNKNOWN_LAYER_REJECTED_BY = ['skopeo', 'umoci', 'oci-image-tool', 'buildah'];

/**
 * Checks every layer descriptor of `manifest` (the manifest `digest`):
 * `LAYER_MEDIA_TYPE_UNKNOWN` (error), `NONDISTRIBUTABLE_LAYER_WITHOUT_URLS` (error: the
 * distribution registry refuses the push) and `LAYER_MEDIA_TYPE_FAMILY` (warning: a Docker layer
 * type in an OCI manifest or the reverse, which containerd and Docker take).
 */
export function checkLayerMediaTypes(manifest: ImageManifest, digest: Digest): VerifyProblem[] {
  const docker = manifest.mediaType === MediaTypes.dockerManifest;
  const problems: VerifyProblem[] = [];
  for (const [i, layer] of manifest.layers.entries()) {
    const where = `manifest ${digest} layers[${i}] (${layer.digest})`;
    if (!isLayerMediaType(layer.mediaType)) {
      problems.push(
        finding(
          'LAYER_MEDIA_TYPE_UNKNOWN',
          'error',
          `${where}: media type ${JSON.stringify(layer.mediaType)} is not a layer type of the OCI image spec or Docker's schema2`,
          UNKNOWN_LAYER_REJECTED_BY,
        ),
      );
      continue;
    }
    if (isNondistributableMediaType(layer.mediaType) && (layer.urls ?? []).length === 0) {
      problems.push(
        finding(
          'NONDISTRIBUTABLE_LAYER_WITHOUT_URLS',
          'error',
          `${where}: a non-distributable layer (${layer.mediaType}) without urls`,
          ['registry (distribution)'],
        ),
      );
    }
    if (layer.mediaType.startsWith('application/vnd.docker.') !== docker) {
      problems.push(
        finding(
          'LAYER_MEDIA_TYPE_FAMILY',
          'warning',
          `${where}: ${docker ? 'an OCI' : 'a Docker'} layer type (${layer.mediaType}) in ${docker ? 'a Docker schema2' : 'an OCI'} manifest`,
        ),
      );
    }
  }
  return problems;
}
