/**
 * `verify` on the broken-image corpus (tests/fixtures/broken-images.ts): every class is reported
 * with the finding of docs/client-rejections.md, naming the digest or entry, all findings of an
 * image in one run; images real clients take (the base image, a Docker layer type in an OCI
 * manifest) pass, with warnings where a spec SHOULD is missed.
 */
import { join } from 'node:path';
import { MediaTypes } from '@layerkit/image';
import { verify } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { BROKEN_IMAGES } from '../../../fixtures/broken-images.js';
import { buildBase, rewriteImage } from '../../../fixtures/image-ops.js';
import { useScratchDir } from '../../../fixtures/scratch.js';

const tmp = useScratchDir('ops-verify', { per: 'test' });

describe('verify on the broken-image corpus', () => {
  it.each(BROKEN_IMAGES.filter((image) => image.findings !== undefined))('$name: $what', async (image) => {
    const report = await verify(await image.build(tmp.path));
    expect(report.ok).toBe(false);
    expect(report.problems.map((problem) => problem.code)).toEqual(image.findings);
    for (const problem of report.problems) {
      expect(problem.severity).toBe('error');
      expect(problem.message).toMatch(/sha256:[0-9a-f]{64}|RepoTags/);
    }
  });

  it.each(BROKEN_IMAGES.filter((image) => image.throws !== undefined))(
    '$name: $what (throws)',
    async (image) => {
      await expect(verify(await image.build(tmp.path))).rejects.toMatchObject({ code: image.throws });
    },
  );

  it('names the clients that refuse the image', async () => {
    const image = BROKEN_IMAGES.find((broken) => broken.name === 'layer-media-type-misspelled')!;
    const report = await verify(await image.build(tmp.path));
    expect(report.problems[0]).toMatchObject({
      code: 'LAYER_MEDIA_TYPE_UNKNOWN',
      rejectedBy: expect.arrayContaining(['skopeo', 'umoci']),
    });
    expect(report.problems[0]!.message).toContain('"application/vnd.oci.image.layer.v1.tar+gz"');
    expect(report.layers.every((layer) => layer.ok)).toBe(true);
  });
});

describe('verify on images clients take', () => {
  it('the base image: ok, no problems and no warnings', async () => {
    const layout = join(tmp.path, 'layout');
    await buildBase(tmp.path, layout);
    expect(await verify(`oci:${layout}:base`)).toMatchObject({ ok: true, problems: [], warnings: [] });
  });

  it('a Docker layer type in an OCI manifest, an unknown architecture and a platform mismatch are warnings only', async () => {
    const layout = join(tmp.path, 'layout');
    await buildBase(tmp.path, layout);
    rewriteImage(layout, 'base', ({ manifest, config }) => {
      manifest.layers[0]!.mediaType = MediaTypes.dockerLayerGzip;
      config.architecture = 'z80';
    });
    const report = await verify(`oci:${layout}:base`);
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.warnings.map((warning) => warning.code)).toEqual([
      'PLATFORM_MISMATCH', // index.json still says amd64
      'LAYER_MEDIA_TYPE_FAMILY',
      'PLATFORM_VALUE_UNKNOWN',
    ]);
    expect(report.warnings.every((warning) => warning.severity === 'warning')).toBe(true);
  });
});
