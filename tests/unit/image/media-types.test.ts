import {
  isConfigMediaType,
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
  layerCompressionOf,
  MediaTypes,
  toOciMediaType,
} from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { isNondistributableMediaType } from '../../../packages/image/src/media-types.js';

describe('media types', () => {
  it('classifies manifests and indexes, OCI and Docker schema2', () => {
    expect(isManifestMediaType(MediaTypes.ociManifest)).toBe(true);
    expect(isManifestMediaType(MediaTypes.dockerManifest)).toBe(true);
    expect(isManifestMediaType(MediaTypes.ociIndex)).toBe(false);
    expect(isIndexMediaType(MediaTypes.ociIndex)).toBe(true);
    expect(isIndexMediaType(MediaTypes.dockerManifestList)).toBe(true);
    expect(isIndexMediaType(MediaTypes.ociManifest)).toBe(false);
    expect(isConfigMediaType(MediaTypes.dockerConfig)).toBe(true);
    expect(isConfigMediaType('application/vnd.oci.empty.v1+json')).toBe(false);
  });

  it.each([
    ['application/vnd.oci.image.layer.v1.tar', 'none'],
    ['application/vnd.oci.image.layer.v1.tar+gzip', 'gzip'],
    ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd'],
    ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.diff.tar', 'none'],
    ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'gzip'],
    ['application/vnd.oci.image.config.v1+json', undefined],
    ['application/vnd.oci.image.layer.v1.tar+xz', undefined],
  ])('layerCompressionOf(%s) = %s', (mediaType, expected) => {
    expect(layerCompressionOf(mediaType)).toBe(expected);
    expect(isLayerMediaType(mediaType)).toBe(expected !== undefined);
  });

  it('maps Docker types to OCI and leaves others unchanged', () => {
    expect(toOciMediaType(MediaTypes.dockerManifest)).toBe(MediaTypes.ociManifest);
    expect(toOciMediaType(MediaTypes.dockerManifestList)).toBe(MediaTypes.ociIndex);
    expect(toOciMediaType(MediaTypes.dockerConfig)).toBe(MediaTypes.ociConfig);
    expect(toOciMediaType(MediaTypes.dockerLayerGzip)).toBe(MediaTypes.ociLayerGzip);
    expect(toOciMediaType(MediaTypes.dockerForeignLayerGzip)).toBe(MediaTypes.ociLayerNondistributableGzip);
    expect(toOciMediaType('text/plain')).toBe('text/plain');
  });

  it('knows which layers are non-distributable', () => {
    expect(isNondistributableMediaType(MediaTypes.dockerForeignLayerGzip)).toBe(true);
    expect(isNondistributableMediaType(MediaTypes.ociLayerNondistributable)).toBe(true);
    expect(isNondistributableMediaType(MediaTypes.ociLayerGzip)).toBe(false);
  });
});
