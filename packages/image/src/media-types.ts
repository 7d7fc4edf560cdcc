/**
 * Media types layerkit reads and writes: the OCI image-spec set (what layerkit writes) and the
 * Docker schema2 set (accepted on read and mapped to the OCI equivalent). The OCI layer type
 * for a compression is `mediaTypeFor` in @layerkit/digest.
 */
import type { CompressionName } from '@layerkit/digest';

/** Every media type layerkit knows, by a short name. */
export const MediaTypes = {
  /** A descriptor as a document of its own (descriptor.md). */
  ociDescriptor: 'application/vnd.oci.descriptor.v1+json',
  /** An OCI layout's `oci-layout` file (image-layout.md). */
  ociLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  /** An OCI image index (image-index.md). */
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  /** An OCI image manifest (manifest.md). */
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  /** An OCI image config (config.md). */
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  /** An uncompressed layer tar. */
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  /** A gzip-compressed layer tar (what layerkit writes by default). */
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** A zstd-compressed layer tar. */
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** An uncompressed non-distributable layer. Deprecated by the spec: read, never written. */
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  /** A gzip-compressed non-distributable layer. Deprecated by the spec: read, never written. */
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  /** A zstd-compressed non-distributable layer. Deprecated by the spec: read, never written. */
  ociLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  /** The empty JSON blob `{}` (2 bytes): the config of an artifact manifest that has none. */
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  /** A Docker schema2 image manifest (read as `ociManifest`). */
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** A Docker manifest list (read as `ociIndex`). */
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** A Docker image config (read as `ociConfig`). */
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** A Docker gzip-compressed layer tar (read as `ociLayerGzip`). */
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** A Docker uncompressed layer tar: not in the schema2 spec, but containerd and Docker ≥25 use it. */
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  /** A Docker zstd-compressed layer tar: non-standard (containerd recognizes it). */
  dockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  /** A Docker foreign (non-distributable) gzip-compressed layer; its `urls` are never fetched. */
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  /** A Docker foreign (non-distributable) uncompressed layer; its `urls` are never fetched. */
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar',
} as const;

/** One of the known media type strings. */
export type KnownMediaType = (typeof MediaTypes)[keyof typeof MediaTypes];

const layerCompression: ReadonlyMap<string, CompressionName> = new Map<string, CompressionName>([
  [MediaTypes.ociLayer, 'none'],
  [MediaTypes.ociLayerGzip, 'gzip'],
  [MediaTypes.ociLayerZstd, 'zstd'],
  [MediaTypes.ociLayerNondistributable, 'none'],
  [MediaTypes.ociLayerNondistributableGzip, 'gzip'],
  [MediaTypes.ociLayerNondistributableZstd, 'zstd'],
  [MediaTypes.dockerLayer, 'none'],
  [MediaTypes.dockerLayerGzip, 'gzip'],
  [MediaTypes.dockerLayerZstd, 'zstd'],
  [MediaTypes.dockerForeignLayer, 'none'],
  [MediaTypes.dockerForeignLayerGzip, 'gzip'],
]);

const nondistributable: ReadonlySet<string> = new Set<string>([
  MediaTypes.ociLayerNondistributable,
  MediaTypes.ociLayerNondistributableGzip,
  MediaTypes.ociLayerNondistributableZstd,
  MediaTypes.dockerForeignLayer,
  MediaTypes.dockerForeignLayerGzip,
]);

const dockerToOci: ReadonlyMap<string, string> = new Map<string, string>([
  [MediaTypes.dockerManifest, MediaTypes.ociManifest],
  [MediaTypes.dockerManifestList, MediaTypes.ociIndex],
  [MediaTypes.dockerConfig, MediaTypes.ociConfig],
  [MediaTypes.dockerLayer, MediaTypes.ociLayer],
  [MediaTypes.dockerLayerGzip, MediaTypes.ociLayerGzip],
  [MediaTypes.dockerLayerZstd, MediaTypes.ociLayerZstd],
  [MediaTypes.dockerForeignLayer, MediaTypes.ociLayerNondistributable],
  [MediaTypes.dockerForeignLayerGzip, MediaTypes.ociLayerNondistributableGzip],
]);

/** True for an image manifest type: OCI manifest or Docker schema2 manifest. */
export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.ociManifest || mediaType === MediaTypes.dockerManifest;
}

/** True for an index type: OCI image index or Docker manifest list. */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerManifestList;
}

/** True for an image config type layerkit may parse (OCI or Docker container image v1). */
export function isConfigMediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.ociConfig || mediaType === MediaTypes.dockerConfig;
}

/** True for any known layer type, distributable or not. */
export function isLayerMediaType(mediaType: string): boolean {
  return layerCompression.has(mediaType);
}

/** True for OCI non-distributable and Docker foreign layers (never fetched from their `urls`: R6,
 * docs/threat-model.md#r6).
 */
export function isNondistributableMediaType(mediaType: string): boolean {
  return nondistributable.has(mediaType);
}

/** The compression a layer media type declares, or `undefined` when it is not a known layer type. */
export function layerCompressionOf(mediaType: string): CompressionName | undefined {
  return layerCompression.get(mediaType);
}

/** Maps a Docker schema2 media type to its OCI equivalent; any other type is returned unchanged. */
export function toOciMediaType(mediaType: string): string {
  return dockerToOci.get(mediaType) ?? mediaType;
}
