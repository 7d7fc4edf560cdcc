/**
 * `removeTags` on OCI layouts (`layerkit rmi`): the tag's entry leaves `index.json` and nothing
 * else changes; a missing tag, a multi-platform tag without `all`, an archive or a reference
 * without a tag change nothing (each layout all or nothing); `gcLayout` afterwards reclaims
 * exactly the untagged image's own blobs and none it shares; and untagging while commits write
 * the same layout keeps every other tag valid.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '@layerkit/image';
import {
  commit,
  convert,
  createIndex,
  gcLayout,
  type RemovedTag,
  removeTags,
  verify,
} from '@layerkit/image/node';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildBase, EPOCH, editedRootfs, readIndex, readTagged } from '../../../fixtures/image-ops.js';
import { useScratchDir } from '../../../fixtures/scratch.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const tmp = useScratchDir('ops-remove-tags', { per: 'test' });
let layout: string;
let rootfs: string;

/** The tags of the layout, in index order. */
const tagsOf = (dir: string) => readIndex(dir).manifests.map((m) => m.annotations?.[REF_NAME]);
/** Every blob of the layout. */
const blobsOf = (dir: string) =>
  new Set(readdirSync(join(dir, 'blobs/sha256')).map((hex) => `sha256:${hex}`));

/** The manifest, config and layers a tag reaches. */
function blobsOfTag(tag: string): Set<string> {
  const { manifestDigest, manifest } = readTagged(layout, tag);
  return new Set([manifestDigest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]);
}

beforeEach(async () => {
  layout = join(tmp.path, 'images');
  await buildBase(tmp.path, layout, 'nginx');
  rootfs = editedRootfs(tmp.path);
  await commit({
    base: `oci:${layout}:nginx`,
    rootfs,
    dest: `oci:${layout}:nginx:v2`,
    sourceDateEpoch: EPOCH + 3600,
  });
  await convert(`oci:${layout}:nginx`, `oci:${layout}:other`);
});

describe('untagging', () => {
  it('removes the tag from index.json and keeps every other entry as it was', async () => {
    const before = readIndex(layout);
    const { manifestDigest } = readTagged(layout, 'nginx:v2');
    const seen: RemovedTag[] = [];
    const removed = await removeTags([`oci:${layout}:nginx:v2`], { onRemoved: (tag) => seen.push(tag) });
    const expected: RemovedTag = {
      reference: `oci:${layout}:nginx:v2`,
      untagged: ['nginx:v2'],
      digest: manifestDigest,
      store: 'layout',
      location: layout,
    };
    expect(removed).toEqual([expected]);
    expect(seen).toEqual([expected]);
    expect(readIndex(layout)).toEqual({
      ...before,
      manifests: before.manifests.filter((m) => m.annotations?.[REF_NAME] !== 'nginx:v2'),
    });
    // The blobs stay until gc.
    expect(existsSync(join(layout, 'blobs/sha256', manifestDigest.slice(7)))).toBe(true);
    expect((await verify(`oci:${layout}:nginx`)).ok).toBe(true);
  });

  it('several tags of one layout in one call, reported in the order given', async () => {
    const removed = await removeTags([`oci:${layout}:other`, `oci:${layout}:nginx`]);
    expect(removed.map((r) => r.untagged)).toEqual([['other:latest'], ['nginx:latest']]);
    expect(tagsOf(layout)).toEqual(['nginx:v2']);
  });

  it('a reference given twice is untagged once', async () => {
    const removed = await removeTags([`oci:${layout}:other`, `oci:${layout}:other`]);
    expect(removed).toHaveLength(1);
    expect(tagsOf(layout)).toEqual(['nginx', 'nginx:v2']);
  });

  it('a missing tag is TAG_NOT_FOUND and the layout is unchanged, even for the tags that exist', async () => {
    const before = readFileSync(join(layout, 'index.json'));
    await expect(removeTags([`oci:${layout}:other`, `oci:${layout}:nginx:v3`])).rejects.toMatchObject({
      code: 'TAG_NOT_FOUND',
      message: `no image tagged "nginx:v3" in ${layout} (tags: nginx, nginx:v2, other)`,
    });
    expect(readFileSync(join(layout, 'index.json'))).toEqual(before);
  });

  it('a multi-platform tag needs all; with it the index entry goes', async () => {
    await createIndex({ images: [`oci:${layout}:nginx`], dest: `oci:${layout}:multi` });
    const before = readFileSync(join(layout, 'index.json'));
    await expect(removeTags([`oci:${layout}:multi`])).rejects.toMatchObject({
      code: 'MULTI_PLATFORM_TAG',
      message: expect.stringContaining('--all'),
    });
    expect(readFileSync(join(layout, 'index.json'))).toEqual(before);
    await removeTags([`oci:${layout}:multi`], { all: true });
    expect(tagsOf(layout)).toEqual(['nginx', 'nginx:v2', 'other']);
  });

  it.each([
    ['a layout without a tag', () => `oci:${layout}`, 'name the tag'],
    ['an oci-archive', () => `oci-archive:${layout}.tar:x`, 'an archive is written whole'],
    ['a docker-archive', () => `docker-archive:${layout}.tar:x:y`, 'an archive is written whole'],
  ])('%s is refused before anything changes (INVALID_REFERENCE)', async (_what, ref, why) => {
    const before = readFileSync(join(layout, 'index.json'));
    await expect(removeTags([`oci:${layout}:other`, ref()])).rejects.toMatchObject({
      code: 'INVALID_REFERENCE',
      message: expect.stringContaining(why),
    });
    expect(readFileSync(join(layout, 'index.json'))).toEqual(before);
  });
});

describe('rmi, then gc', () => {
  it("reclaims exactly the untagged image's own blobs, none it shares", async () => {
    await gcLayout(layout); // what the builds left unreferenced
    const v2 = blobsOfTag('nginx:v2');
    const kept = new Set([...blobsOfTag('nginx'), ...blobsOfTag('other')]);
    const own = [...v2].filter((digest) => !kept.has(digest));
    expect(own.length).toBe(3); // its manifest, config and new layer; the base layer is shared
    await removeTags([`oci:${layout}:nginx:v2`]);
    const { removed } = await gcLayout(layout);
    expect(new Set(removed)).toEqual(new Set(own));
    expect(blobsOf(layout)).toEqual(kept);
    for (const tag of ['nginx', 'other']) expect((await verify(`oci:${layout}:${tag}`)).ok).toBe(true);
  });

  it('untagging a base another tag builds on reclaims only what no tag reaches', async () => {
    await gcLayout(layout);
    await removeTags([`oci:${layout}:nginx`, `oci:${layout}:other`]);
    const { removed } = await gcLayout(layout);
    const v2 = blobsOfTag('nginx:v2');
    // nginx and other are one image: its manifest and config go, its layer stays (v2's bottom one).
    expect(removed).toHaveLength(2);
    for (const digest of removed) expect(v2.has(digest as Digest)).toBe(false);
    expect(blobsOf(layout)).toEqual(v2);
    expect((await verify(`oci:${layout}:nginx:v2`)).ok).toBe(true);
  });
});

describe('rmi and commit at once on one layout', () => {
  it('every tag not removed stays valid, every commit lands', async () => {
    const rounds = 6;
    for (let i = 0; i < rounds; i++) await convert(`oci:${layout}:nginx`, `oci:${layout}:old-${i}`);
    await Promise.all(
      Array.from({ length: rounds }, (_, i) => [
        removeTags([`oci:${layout}:old-${i}`]),
        commit({
          base: `oci:${layout}:nginx`,
          rootfs,
          dest: `oci:${layout}:new-${i}`,
          sourceDateEpoch: EPOCH + i,
        }),
      ]).flat(),
    );
    const tags = tagsOf(layout);
    expect(tags.filter((tag) => tag?.startsWith('old-'))).toEqual([]);
    expect(new Set(tags)).toEqual(
      new Set(['nginx', 'nginx:v2', 'other', ...Array.from({ length: rounds }, (_, i) => `new-${i}`)]),
    );
    await gcLayout(layout);
    for (const tag of tags) expect((await verify(`oci:${layout}:${tag}`)).ok).toBe(true);
  });
});
