import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSource } from '@layerkit/image';
import { gcLayout } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { openDockerArchiveSource } from '../../../../packages/image/src/node/store/docker-archive-source.js';
import { openDockerArchiveSink } from '../../../../packages/image/src/node/store/docker-archive-store.js';
import {
  openOciArchiveSink,
  openOciArchiveSource,
} from '../../../../packages/image/src/node/store/oci-archive-store.js';
import {
  openLayoutSink,
  openLayoutSource,
} from '../../../../packages/image/src/node/store/oci-layout-store.js';
import { REF_NAME_ANNOTATION } from '../../../../packages/image/src/parse/ref-name.js';
import { copyImage } from '../../../../packages/image/src/store/copy-image.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { rejectionOf, type TinyImage, tinyImage, writeTiny } from '../tiny-image.js';

const tmp = useScratchDir('store', { per: 'test' });

async function readAll(source: ImageSource, tag?: string) {
  const image = await source.resolve(tag);
  const layers: Uint8Array[] = [];
  for (const layer of image.manifest.value.layers) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of source.blobs.stream(layer)) chunks.push(chunk);
    layers.push(Buffer.concat(chunks));
  }
  return { image, layers };
}

function expectSameImage(read: Awaited<ReturnType<typeof readAll>>, tiny: TinyImage) {
  expect(read.image.manifestDescriptor.digest).toBe(tiny.manifest.digest);
  expect(read.image.manifest.digest).toBe(tiny.manifest.digest);
  expect(read.image.config.digest).toBe(tiny.config.digest);
  expect(Buffer.from(read.layers[0]!).equals(Buffer.from(tiny.layerBytes))).toBe(true);
}

describe('each format: write then read back', () => {
  it('OCI layout', async () => {
    const tiny = await tinyImage();
    const dir = join(tmp.path, 'layout');
    const sink = await openLayoutSink(dir, 'v1');
    const descriptor = await writeTiny(sink, tiny);
    expect(descriptor.digest).toBe(tiny.manifest.digest);
    expect(descriptor.platform).toEqual({ architecture: 'amd64', os: 'linux' });
    expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const source = await openLayoutSource(dir);
    expect(await source.tags()).toEqual(['v1']);
    expectSameImage(await readAll(source, 'v1'), tiny);
    expectSameImage(await readAll(source), tiny);
  });

  it('oci-archive: nothing visible before close, temp file gone after', async () => {
    const tiny = await tinyImage();
    const file = join(tmp.path, 'image.tar');
    const sink = openOciArchiveSink(file, 'example.com/tiny:1');
    await writeTiny(sink, tiny);
    expect(existsSync(file)).toBe(false);
    await sink.close();
    expect(readdirSync(tmp.path)).toEqual(['image.tar']);
    const source = await openOciArchiveSource(file);
    expect(await source.tags()).toEqual(['example.com/tiny:1']);
    expectSameImage(await readAll(source, 'example.com/tiny:1'), tiny);
    await source.close();
  });

  it('docker-archive: OCI layout plus manifest.json and repositories', async () => {
    const tiny = await tinyImage();
    const file = join(tmp.path, 'docker.tar');
    const sink = openDockerArchiveSink(file, 'tiny:v2');
    await writeTiny(sink, tiny);
    await sink.close();
    const source = await openDockerArchiveSource(file);
    expect(await source.tags()).toEqual(['tiny:v2']);
    expectSameImage(await readAll(source, 'docker.io/library/tiny:v2'), tiny);
    expectSameImage(await readAll(source), tiny);
    await source.close();
  });

  it('an aborted archive leaves nothing behind', async () => {
    const tiny = await tinyImage();
    const file = join(tmp.path, 'aborted.tar');
    const sink = openOciArchiveSink(file, 'x');
    await writeTiny(sink, tiny);
    await sink.abort();
    expect(readdirSync(tmp.path)).toEqual([]);
  });

  it('publishing a manifest whose layer was never stored fails with BLOB_MISSING', async () => {
    const tiny = await tinyImage();
    const sink = await openLayoutSink(join(tmp.path, 'layout'), 'v1');
    expect((await rejectionOf(sink.publish(tiny))).code).toBe('BLOB_MISSING');
    expect(await (await openLayoutSource(join(tmp.path, 'layout'))).tags()).toEqual([]);
  });
});

describe('conversions keep digests', () => {
  it('layout → oci-archive → docker-archive → layout', async () => {
    const tiny = await tinyImage();
    const first = join(tmp.path, 'first');
    await writeTiny(await openLayoutSink(first, 'v1'), tiny);

    const ociFile = join(tmp.path, 'oci.tar');
    const ociSink = openOciArchiveSink(ociFile, 'example.com/tiny:v1');
    await copyImage(await openLayoutSource(first), ociSink, { tag: 'v1' });
    await ociSink.close();

    const dockerFile = join(tmp.path, 'docker.tar');
    const dockerSink = openDockerArchiveSink(dockerFile, 'example.com/tiny:v1');
    const ociSource = await openOciArchiveSource(ociFile);
    await copyImage(ociSource, dockerSink);
    await dockerSink.close();
    await ociSource.close();

    const last = join(tmp.path, 'last');
    const dockerSource = await openDockerArchiveSource(dockerFile);
    const descriptor = await copyImage(dockerSource, await openLayoutSink(last, 'back'));
    await dockerSource.close();
    expect(descriptor.digest).toBe(tiny.manifest.digest);
    expectSameImage(await readAll(await openLayoutSource(last), 'back'), tiny);
  });
});

describe('tags in a layout', () => {
  it('re-using a tag replaces its descriptor; the old manifest stays until gc', async () => {
    const dir = join(tmp.path, 'layout');
    const one = await tinyImage({ 'a.txt': 'one' });
    const two = await tinyImage({ 'a.txt': 'two' });
    const sink = await openLayoutSink(dir, 'latest');
    await writeTiny(sink, one);
    await writeTiny(sink, one, 'stable');
    await writeTiny(sink, two);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(
      index.manifests.map((d: { annotations: Record<string, string> }) => d.annotations[REF_NAME_ANNOTATION]),
    ).toEqual(['stable', 'latest']);
    const source = await openLayoutSource(dir);
    expect((await source.resolve('latest')).manifest.digest).toBe(two.manifest.digest);
    expect((await source.resolve('stable')).manifest.digest).toBe(one.manifest.digest);
    expect((await rejectionOf(source.resolve())).code).toBe('TAG_REQUIRED');
    expect((await rejectionOf(source.resolve('nope'))).code).toBe('TAG_NOT_FOUND');
  });

  it('gc removes exactly the blobs index.json no longer reaches', async () => {
    const dir = join(tmp.path, 'layout');
    const one = await tinyImage({ 'a.txt': 'one' });
    const two = await tinyImage({ 'a.txt': 'two' });
    const sink = await openLayoutSink(dir, 'latest');
    await writeTiny(sink, one);
    await writeTiny(sink, two);
    await sink.close(); // until then, its lease keeps every blob it stored
    const result = await gcLayout(dir);
    expect(new Set(result.removed)).toEqual(
      new Set([one.manifest.digest, one.config.digest, one.layer.digest]),
    );
    expect(result.removedBytes).toBe(one.manifest.bytes.length + one.config.bytes.length + one.layer.size);
    const left = readdirSync(join(dir, 'blobs', 'sha256')).sort();
    expect(left).toEqual(
      [two.manifest.digest, two.config.digest, two.layer.digest].map((d) => d.slice(7)).sort(),
    );
    expect((await gcLayout(dir)).removed).toEqual([]);
    expect((await (await openLayoutSource(dir)).resolve('latest')).config.digest).toBe(two.config.digest);
  });
});
