/**
 * The portable build (`buildImage`): files in memory and trees from `scratch` into any sink, with
 * history and config, using the portable runtime by default — and, given the same inputs, the
 * image Node's `build` makes with the portable deflate, digest for digest.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryTree } from '@layerkit/diff';
import { portableRuntime, withPortableDeflate } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import {
  type BuildImageOptions,
  buildImage,
  type ImageConfig,
  isLayerkitError,
  MemoryOciArchive,
} from '@layerkit/image';
import { build, openImageSource } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { EPOCH, EPOCH_TEXT } from '../../../fixtures/image-ops.js';
import { useScratchDir } from '../../../fixtures/scratch.js';

const INPUTS: Omit<BuildImageOptions, 'sink'> = {
  platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  sourceDateEpoch: EPOCH,
  author: 'tests',
  layers: [
    { files: { 'app/run.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 }, 'app/VERSION': '1.0\n' } },
    {
      tree: MemoryTree.fromSpecs([{ path: 'etc/app.conf', content: 'port=8080\n' }]),
      comment: 'the defaults',
    },
    { files: {} },
  ],
  changes: ['ENV MODE=production'],
  config: { Entrypoint: ['/app/run.sh'] },
};

/** The config of the image in an oci-archive's bytes, read back through the Node library. */
async function archivedConfig(bytes: Uint8Array, dir: string): Promise<ImageConfig> {
  const path = join(dir, 'archive.tar');
  writeFileSync(path, bytes);
  const source = await openImageSource({ transport: 'oci-archive', path });
  try {
    return (await source.resolve()).config.value;
  } finally {
    await source.close();
  }
}

describe('buildImage', () => {
  const scratch = useScratchDir('build-image', { per: 'test' });

  it('layers, history and config from memory: the image Node builds with the portable deflate', async () => {
    const archive = new MemoryOciArchive({ tag: 'app:1' });
    const result = await buildImage({ ...INPUTS, sink: archive });
    await archive.close();
    expect(result.layers.map((layer) => layer === undefined)).toEqual([false, false, true]);
    expect(result.manifest.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });

    const file = join(scratch.path, 'node.tar');
    const node = await build({
      ...INPUTS,
      dest: { transport: 'oci-archive', path: file, tag: 'app:1' },
      deflate: 'portable',
    });
    expect(node.manifest.digest).toBe(result.manifest.digest);
    expect(node.imageId).toBe(result.imageId);
    expect(node.layers).toEqual(result.layers);
    // Native hashing with the portable deflate changes nothing either.
    const fast = new MemoryOciArchive({ tag: 'app:1', runtime: nodeRuntime });
    const again = await buildImage({ ...INPUTS, sink: fast, runtime: withPortableDeflate(nodeRuntime) });
    expect(again.manifest.digest).toBe(result.manifest.digest);
  });

  it('records one history entry per layer (empty ones too) and one for the config edit', async () => {
    const archive = new MemoryOciArchive();
    const result = await buildImage({ ...INPUTS, sink: archive, runtime: portableRuntime });
    await archive.close();
    const config = await archivedConfig(archive.bytes(), scratch.path);
    expect(result.imageId).toMatch(/^sha256:/);
    expect(config.created).toBe(EPOCH_TEXT);
    expect(config.history).toEqual([
      { created: EPOCH_TEXT, created_by: 'COPY 2 files', author: 'tests' },
      { created: EPOCH_TEXT, created_by: 'COPY tree', author: 'tests', comment: 'the defaults' },
      { created: EPOCH_TEXT, created_by: 'COPY 0 files', author: 'tests', empty_layer: true },
      {
        created: EPOCH_TEXT,
        created_by: 'ENV MODE=production; config Entrypoint',
        author: 'tests',
        empty_layer: true,
      },
    ]);
    expect(config.config).toEqual({ Entrypoint: ['/app/run.sh'], Env: ['MODE=production'] });
    expect(config.rootfs.diff_ids).toHaveLength(2);
  });

  it('refuses a bad change or a path leaving the root before writing anything', async () => {
    const archive = new MemoryOciArchive();
    await expect(buildImage({ sink: archive, changes: ['FROB x'] })).rejects.toMatchObject({
      code: 'INVALID_CHANGE',
    });
    const error = await buildImage({ sink: archive, layers: [{ files: { '../etc/passwd': 'x' } }] }).catch(
      (e) => e,
    );
    expect(isLayerkitError(error) && error.code).toBe('INVALID_PATH');
    // Nothing was stored: the archive holds its directories, oci-layout and an empty index.
    await archive.close();
    const path = join(scratch.path, 'empty.tar');
    writeFileSync(path, archive.bytes());
    expect(execFileSync('tar', ['-tf', path], { encoding: 'utf8' }).split('\n')).toEqual([
      'blobs/',
      'blobs/sha256/',
      'oci-layout',
      'index.json',
      '',
    ]);
  });
});
