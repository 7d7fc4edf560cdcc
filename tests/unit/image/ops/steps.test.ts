/**
 * The other image steps: `appendLayer` (crane append), `mutateConfig` (config-only steps),
 * `convert` (between the three formats), `verify`, and `diffImage` on an unpacked rootfs.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { formatChangeLine } from '@layerkit/diff';
import { appendLayer, convert, diffImage, mutateConfig, unpack, verify } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import {
  blobPath,
  EDIT_LINES,
  EPOCH,
  EPOCH_TEXT,
  editTree,
  flipByte,
  readTagged,
  rewriteImage,
  sha256Of,
  useBaseLayout,
} from '../../../fixtures/image-ops.js';
import { bigLayerImage, layerTar, zlibBreakingOffset } from './big-layer.js';

const ctx = useBaseLayout();

describe('appendLayer', () => {
  it.each(['plain', 'gzip'] as const)(
    'a %s tar file becomes one more layer, DiffID of the plain tar',
    async (kind) => {
      const tar = await layerTar({ 'opt/added.txt': 'appended\n' });
      const file = join(ctx.dir, 'layer.tar');
      writeFileSync(file, kind === 'gzip' ? gzipSync(tar) : tar);
      const result = await appendLayer({
        base: ctx.base,
        layer: file,
        dest: `oci:${ctx.layout}:appended`,
        createdBy: 'crane append',
        sourceDateEpoch: EPOCH,
      });
      expect(result.layer!.diffID).toBe(sha256Of(tar));
      const before = readTagged(ctx.layout, 'base');
      const { manifest, config } = readTagged(ctx.layout, 'appended');
      expect(manifest.layers.slice(0, 1)).toEqual(before.manifest.layers);
      expect(manifest.layers[1]).toEqual({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: result.layer!.digest,
        size: result.layer!.size,
      });
      expect(config.rootfs.diff_ids).toEqual([...before.config.rootfs.diff_ids, sha256Of(tar)]);
      expect(config.history!.at(-1)).toEqual({ created: EPOCH_TEXT, created_by: 'crane append' });

      const unpacked = join(ctx.dir, 'unpacked');
      await unpack(`oci:${ctx.layout}:appended`, unpacked);
      expect(readFileSync(join(unpacked, 'opt/added.txt'), 'utf8')).toBe('appended\n');
      expect(readFileSync(join(unpacked, 'etc/app.conf'), 'utf8')).toBe('port=80\n');
    },
  );
});

describe('mutateConfig', () => {
  it('an empty_layer entry whose created_by is the instructions; same layers', async () => {
    const result = await mutateConfig({
      base: ctx.base,
      dest: `oci:${ctx.layout}:configured`,
      changes: ['ENV MODE=prod', 'EXPOSE 8080'],
      sourceDateEpoch: EPOCH,
    });
    expect(result.layer).toBeUndefined();
    const before = readTagged(ctx.layout, 'base');
    const { manifest, config } = readTagged(ctx.layout, 'configured');
    expect(manifest.layers).toEqual(before.manifest.layers);
    expect(config.rootfs).toEqual(before.config.rootfs);
    expect(config.config).toEqual({
      ...before.config.config,
      Env: ['MODE=prod'],
      ExposedPorts: { '8080/tcp': {} },
    });
    expect(config.history!.at(-1)).toEqual({
      created: EPOCH_TEXT,
      created_by: 'ENV MODE=prod; EXPOSE 8080',
      empty_layer: true,
    });
  });

  it('an explicit createdBy of undefined still defaults to the instructions', async () => {
    await mutateConfig({
      base: ctx.base,
      dest: `oci:${ctx.layout}:configured`,
      changes: ['USER 1000'],
      createdBy: undefined,
      sourceDateEpoch: EPOCH,
    });
    expect(readTagged(ctx.layout, 'configured').config.history!.at(-1)!.created_by).toBe('USER 1000');
  });

  it('a config field given as undefined is kept, and is not named in created_by', async () => {
    await mutateConfig({
      base: ctx.base,
      dest: `oci:${ctx.layout}:configured`,
      config: { User: undefined, WorkingDir: '/srv' },
      sourceDateEpoch: EPOCH,
    });
    const before = readTagged(ctx.layout, 'base').config.config;
    const { config } = readTagged(ctx.layout, 'configured');
    expect(config.config).toEqual({ ...before, WorkingDir: '/srv' });
    expect(config.history!.at(-1)!.created_by).toBe('config WorkingDir');
  });
});

describe('convert', () => {
  it('oci → oci-archive → docker-archive → oci keeps the manifest and config digests', async () => {
    const start = await verify(ctx.base);
    expect(start.ok).toBe(true);
    const chain = [
      `oci-archive:${join(ctx.dir, 'image.oci.tar')}:example.com/app:1`,
      `docker-archive:${join(ctx.dir, 'image.docker.tar')}:example.com/app:1`,
      `oci:${join(ctx.dir, 'back')}:again`,
    ];
    let from = ctx.base;
    for (const to of chain) {
      const descriptor = await convert(from, to);
      expect(descriptor.digest).toBe(start.manifest);
      const report = await verify(to);
      expect(report).toMatchObject({ ok: true, manifest: start.manifest, config: start.config });
      from = to;
    }
  });
});

describe('verify', () => {
  it('a sound image is ok, with every layer checked', async () => {
    const report = await verify(ctx.base);
    const { manifest, config } = readTagged(ctx.layout, 'base');
    expect(report).toEqual({
      ok: true,
      manifest: report.manifest,
      config: manifest.config.digest,
      layers: [{ digest: manifest.layers[0]!.digest, diffID: config.rootfs.diff_ids[0], ok: true }],
      problems: [],
      warnings: [],
    });
  });

  it.each([
    ['the gzip header', 4],
    ['the middle of the deflate stream', 0.5],
    ['the gzip trailer', -3],
  ])('a flipped byte in %s of a layer blob is reported, naming the layer digest', async (_where, at) => {
    const layer = readTagged(ctx.layout, 'base').manifest.layers[0]!;
    const offset = at < 0 ? layer.size + at : at < 1 ? Math.floor(layer.size * at) : at;
    flipByte(blobPath(ctx.layout, layer.digest), offset);
    const report = await verify(ctx.base);
    expect(report.ok).toBe(false);
    expect(report.layers[0]!.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]!.code).toBe('BLOB_CORRUPT');
    expect(report.problems[0]!.message).toContain(layer.digest);
  });

  it('a flip deep inside a multi-MiB layer (zlib fails before the blob ends) is still BLOB_CORRUPT', async () => {
    const big = await bigLayerImage(ctx);
    const file = blobPath(ctx.layout, big.digest);
    flipByte(file, zlibBreakingOffset(readFileSync(file)));
    const report = await verify(`oci:${ctx.layout}:big`);
    expect(report.problems.map((p) => p.code)).toEqual(['BLOB_CORRUPT']);
    expect(report.problems[0]!.message).toContain(big.digest);
  });

  it('a sound blob holding broken gzip is CORRUPT_COMPRESSED_DATA, naming the layer', async () => {
    const big = await bigLayerImage(ctx);
    const broken = readFileSync(blobPath(ctx.layout, big.digest));
    const offset = zlibBreakingOffset(broken);
    broken[offset] = broken[offset]! ^ 0xff;
    const digest = sha256Of(broken);
    writeFileSync(blobPath(ctx.layout, digest), broken);
    rewriteImage(ctx.layout, 'big', ({ manifest }) => {
      manifest.layers[1] = { ...manifest.layers[1]!, digest };
    });
    const report = await verify(`oci:${ctx.layout}:big`);
    expect(report.problems.map((p) => p.code)).toEqual(['CORRUPT_COMPRESSED_DATA']);
    expect(report.problems[0]!.message).toContain(`layer 1 (${digest})`);
  });

  it('a layer whose content is not the DiffID the config names is DIFFID_MISMATCH', async () => {
    const wrong = sha256Of(Buffer.from('another layer'));
    rewriteImage(ctx.layout, 'base', ({ config }) => {
      config.rootfs.diff_ids = [wrong];
    });
    const report = await verify(ctx.base);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.code)).toEqual(['DIFFID_MISMATCH']);
    expect(report.problems[0]!.message).toContain(wrong);
  });

  it('a missing layer blob is reported, not thrown', async () => {
    const layer = readTagged(ctx.layout, 'base').manifest.layers[0]!;
    rmSync(blobPath(ctx.layout, layer.digest));
    const report = await verify(ctx.base);
    expect(report.problems.map((p) => p.code)).toEqual(['BLOB_MISSING']);
    expect(existsSync(blobPath(ctx.layout, layer.digest))).toBe(false);
  });
});

describe('diffImage', () => {
  it("an unpacked rootfs after edits gives docker diff's A/C/D lines", async () => {
    const rootfs = join(ctx.dir, 'rootfs');
    await unpack(ctx.base, rootfs);
    expect(await diffImage(ctx.base, rootfs)).toEqual([]);
    editTree(rootfs);
    const changes = await diffImage(ctx.base, rootfs);
    expect(changes.map(formatChangeLine)).toEqual(EDIT_LINES);
  });
});
