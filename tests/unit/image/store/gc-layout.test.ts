/**
 * `gcLayout`: on a directory that is not a layout (missing, or a file) it fails with the same
 * `NOT_AN_OCI_LAYOUT` error every other operation gives, not a raw errno about the lock file,
 * and creates nothing; it never deletes a blob a live writer relies on (leases), never deletes
 * past a missing manifest or index, and never deletes through a symlinked blob directory.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { nodeRuntime } from '@layerkit/digest/node';
import { type ImageIndex, MediaTypes } from '@layerkit/image';
import { gcLayout, verify } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { encodeDocument } from '../../../../packages/image/src/json/raw.js';
import {
  openLayoutSink,
  openLayoutSource,
} from '../../../../packages/image/src/node/store/oci-layout-store.js';
import type { ImageSink } from '../../../../packages/image/src/store/image-sink.js';
import { deadPid } from '../../../fixtures/process-owners.js';
import { testScratchDir } from '../../../fixtures/scratch.js';
import { rejectionOf, type TinyImage, tinyImage, writeTiny } from '../tiny-image.js';

it('a missing directory is not an OCI image layout, and stays missing', async () => {
  const missing = join(testScratchDir('gc-layout'), 'nosuch');
  await expect(gcLayout(missing)).rejects.toMatchObject({
    code: 'NOT_AN_OCI_LAYOUT',
    message: `${missing} is not an OCI image layout: oci-layout is missing`,
  });
  expect(existsSync(missing)).toBe(false);
});

it('a regular file is not an OCI image layout', async () => {
  const file = join(testScratchDir('gc-layout'), 'index.json');
  writeFileSync(file, '{}');
  await expect(gcLayout(file)).rejects.toMatchObject({
    code: 'NOT_AN_OCI_LAYOUT',
    message: `${file} is not an OCI image layout: oci-layout is missing`,
  });
});

const blobFile = (dir: string, digest: string) =>
  join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));

/** A layout holding `tiny` under `v1`, written and closed. */
async function layoutWith(tiny: TinyImage, dir: string): Promise<void> {
  const sink = await openLayoutSink(dir, 'v1');
  await writeTiny(sink, tiny);
  await sink.close();
}

/** A sink open on `dir` that has stored `tiny`'s layer and published nothing yet. */
async function sinkWithLayer(dir: string, tag: string, tiny: TinyImage): Promise<ImageSink> {
  const sink = await openLayoutSink(dir, tag);
  const writer = sink.blobs.writer();
  await writer.write(tiny.layerBytes);
  await writer.commit(tiny.layer);
  return sink;
}

describe('gc beside a writer', () => {
  it('keeps a layer a live writer stored but has not published yet (store, gc, publish)', async () => {
    const dir = join(testScratchDir('gc-layout'), 'layout');
    const tiny = await tinyImage();
    const sink = await sinkWithLayer(dir, 'v1', tiny);
    expect((await gcLayout(dir)).removed).toEqual([]);
    await sink.publish(tiny);
    await sink.close();
    expect(await (await openLayoutSource(dir)).tags()).toEqual(['v1']);
    expect(existsSync(blobFile(dir, tiny.layer.digest))).toBe(true);
  });

  it('keeps an unreferenced layer a live writer found already stored (has, gc, publish)', async () => {
    const dir = join(testScratchDir('gc-layout'), 'layout');
    const tiny = await tinyImage();
    const other = await tinyImage({ 'other.txt': 'other\n' });
    await layoutWith(tiny, dir);
    await layoutWith(other, dir); // v1 moves: tiny's layer is unreferenced now
    const sink = await openLayoutSink(dir, 'v2');
    expect(await sink.blobs.has(tiny.layer.digest)).toBe(true); // a copy skips it
    expect((await gcLayout(dir)).removed).not.toContain(tiny.layer.digest);
    await sink.publish(tiny);
    await sink.close();
    expect((await (await openLayoutSource(dir)).tags()).sort()).toEqual(['v1', 'v2']);
  });

  it('deletes what no tag reaches once the writer is done, and leaves no lease behind', async () => {
    const dir = join(testScratchDir('gc-layout'), 'layout');
    const tiny = await tinyImage();
    const sink = await sinkWithLayer(dir, 'v1', tiny);
    await sink.close();
    expect((await gcLayout(dir)).removed).toEqual([tiny.layer.digest]);
    expect(readdirSync(dir).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it("ignores and removes a dead writer's lease", async () => {
    const dir = join(testScratchDir('gc-layout'), 'layout');
    const tiny = await tinyImage();
    const sink = await sinkWithLayer(dir, 'v1', tiny);
    await sink.close();
    const lease = join(dir, `index.json.lease-${deadPid()}.777-00ff`);
    writeFileSync(lease, `${tiny.layer.digest}\n`);
    expect((await gcLayout(dir)).removed).toEqual([tiny.layer.digest]);
    expect(existsSync(lease)).toBe(false);
  });
});

describe('gc refuses what it cannot do safely', () => {
  it('deletes nothing when index.json names a manifest that is missing, and names it', async () => {
    const dir = join(testScratchDir('gc-layout'), 'layout');
    const tiny = await tinyImage();
    await layoutWith(tiny, dir);
    const manifest = blobFile(dir, tiny.manifest.digest);
    const saved = readFileSync(manifest);
    rmSync(manifest);
    const before = readdirSync(join(dir, 'blobs', 'sha256')).sort();
    const error = await rejectionOf(gcLayout(dir));
    expect(error.code).toBe('BLOB_MISSING');
    expect(error.message).toContain(tiny.manifest.digest);
    expect(error.message).toContain(join(dir, 'index.json'));
    expect(readdirSync(join(dir, 'blobs', 'sha256')).sort()).toEqual(before);
    writeFileSync(manifest, saved); // restoring the manifest repairs the image
    expect((await verify(`oci:${dir}:v1`)).ok).toBe(true);
  });

  it('deletes nothing when an index names a manifest that is missing', async () => {
    const dir = join(testScratchDir('gc-layout'), 'layout');
    const tiny = await tinyImage();
    const sink = await sinkWithLayer(dir, 'multi', tiny);
    const child = await sink.publish(tiny, { untagged: true });
    const index = encodeDocument<ImageIndex>(
      { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [child] },
      { hasher: nodeRuntime.sha256 },
    );
    await sink.publishIndex(index);
    await sink.close();
    rmSync(blobFile(dir, tiny.manifest.digest));
    const error = await rejectionOf(gcLayout(dir));
    expect(error.code).toBe('BLOB_MISSING');
    expect(error.message).toContain(`${index.digest} names ${tiny.manifest.digest}`);
    expect(existsSync(blobFile(dir, tiny.layer.digest))).toBe(true);
    expect(existsSync(blobFile(dir, tiny.config.digest))).toBe(true);
  });

  it('refuses a blobs/sha256 that is a symlink, and deletes nothing where it points', async () => {
    const root = testScratchDir('gc-layout');
    const dir = join(root, 'layout');
    const tiny = await tinyImage();
    await layoutWith(tiny, dir);
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    const victim = join(elsewhere, 'a'.repeat(64));
    writeFileSync(victim, 'not a blob of this layout');
    renameSync(join(dir, 'blobs', 'sha256'), join(root, 'real-sha256'));
    symlinkSync(elsewhere, join(dir, 'blobs', 'sha256'));
    const error = await rejectionOf(gcLayout(dir));
    expect(error).toMatchObject({ code: 'NOT_A_DIRECTORY', details: { path: join(dir, 'blobs', 'sha256') } });
    expect(error.message).toContain(join(dir, 'blobs', 'sha256'));
    expect(readFileSync(victim, 'utf8')).toBe('not a blob of this layout');
  });
});
