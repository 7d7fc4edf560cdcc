import type { Digest } from '@layerkit/digest';
import { type ImageIndex, MediaTypes, type ResolvedImage } from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { checkImageDocuments } from '../../../../packages/image/src/verify/image-rules.js';

const digest = (c: string) => `sha256:${c.repeat(64)}` as Digest;
const image = (refName: string): ResolvedImage => ({
  manifestDescriptor: {
    mediaType: MediaTypes.ociManifest,
    digest: digest('a'),
    size: 1,
    annotations: { 'org.opencontainers.image.ref.name': refName },
  },
  manifest: {
    value: {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: digest('c'), size: 1 },
      layers: [{ mediaType: 'application/x-tar', digest: digest('1'), size: 1 }],
    },
    bytes: new Uint8Array(),
    digest: digest('a'),
  },
  config: {
    value: {
      architecture: 'amd64',
      os: 'linux',
      created: 'now',
      rootfs: { type: 'layers', diff_ids: [digest('2')] },
    },
    bytes: new Uint8Array(),
    digest: digest('c'),
  },
});
const index: ImageIndex = {
  schemaVersion: 2,
  manifests: [
    {
      mediaType: MediaTypes.ociManifest,
      digest: digest('a'),
      size: 1,
      platform: { os: 'linux', architecture: 'amd64' },
    },
    {
      mediaType: MediaTypes.ociManifest,
      digest: digest('b'),
      size: 1,
      platform: { os: 'plan10', architecture: 'arm64' },
    },
  ],
};

describe('checkImageDocuments', () => {
  it('runs every document rule on the manifest, its descriptor and its config', () => {
    expect(checkImageDocuments(image('../x')).map((p) => `${p.severity} ${p.code}`)).toEqual([
      'warning REF_NAME_INVALID',
      'error LAYER_MEDIA_TYPE_UNKNOWN',
      'error CONFIG_TIME_INVALID',
    ]);
  });

  it('checks the index the image was listed in instead of its descriptor alone', () => {
    const problems = checkImageDocuments(image('../x'), [{ name: digest('f'), index }]);
    expect(problems.map((p) => `${p.severity} ${p.code}`)).toEqual([
      'warning PLATFORM_VALUE_UNKNOWN',
      'error LAYER_MEDIA_TYPE_UNKNOWN',
      'error CONFIG_TIME_INVALID',
    ]);
    expect(problems[0]!.message).toBe(
      `index ${digest('f')} manifests[1].platform: os "plan10" is not a Go GOOS value`,
    );
  });
});
