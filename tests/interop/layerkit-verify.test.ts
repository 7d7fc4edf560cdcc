/**
 * The real clients as judges of `layerkit verify`'s rules (docs/client-rejections.md): on the
 * broken-image corpus (tests/fixtures/broken-images.ts), umoci and skopeo refuse the classes the
 * table says were seen here, and take the unbroken base image the corpus is made from (so the
 * refusal is the edit's). That verify reports each of them is tests/unit/image/ops/verify.test.ts;
 * that it passes images these clients write is layerkit-reader.test.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { verify } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { BROKEN_IMAGES } from '../fixtures/broken-images.js';
import { buildBase } from '../fixtures/image-ops.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import * as umoci from './clients/umoci.js';

const scratch = useInteropScratchDir('layerkit-verify');

/** The layout directory and tag of an `oci:DIR:TAG` reference. */
function layoutOf(ref: string): { dir: string; tag: string } {
  const [, dir, tag] = /^oci:(.*):([^:]+)$/.exec(ref)!;
  return { dir: dir!, tag: tag! };
}

async function build(name: string, client: string): Promise<string> {
  const dir = join(scratch.path, `${client}-${name}`);
  mkdirSync(dir);
  return BROKEN_IMAGES.find((image) => image.name === name)!.build(dir);
}

const umociUnpack = (ref: string, name: string) => {
  const { dir, tag } = layoutOf(ref);
  return umoci.unpack(dir, tag, join(scratch.path, `bundle-${name}`), { rootless: true });
};
const skopeoCopy = (ref: string, name: string) =>
  skopeo.copy(ref, skopeo.dockerArchiveRef(join(scratch.path, `${name}.docker.tar`), 'example.com/x:v1'));

describe('the clients take the base image the corpus is made from', () => {
  it('umoci unpacks it, skopeo copies it, verify passes it', async () => {
    const dir = join(scratch.path, 'base');
    await buildBase(dir, join(dir, 'layout'));
    const ref = `oci:${join(dir, 'layout')}:base`;
    await umociUnpack(ref, 'base');
    await skopeoCopy(ref, 'base');
    expect((await verify(ref)).ok).toBe(true);
  });
});

describe('umoci refuses what verify reports', () => {
  it.each([
    ['layer-media-type-misspelled', 'LAYER_MEDIA_TYPE_UNKNOWN'],
    ['gzip-declared-as-tar', 'LAYER_COMPRESSION_MISMATCH'],
    ['gzip-declared-as-zstd', 'LAYER_COMPRESSION_MISMATCH'],
    ['config-created-not-rfc3339', 'CONFIG_TIME_INVALID'],
    ['history-created-not-rfc3339', 'CONFIG_TIME_INVALID'],
    ['diff-id-wrong', 'DIFFID_MISMATCH'],
  ])('%s (%s)', async (name, code) => {
    const ref = await build(name, 'umoci');
    await expect(umociUnpack(ref, name)).rejects.toThrow(/umoci unpack/);
    expect((await verify(ref)).problems.map((problem) => problem.code)).toContain(code);
  });
});

describe('skopeo refuses what verify reports', () => {
  it.each([
    ['layer-media-type-misspelled', 'LAYER_MEDIA_TYPE_UNKNOWN'],
    ['gzip-declared-as-zstd', 'LAYER_COMPRESSION_MISMATCH'],
  ])('%s (%s)', async (name, code) => {
    const ref = await build(name, 'skopeo');
    await expect(skopeoCopy(ref, name)).rejects.toThrow(/skopeo/);
    expect((await verify(ref)).problems.map((problem) => problem.code)).toContain(code);
  });
});
