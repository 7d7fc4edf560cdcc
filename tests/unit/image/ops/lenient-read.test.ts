/**
 * The lenient readers (unpack, diffImage, imageHistory, convert) read an image a mainstream client
 * refuses, as Docker does, and say so exactly once through `onWarning`; a conformant image gets
 * no warning.
 */
import { join } from 'node:path';
import { convert, diffImage, imageHistory, type LenientReadOptions, unpack } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { BROKEN_IMAGES } from '../../../fixtures/broken-images.js';
import { buildBase } from '../../../fixtures/image-ops.js';
import { useScratchDir } from '../../../fixtures/scratch.js';

const tmp = useScratchDir('ops-lenient-read', { per: 'test' });

const readers: Array<[string, (ref: string, options: LenientReadOptions) => Promise<unknown>]> = [
  ['unpack', (ref, options) => unpack(ref, join(tmp.path, 'rootfs'), options)],
  [
    'diffImage',
    async (ref, options) => {
      await unpack(ref, join(tmp.path, 'rootfs'));
      return diffImage(ref, join(tmp.path, 'rootfs'), options);
    },
  ],
  ['imageHistory', (ref, options) => imageHistory(ref, options)],
  ['convert', (ref, options) => convert(ref, `oci-archive:${join(tmp.path, 'copy.tar')}`, options)],
];

describe('lenient readers', () => {
  it.each(readers)('%s reads an image skopeo and umoci refuse, with one warning', async (_name, read) => {
    const image = BROKEN_IMAGES.find((broken) => broken.name === 'several-at-once')!;
    const ref = await image.build(tmp.path);
    const warnings: string[] = [];
    await read(ref, { onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^manifest sha256:[0-9a-f]{64} layers\[0\] \(sha256:[0-9a-f]{64}\): media type "application\/vnd.oci.image.layer.v1.tar\+gz" .*; skopeo, umoci, oci-image-tool, buildah reject it \(and 1 more problem\); read anyway, as Docker does; `layerkit verify` lists every problem$/,
    );
  });

  it.each(readers)('%s gives no warning for a conformant image', async (_name, read) => {
    const layout = join(tmp.path, 'layout');
    await buildBase(tmp.path, layout);
    const warnings: string[] = [];
    await read(`oci:${layout}:base`, { onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toEqual([]);
  });
});
