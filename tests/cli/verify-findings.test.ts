/**
 * `layerkit verify` on the broken-image corpus (tests/fixtures/broken-images.ts), through the
 * built CLI: exit 1 on every image, one `BAD  <finding>` line per finding on stdout with the
 * clients that refuse it, and warnings on stderr that leave the exit status 0.
 */
import { join } from 'node:path';
import { MediaTypes } from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { BROKEN_IMAGES } from '../fixtures/broken-images.js';
import { buildBase, rewriteImage } from '../fixtures/image-ops.js';
import { useScratchDir } from '../fixtures/scratch.js';
import { layerkit } from './cli.js';

const tmp = useScratchDir('cli-verify', { per: 'test' });

describe('layerkit verify', () => {
  it.each(BROKEN_IMAGES)('exits 1 on $name ($what) and prints every finding', async (image) => {
    const run = layerkit(['verify', await image.build(tmp.path)]);
    expect(run.status).toBe(1);
    if (image.throws !== undefined) {
      expect(run.stderr).toMatch(/^layerkit: verify: .*sha256:[0-9a-f]{64}/);
      expect(run.stdout).toBe('');
      return;
    }
    const bad = run.stdout.split('\n').filter((line) => /^BAD {2}[A-Z_]+:/.test(line));
    expect(bad.map((line) => /^BAD {2}([A-Z_]+):/.exec(line)![1])).toEqual(image.findings);
    expect(run.stderr).toContain(`layerkit: verify: ${image.findings![0]}: `);
  });

  it('names the clients that refuse the image', async () => {
    const image = BROKEN_IMAGES.find((broken) => broken.name === 'repo-tag-upper-case')!;
    const run = layerkit(['verify', await image.build(tmp.path)]);
    expect(run.stdout).toMatch(
      /^BAD {2}REPO_TAG_INVALID: manifest.json item 0 RepoTags "example.com\/App:v1": .*\(rejected by docker load\)$/m,
    );
  });

  it('unpack and history read such an image and say so once on stderr', async () => {
    const image = BROKEN_IMAGES.find((broken) => broken.name === 'layer-media-type-misspelled')!;
    const ref = await image.build(tmp.path);
    for (const args of [
      ['unpack', ref, join(tmp.path, 'rootfs')],
      ['history', ref],
    ]) {
      const run = layerkit(args);
      expect(run.status).toBe(0);
      const warnings = run.stderr.split('\n').filter((line) => line.startsWith('layerkit: warning: '));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /is not a layer type .*; skopeo, umoci, .* `layerkit verify` lists every problem$/,
      );
    }
  });

  it('exits 0 with warnings only, printed on stderr', async () => {
    const layout = join(tmp.path, 'layout');
    await buildBase(tmp.path, layout);
    rewriteImage(layout, 'base', ({ manifest }) => {
      manifest.layers[0]!.mediaType = MediaTypes.dockerLayerGzip;
    });
    const run = layerkit(['verify', `oci:${layout}:base`]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ok {2}sha256:[0-9a-f]{64}$/m);
    expect(run.stderr).toMatch(
      /^layerkit: warning: LAYER_MEDIA_TYPE_FAMILY: manifest sha256:[0-9a-f]{64} layers\[0\]/m,
    );
  });
});
