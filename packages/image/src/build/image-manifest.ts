/**
 * The OCI manifest of a built image: the config descriptor and the layer descriptors in
 * stack order, always with OCI media types (umoci rejects Docker-typed manifests in a layout,
 * and the Docker layer types are byte-compatible with their OCI twins).
 */
import type { Raw } from '../json/raw.js';
import { MediaTypes, toOciMediaType } from '../media-types.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../oci-types.js';

/** Builds the manifest for `config` (exact stored bytes) and `layers` (bottom first). */
export function imageManifest(
  config: Raw<ImageConfig>,
  layers: readonly Descriptor[],
  annotations?: Record<string, string>,
): ImageManifest {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: config.digest, size: config.bytes.length },
    layers: layers.map(layerDescriptor),
  };
  if (annotations !== undefined && Object.keys(annotations).length > 0) manifest.annotations = annotations;
  return manifest;
}

/** A layer descriptor reduced to the fields a manifest carries, with its OCI media type. */
function layerDescriptor(layer: Descriptor): Descriptor {
  const descriptor: Descriptor = {
    mediaType: toOciMediaType(layer.mediaType),
    digest: layer.digest,
    size: layer.size,
  };
  if (layer.urls !== undefined) descriptor.urls = layer.urls;
  if (layer.annotations !== undefined) descriptor.annotations = layer.annotations;
  return descriptor;
}
