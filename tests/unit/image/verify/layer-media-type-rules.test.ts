import type { Digest } from '@layerkit/digest';
import { type Descriptor, type ImageManifest, MediaTypes } from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { checkLayerCompression } from '../../../../packages/image/src/verify/layer-compression-rule.js';
import { checkLayerMediaTypes } from '../../../../packages/image/src/verify/layer-media-type-rules.js';

const M = `sha256:${'d'.repeat(64)}` as Digest;
const layer = (mediaType: string, extra: Partial<Descriptor> = {}): Descriptor => ({
  mediaType,
  digest: `sha256:${'a'.repeat(64)}` as Digest,
  size: 10,
  ...extra,
});
const manifest = (mediaType: string, layers: Descriptor[]): ImageManifest => ({
  schemaVersion: 2,
  mediaType,
  config: { mediaType: MediaTypes.ociConfig, digest: `sha256:${'b'.repeat(64)}` as Digest, size: 2 },
  layers,
});
const codes = (problems: { code: string; severity: string }[]) =>
  problems.map((p) => `${p.severity} ${p.code}`);

describe('checkLayerMediaTypes', () => {
  it('takes every OCI layer type in an OCI manifest and every Docker one in a schema2 manifest', () => {
    const oci = [MediaTypes.ociLayer, MediaTypes.ociLayerGzip, MediaTypes.ociLayerZstd];
    expect(
      checkLayerMediaTypes(
        manifest(
          MediaTypes.ociManifest,
          oci.map((t) => layer(t)),
        ),
        M,
      ),
    ).toEqual([]);
    const docker = [MediaTypes.dockerLayer, MediaTypes.dockerLayerGzip];
    expect(
      checkLayerMediaTypes(
        manifest(
          MediaTypes.dockerManifest,
          docker.map((t) => layer(t)),
        ),
        M,
      ),
    ).toEqual([]);
  });

  it('refuses unknown types, naming the manifest, the index and the layer', () => {
    const problems = checkLayerMediaTypes(
      manifest(MediaTypes.ociManifest, [layer(MediaTypes.ociLayerGzip), layer('application/octet-stream')]),
      M,
    );
    expect(codes(problems)).toEqual(['error LAYER_MEDIA_TYPE_UNKNOWN']);
    expect(problems[0]!.message).toBe(
      `manifest ${M} layers[1] (sha256:${'a'.repeat(64)}): media type "application/octet-stream" is not a layer type of the OCI image spec or Docker's schema2`,
    );
  });

  it('refuses a non-distributable layer without urls, and takes it with them', () => {
    const foreign = (urls?: string[]) =>
      layer(MediaTypes.dockerForeignLayerGzip, urls === undefined ? {} : { urls });
    expect(codes(checkLayerMediaTypes(manifest(MediaTypes.dockerManifest, [foreign()]), M))).toEqual([
      'error NONDISTRIBUTABLE_LAYER_WITHOUT_URLS',
    ]);
    expect(checkLayerMediaTypes(manifest(MediaTypes.dockerManifest, [foreign(['https://x/y'])]), M)).toEqual(
      [],
    );
  });

  it('warns about a layer type of the other family', () => {
    expect(
      codes(checkLayerMediaTypes(manifest(MediaTypes.dockerManifest, [layer(MediaTypes.ociLayerGzip)]), M)),
    ).toEqual(['warning LAYER_MEDIA_TYPE_FAMILY']);
  });
});

describe('checkLayerCompression', () => {
  it.each([
    [MediaTypes.ociLayer, 'gzip', 'an uncompressed tar, the bytes are gzip'],
    [MediaTypes.ociLayerGzip, 'none', 'gzip, the bytes are an uncompressed tar'],
    [MediaTypes.dockerLayerGzip, 'zstd', 'gzip, the bytes are zstd'],
  ] as const)('refuses %s over %s bytes', (mediaType, detected, text) => {
    const problems = checkLayerCompression(layer(mediaType), 2, detected);
    expect(codes(problems)).toEqual(['error LAYER_COMPRESSION_MISMATCH']);
    expect(problems[0]!.message).toContain(
      `layer 2 (sha256:${'a'.repeat(64)}): media type ${mediaType} declares ${text}`,
    );
  });

  it('takes agreeing compressions and leaves unknown types to the media type rule', () => {
    expect(checkLayerCompression(layer(MediaTypes.ociLayerZstd), 0, 'zstd')).toEqual([]);
    expect(checkLayerCompression(layer('application/x-unknown'), 0, 'gzip')).toEqual([]);
  });
});
