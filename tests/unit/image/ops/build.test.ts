/**
 * The build API as a build tool uses it: an image from `scratch` and files in memory, layers
 * from a tree, a directory (under a path), a tar stream and a modified rootfs, the config set by
 * a typed object (literally) and by Dockerfile changes (expanded as Docker does), any
 * destination — with progress and cancellation that leave the destination as it was.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { MemoryTree } from '@layerkit/diff';
import { type BuildOptions, build, type ProgressEvent, unpack, verify } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { EPOCH, EPOCH_TEXT, readIndex, readTagged, useBaseLayout } from '../../../fixtures/image-ops.js';
import { layerTar } from './big-layer.js';

const ctx = useBaseLayout();

describe('build from scratch', () => {
  it('two layers of files in memory and a typed config: no temporary directory, reproducible', async () => {
    const options: BuildOptions = {
      dest: `oci:${ctx.layout}:scratch-app`,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      layers: [
        { files: { 'app/run.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 }, 'app/VERSION': '1.0\n' } },
        { files: { 'etc/app.conf': 'port=8080\n' }, createdBy: 'config file', comment: 'the defaults' },
      ],
      config: { Entrypoint: ['/app/run.sh'], Env: { MODE: 'production', PRICE: '$5' }, WorkingDir: '/app' },
      sourceDateEpoch: EPOCH,
    };
    const first = await build(options);
    const { manifest, config } = readTagged(ctx.layout, 'scratch-app');
    expect(manifest.layers).toHaveLength(2);
    expect(first.layers.map((layer) => layer?.digest)).toEqual(manifest.layers.map((layer) => layer.digest));
    expect(config).toMatchObject({ architecture: 'arm64', os: 'linux', variant: 'v8', created: EPOCH_TEXT });
    // Applied literally: the `$` stays.
    expect(config.config).toEqual({
      Entrypoint: ['/app/run.sh'],
      Env: ['MODE=production', 'PRICE=$5'],
      WorkingDir: '/app',
    });
    expect(config.history?.map((entry) => [entry.created_by, entry.comment, entry.empty_layer])).toEqual([
      ['COPY 2 files', undefined, undefined],
      ['config file', 'the defaults', undefined],
      ['config Entrypoint, Env, WorkingDir', undefined, true],
    ]);
    const rootfs = join(ctx.dir, 'scratch-app-rootfs');
    await unpack(`oci:${ctx.layout}:scratch-app`, rootfs, {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(readFileSync(join(rootfs, 'app/run.sh'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(readFileSync(join(rootfs, 'etc/app.conf'), 'utf8')).toBe('port=8080\n');

    // The same inputs into another layout give the same image, byte for byte.
    const again = await build({ ...options, dest: `oci:${ctx.dir}/other:scratch-app` });
    expect(again.imageId).toBe(first.imageId);
    expect(again.manifest.digest).toBe(first.manifest.digest);
  });

  it('no layers and no config: an empty image; a tree as a layer', async () => {
    const empty = await build({ dest: `oci:${ctx.layout}:empty`, sourceDateEpoch: EPOCH });
    expect(readTagged(ctx.layout, 'empty').manifest.layers).toEqual([]);
    expect(empty.layers).toEqual([]);
    const tree = MemoryTree.fromSpecs([{ path: 'data/x', content: 'x' }]);
    const result = await build({
      dest: `oci:${ctx.layout}:tree`,
      layers: [{ tree }],
      sourceDateEpoch: EPOCH,
    });
    expect(result.layers).toHaveLength(1);
    expect((await verify(`oci:${ctx.layout}:tree`)).ok).toBe(true);
  });

  it('non-ASCII paths in `files` and `at` are UTF-8 text: the image holds their UTF-8 names', async () => {
    const dir = join(ctx.dir, 'menu');
    mkdirSync(dir);
    writeFileSync(join(dir, 'crème.txt'), 'brûlée\n');
    await build({
      dest: `oci:${ctx.layout}:utf8-names`,
      layers: [{ files: { '/srv/café/menu.txt': 'x\n' } }, { directory: dir, at: '/srv/café/carte' }],
      sourceDateEpoch: EPOCH,
    });
    const rootfs = join(ctx.dir, 'utf8-names-rootfs');
    await unpack(`oci:${ctx.layout}:utf8-names`, rootfs);
    expect(readFileSync(join(rootfs, 'srv/café/menu.txt'), 'utf8')).toBe('x\n');
    expect(readFileSync(join(rootfs, 'srv/café/carte/crème.txt'), 'utf8')).toBe('brûlée\n');
  });
});

describe('build on an image', () => {
  it('a directory under a path, a tar stream and Dockerfile changes on top of the base', async () => {
    const dir = join(ctx.dir, 'static');
    mkdirSync(join(dir, 'css'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<h1>hi</h1>\n');
    writeFileSync(join(dir, 'css/site.css'), 'body{}\n');
    const tar = gzipSync(await layerTar({ 'opt/tool': 'tool\n' }));
    await build({
      base: ctx.base,
      dest: `oci:${ctx.layout}:site`,
      layers: [{ directory: dir, at: '/srv/www' }, { tar: Readable.from([tar]) }],
      changes: ['ENV PATH=/opt:$PATH', 'CMD ["serve"]'],
      sourceDateEpoch: EPOCH,
    });
    const before = readTagged(ctx.layout, 'base');
    const { manifest, config } = readTagged(ctx.layout, 'site');
    expect(manifest.layers.slice(0, before.manifest.layers.length)).toEqual(before.manifest.layers);
    expect(manifest.layers).toHaveLength(before.manifest.layers.length + 2);
    expect(config.config?.Cmd).toEqual(['serve']);
    const rootfs = join(ctx.dir, 'site-rootfs');
    await unpack(`oci:${ctx.layout}:site`, rootfs);
    expect(readFileSync(join(rootfs, 'srv/www/index.html'), 'utf8')).toBe('<h1>hi</h1>\n');
    expect(readFileSync(join(rootfs, 'srv/www/css/site.css'), 'utf8')).toBe('body{}\n');
    expect(readFileSync(join(rootfs, 'opt/tool'), 'utf8')).toBe('tool\n');
    expect(readFileSync(join(rootfs, 'etc/app.conf'), 'utf8')).toBe('port=80\n');
  });

  it('a rootfs layer must come first (it is diffed against the base)', async () => {
    await expect(
      build({
        base: ctx.base,
        dest: `oci:${ctx.layout}:bad`,
        layers: [{ files: { a: 'a' } }, { rootfs: ctx.dir }],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('a bad config field or change fails before any layer is written', async () => {
    const indexBefore = JSON.stringify(readIndex(ctx.layout));
    await expect(
      build({
        dest: `oci:${ctx.layout}:bad`,
        layers: [{ files: { a: 'a' } }],
        config: { WorkingDir: 'relative' },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(
      build({ dest: `oci:${ctx.layout}:bad`, layers: [{ files: { a: 'a' } }], changes: ['FROM scratch'] }),
    ).rejects.toMatchObject({ code: 'INVALID_CHANGE' });
    expect(JSON.stringify(readIndex(ctx.layout))).toBe(indexBefore);
  });
});

describe('progress and cancellation', () => {
  it('reports one event shape (walk, layer) and an abort leaves the destination as it was', async () => {
    const events: ProgressEvent[] = [];
    const dir = join(ctx.dir, 'big');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(dir, `f${i}`), Buffer.alloc(1 << 20, i));
    await build({
      dest: `oci:${ctx.layout}:progress`,
      layers: [{ directory: dir }],
      onProgress: (event) => events.push(event),
    });
    expect(new Set(events.map((event) => event.phase))).toEqual(new Set(['walk', 'layer']));
    const walked = events.filter((event) => event.phase === 'walk').at(-1);
    expect(walked?.entries).toBeGreaterThanOrEqual(8);
    expect(events.filter((event) => event.phase === 'layer').at(-1)?.bytes).toBeGreaterThan(8 << 20);

    const indexBefore = JSON.stringify(readIndex(ctx.layout));
    const controller = new AbortController();
    await expect(
      build({
        dest: `oci:${ctx.layout}:aborted`,
        layers: [{ directory: dir }],
        signal: controller.signal,
        onProgress: (event) => {
          if (event.phase === 'layer' && event.bytes > 1 << 20) controller.abort(new Error('stop'));
        },
      }),
    ).rejects.toThrow('stop');
    expect(JSON.stringify(readIndex(ctx.layout))).toBe(indexBefore);
  });

  it('verify and convert report per layer and stop on an aborted signal', async () => {
    const events: ProgressEvent[] = [];
    await verify(ctx.base, { onProgress: (event) => events.push(event) });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.phase === 'verify' && event.layers !== undefined)).toBe(true);
    const last = events.at(-1)!;
    expect(last.bytes).toBe(last.totalBytes);
    await expect(verify(ctx.base, { signal: AbortSignal.abort(new Error('cancelled')) })).rejects.toThrow(
      'cancelled',
    );
  });
});

describe('image references built by hand', () => {
  it('an object that is not a parsed reference is refused, naming the problem', async () => {
    await expect(
      verify({ transport: 'docker-archive', path: join(ctx.dir, 'x.tar'), name: 'app:v1' } as never),
    ).rejects.toMatchObject({
      code: 'INVALID_REFERENCE',
      message: expect.stringContaining('parseDockerName'),
    });
    await expect(verify({ transport: 'oci', path: ctx.layout, tag: 'bad tag' })).rejects.toMatchObject({
      code: 'INVALID_REFERENCE',
    });
    await expect(
      verify({ transport: 'oci', path: ctx.layout, tag: 'base', extra: 1 } as never),
    ).rejects.toMatchObject({
      code: 'INVALID_REFERENCE',
      message: expect.stringContaining('unknown field extra'),
    });
    expect((await verify({ transport: 'oci', path: ctx.layout, tag: 'base' })).ok).toBe(true);
  });
});
