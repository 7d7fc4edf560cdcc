/**
 * Multi-platform images through the library: `createIndex` lists single-platform images (or an
 * index's images) under their configs' platforms in a layout or an oci-archive; the readers
 * (`resolve`, `verify`, `imageHistory`, `unpack`) pick each platform from it and the host's by
 * default; `convert(…, { all: true })` copies the index and every image byte for byte; gc keeps
 * what an index reaches. And it fails safely: two images for one platform, no images, a
 * docker-archive destination, `all` with `platform`, and a failure between the images and the
 * index leave the destination as it was. The same inputs give the same index digest.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LayerkitError } from '@layerkit/digest';
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type ImageSink,
  MediaTypes,
  type Platform,
  type PlatformWant,
} from '@layerkit/image';
import {
  convert,
  createIndex,
  gcLayout,
  hostPlatform,
  imageHistory,
  importRootfs,
  openImageSource,
  unpack,
  verify,
} from '@layerkit/image/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { toImageReference } from '../../../../packages/image/src/node/ops/image-ref.js';
import { openOciArchiveSource } from '../../../../packages/image/src/node/store/oci-archive-store.js';
import { openLayoutSink } from '../../../../packages/image/src/node/store/oci-layout-store.js';
import { copyAll } from '../../../../packages/image/src/store/copy-image.js';
import {
  BASE_TREE,
  blobPath,
  bytesOf,
  EPOCH,
  readBlob,
  readIndex,
  readJsonBlob,
  readTagged,
  sha256Of,
  tempFiles,
  writeTree,
} from '../../../fixtures/image-ops.js';
import { useScratchDir } from '../../../fixtures/scratch.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

/** The single-platform images every test starts from (in the layout `src`). */
const PLATFORMS = {
  amd64: { os: 'linux', architecture: 'amd64' },
  arm64: { os: 'linux', architecture: 'arm64' },
  armv7: { os: 'linux', architecture: 'arm', variant: 'v7' },
  /** A second, different amd64 image: two images for one platform. */
  'amd64-other': { os: 'linux', architecture: 'amd64' },
} as const satisfies Record<string, PlatformWant>;
type SourceTag = keyof typeof PLATFORMS;

/** What each source image is: its platform, its manifest, and what `etc/platform` holds in it. */
interface SourceImage {
  tag: SourceTag;
  platform: Platform;
  manifestDigest: string;
  manifestSize: number;
  manifest: ImageManifest;
  configDigest: string;
  /** The content of `/etc/platform` in the image (distinct per image). */
  marker: string;
}

const work = useScratchDir('ops-multi-platform');
let srcLayout: string;
const images = {} as Record<SourceTag, SourceImage>;
let dirs = 0;

/** A fresh path below the file's scratch dir (not created). */
const fresh = (label: string) => join(work.path, `${dirs++}-${label}`);
const src = (tag: SourceTag) => `oci:${srcLayout}:${tag}`;

/** A rootfs whose `etc/platform` names the image, plus a layer-sized file of its own bytes. */
function rootfsFor(dir: string, tag: SourceTag, seed: number): string {
  const rootfs = join(dir, `rootfs-${tag}`);
  writeTree(rootfs, {
    ...BASE_TREE,
    'etc/platform': { type: 'file', content: `${tag}\n` },
    'usr/lib/payload.bin': { type: 'file', content: bytesOf(seed, 20_000) },
  });
  return rootfs;
}

/** Imports the image `tag` (its own platform and contents) into `oci:<layout>:<tag>`. */
async function importImage(dir: string, layout: string, tag: SourceTag, seed: number) {
  return importRootfs({
    rootfs: rootfsFor(dir, tag, seed),
    dest: `oci:${layout}:${tag}`,
    platform: PLATFORMS[tag],
    sourceDateEpoch: EPOCH,
    createdBy: `ADD rootfs-${tag} /`,
  });
}

const SEEDS: Record<SourceTag, number> = { amd64: 11, arm64: 12, armv7: 13, 'amd64-other': 14 };

beforeAll(async () => {
  srcLayout = join(work.path, 'src');
  for (const tag of Object.keys(PLATFORMS) as SourceTag[]) {
    await importImage(work.path, srcLayout, tag, SEEDS[tag]);
    const { manifestDigest, manifest } = readTagged(srcLayout, tag);
    images[tag] = {
      tag,
      platform: PLATFORMS[tag],
      manifestDigest,
      manifestSize: readBlob(srcLayout, manifestDigest).length,
      manifest,
      configDigest: manifest.config.digest,
      marker: `${tag}\n`,
    };
  }
});

/** The index blob a layout's tag points at, parsed, with its bytes. */
function taggedIndex(
  layout: string,
  tag: string,
): { descriptor: Descriptor; bytes: Buffer; index: ImageIndex } {
  const descriptor = readIndex(layout).manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  if (descriptor === undefined) throw new Error(`no tag ${tag} in ${layout}`);
  const bytes = readBlob(layout, descriptor.digest);
  return { descriptor, bytes, index: JSON.parse(bytes.toString('utf8')) as ImageIndex };
}

/** The index entry a source image should get: its manifest under its config's platform. */
function entryOf(image: SourceImage): Descriptor {
  return {
    mediaType: MediaTypes.ociManifest,
    digest: image.manifestDigest as Descriptor['digest'],
    size: image.manifestSize,
    platform: { ...image.platform },
  };
}

/** Rejects with a LayerkitError of `code`. */
async function expectCode(promise: Promise<unknown>, code: string): Promise<LayerkitError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(LayerkitError);
  expect((error as LayerkitError).code).toBe(code);
  return error as LayerkitError;
}

/** Every file below `dir` (relative paths, sorted): what a refused step must not add. */
function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** The digests of every blob an index reaches in a layout: index, manifests, configs, layers. */
function closure(layout: string, indexDigest: string): string[] {
  const index = readJsonBlob<ImageIndex>(layout, indexDigest);
  const digests = [indexDigest];
  for (const entry of index.manifests) {
    const manifest = readJsonBlob<ImageManifest>(layout, entry.digest);
    digests.push(entry.digest, manifest.config.digest, ...manifest.layers.map((layer) => layer.digest));
  }
  return digests;
}

/** The image the host's platform picks from `tags` (the first whose platform matches it). */
function hostImage(tags: readonly SourceTag[]): SourceImage | undefined {
  const host = hostPlatform();
  return tags
    .map((tag) => images[tag])
    .find(
      (image) =>
        image.platform.os === host.os &&
        image.platform.architecture === host.architecture &&
        (host.variant === undefined || image.platform.variant === host.variant),
    );
}

describe('createIndex lists each image once, under its config platform, in order', () => {
  const TAGS = ['amd64', 'arm64', 'armv7'] as const;
  /** Where the index goes: the layout holding the images, another layout, an oci-archive. */
  const destinations = [
    ['the images’ own oci: layout', 'same-layout'],
    ['another oci: layout', 'layout'],
    ['an oci-archive', 'oci-archive'],
  ] as const;

  it.each(destinations)('into %s: index, readers and platforms', async (_what, kind) => {
    const layout = kind === 'same-layout' ? srcLayout : fresh('layout');
    const tag = `multi-${dirs++}`;
    const ref =
      kind === 'oci-archive' ? `oci-archive:${fresh('multi.tar')}:example.com/app:1` : `oci:${layout}:${tag}`;
    const tagsBefore = readIndex(srcLayout).manifests;
    const annotations = { 'org.opencontainers.image.title': 'app', 'example.com/build': '7' };
    const descriptor = await createIndex({ dest: ref, images: TAGS.map(src), annotations });
    expect(descriptor.mediaType).toBe(MediaTypes.ociIndex);

    const source = await openImageSource(toImageReference(ref));
    try {
      // The tag names the index itself, stored byte for byte under its digest.
      const root = await source.root();
      expect(root).toMatchObject({
        mediaType: MediaTypes.ociIndex,
        digest: descriptor.digest,
        size: descriptor.size,
      });
      const bytes = await source.blobs.get(root);
      expect(sha256Of(bytes)).toBe(descriptor.digest);
      expect(bytes.length).toBe(descriptor.size);
      const index = JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageIndex;
      expect(index).toEqual({
        schemaVersion: 2,
        mediaType: MediaTypes.ociIndex,
        manifests: TAGS.map((name) => entryOf(images[name])),
        annotations,
      });

      // resolve picks each platform (with and without the variant), and the host's by default.
      for (const name of TAGS) {
        const { os, architecture } = images[name].platform;
        for (const want of [images[name].platform, { os, architecture }]) {
          const resolved = await source.resolve(undefined, want);
          expect(resolved.manifestDescriptor.digest).toBe(images[name].manifestDigest);
          expect(resolved.config.digest).toBe(images[name].configDigest);
        }
      }
      const host = hostImage(TAGS);
      if (host === undefined) {
        await expectCode(source.resolve(), 'PLATFORM_NOT_FOUND');
      } else {
        expect((await source.resolve()).manifestDescriptor.digest).toBe(host.manifestDigest);
      }
      await expectCode(
        source.resolve(undefined, { os: 'linux', architecture: 's390x' }),
        'PLATFORM_NOT_FOUND',
      );
    } finally {
      await source.close();
    }

    // A layout gains one entry, the tagged index (its images stay untagged); other tags stay.
    const indexEntry = {
      mediaType: MediaTypes.ociIndex,
      digest: descriptor.digest,
      size: descriptor.size,
      annotations: { [REF_NAME]: tag },
    };
    if (kind === 'layout') expect(readIndex(layout).manifests).toEqual([indexEntry]);
    if (kind === 'same-layout') expect(readIndex(layout).manifests).toEqual([...tagsBefore, indexEntry]);
    if (kind === 'oci-archive') expect(readIndex(srcLayout).manifests).toEqual(tagsBefore);
  });

  it('verify, imageHistory and unpack pick each platform; the default is the host’s', async () => {
    const ref = `oci-archive:${fresh('readers.tar')}:app`;
    await createIndex({ dest: ref, images: TAGS.map(src) });
    for (const tag of TAGS) {
      const platform = images[tag].platform;
      const report = await verify(ref, { platform });
      expect(report).toMatchObject({ ok: true, problems: [], manifest: images[tag].manifestDigest });
      const history = await imageHistory(ref, { platform });
      expect(history.rows.map((row) => row.createdBy)).toEqual([`ADD rootfs-${tag} /`]);
      expect(history.rows[0]!.id).toBe(images[tag].configDigest);
      const rootfs = fresh(`unpacked-${tag}`);
      await unpack(ref, rootfs, { platform });
      expect(readFileSync(join(rootfs, 'etc/platform'), 'utf8')).toBe(images[tag].marker);
    }
    const host = hostImage(TAGS);
    expect(host, 'this suite expects a host platform among amd64, arm64, arm/v7').toBeDefined();
    expect((await verify(ref)).manifest).toBe(host!.manifestDigest);
    expect((await imageHistory(ref)).rows[0]!.id).toBe(host!.configDigest);
    const rootfs = fresh('unpacked-default');
    await unpack(ref, rootfs);
    expect(readFileSync(join(rootfs, 'etc/platform'), 'utf8')).toBe(host!.marker);
  });

  it('an index given as an input contributes its images (flattened), in order', async () => {
    const layout = fresh('flatten');
    const first = await createIndex({ dest: `oci:${layout}:pair`, images: [src('amd64'), src('arm64')] });
    // The same images again, through the index: the same document, so the same digest.
    const again = await createIndex({ dest: `oci:${layout}:again`, images: [`oci:${layout}:pair`] });
    expect(again.digest).toBe(first.digest);
    const wider = await createIndex({
      dest: `oci:${layout}:all`,
      images: [`oci:${layout}:pair`, src('armv7')],
    });
    expect(taggedIndex(layout, 'all').index.manifests).toEqual(TAGS.map((tag) => entryOf(images[tag])));
    expect(wider.digest).not.toBe(first.digest);
    // An image named twice (once in the index, once alone) is listed once.
    await createIndex({ dest: `oci:${layout}:dup`, images: [`oci:${layout}:pair`, src('arm64')] });
    expect(taggedIndex(layout, 'dup').descriptor.digest).toBe(first.digest);
  });

  it('inputs from a docker-archive and an oci-archive are listed with their platforms', async () => {
    const dockerArchive = `docker-archive:${fresh('amd64.tar')}:example.com/app:amd64`;
    const ociArchive = `oci-archive:${fresh('arm64.tar')}:arm64`;
    await convert(src('amd64'), dockerArchive);
    await convert(src('arm64'), ociArchive);
    const layout = fresh('from-archives');
    await createIndex({ dest: `oci:${layout}:app`, images: [dockerArchive, ociArchive] });
    const entries = taggedIndex(layout, 'app').index.manifests;
    expect(entries.map((entry) => entry.platform)).toEqual([images.amd64.platform, images.arm64.platform]);
    expect(entries[1]!.digest).toBe(images.arm64.manifestDigest);
    for (const tag of ['amd64', 'arm64'] as const) {
      const report = await verify(`oci:${layout}:app`, { platform: images[tag].platform });
      expect(report).toMatchObject({ ok: true, config: images[tag].configDigest });
    }
  });

  it('a tag becomes multi-platform in place: the index replaces the image it lists', async () => {
    const layout = fresh('in-place');
    await importImage(work.path, layout, 'amd64', SEEDS.amd64);
    const index = await createIndex({
      dest: `oci:${layout}:amd64`,
      images: [`oci:${layout}:amd64`, src('arm64')],
    });
    expect(readIndex(layout).manifests).toEqual([
      {
        mediaType: MediaTypes.ociIndex,
        digest: index.digest,
        size: index.size,
        annotations: { [REF_NAME]: 'amd64' },
      },
    ]);
    expect(taggedIndex(layout, 'amd64').index.manifests).toEqual([
      entryOf(images.amd64),
      entryOf(images.arm64),
    ]);
    expect(await gcLayout(layout)).toEqual({ removed: [], removedTemporaries: [], removedBytes: 0 });
  });

  it('an index nested in an input index is flattened too: only images, each with its platform', async () => {
    const layout = fresh('nested');
    const inner = await createIndex({ dest: `oci:${layout}:inner`, images: [src('amd64'), src('arm64')] });
    const flat = await createIndex({
      dest: `oci:${layout}:flat`,
      images: [`oci:${layout}:inner`, src('armv7')],
    });
    // The same images as another tool may nest them: an outer index listing the inner index
    // (no platform: it has several) and the arm/v7 image.
    const nested = putJsonBlob(layout, {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [
        { mediaType: MediaTypes.ociIndex, digest: inner.digest, size: inner.size },
        entryOf(images.armv7),
      ],
    });
    tagInIndexJson(layout, { mediaType: MediaTypes.ociIndex, ...nested }, 'nested');
    const result = await createIndex({ dest: `oci:${layout}:from-nested`, images: [`oci:${layout}:nested`] });
    expect(taggedIndex(layout, 'from-nested').index.manifests).toEqual(
      TAGS.map((tag) => entryOf(images[tag])),
    );
    expect(result.digest).toBe(flat.digest);
  });

  it('an input index with attestation manifests (as buildx writes them) is not refused', async () => {
    const layout = fresh('attestations');
    await createIndex({ dest: `oci:${layout}:pair`, images: [src('amd64'), src('arm64')] });
    // buildx: one attestation manifest per image, platform unknown/unknown, linked by annotation
    const attestation = (image: SourceImage): Descriptor => {
      const statement = putJsonBlob(layout, {
        _type: 'https://in-toto.io/Statement/v0.1',
        subject: [image.tag],
      });
      const config = putJsonBlob(layout, {
        architecture: 'unknown',
        os: 'unknown',
        config: {},
        rootfs: { type: 'layers', diff_ids: [statement.digest] },
      });
      const manifest = putJsonBlob(layout, {
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.in-toto+json', ...statement }],
      });
      return {
        mediaType: MediaTypes.ociManifest,
        ...manifest,
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: {
          'vnd.docker.reference.digest': image.manifestDigest,
          'vnd.docker.reference.type': 'attestation-manifest',
        },
      };
    };
    const attestations = [attestation(images.amd64), attestation(images.arm64)];
    const buildx = putJsonBlob(layout, {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [entryOf(images.amd64), entryOf(images.arm64), ...attestations],
    });
    tagInIndexJson(layout, { mediaType: MediaTypes.ociIndex, ...buildx }, 'buildx');
    await createIndex({ dest: `oci:${layout}:app`, images: [`oci:${layout}:buildx`, src('armv7')] });
    const entries = taggedIndex(layout, 'app').index.manifests;
    const listed = entries.filter((entry) => entry.platform?.architecture !== 'unknown');
    expect(listed).toEqual([entryOf(images.amd64), entryOf(images.arm64), entryOf(images.armv7)]);
    // An attestation kept must stay recognisable and linked to its image.
    for (const entry of entries.filter((candidate) => candidate.platform?.architecture === 'unknown')) {
      expect(attestations.map((a) => a.digest)).toContain(entry.digest);
      expect(entry).toEqual(attestations.find((a) => a.digest === entry.digest));
    }
  });

  it('two images of one platform are refused even when one comes through a nested index', async () => {
    const layout = fresh('nested-duplicate');
    const inner = await createIndex({ dest: `oci:${layout}:inner`, images: [src('amd64'), src('arm64')] });
    const nested = putJsonBlob(layout, {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [{ mediaType: MediaTypes.ociIndex, digest: inner.digest, size: inner.size }],
    });
    tagInIndexJson(layout, { mediaType: MediaTypes.ociIndex, ...nested }, 'nested');
    const before = readFileSync(join(layout, 'index.json'));
    await expectCode(
      createIndex({ dest: `oci:${layout}:app`, images: [`oci:${layout}:nested`, src('amd64-other')] }),
      'DUPLICATE_PLATFORM',
    );
    expect(readFileSync(join(layout, 'index.json')).equals(before)).toBe(true);
  });
});

/** The member names of an uncompressed tar, in order (ustar headers; no long-name records expected). */
function tarMemberNames(tar: Buffer): string[] {
  const names: string[] = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('latin1')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    names.push(prefix === '' ? field(0, 100) : `${prefix}/${field(0, 100)}`);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

/** Stores `value` as a JSON blob of `layout`; returns its digest and size. */
function putJsonBlob(layout: string, value: unknown): { digest: Descriptor['digest']; size: number } {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = sha256Of(bytes);
  writeFileSync(blobPath(layout, digest), bytes);
  return { digest, size: bytes.length };
}

/** Adds `descriptor` under `tag` to a layout's index.json, as another tool would. */
function tagInIndexJson(layout: string, descriptor: Descriptor, tag: string): void {
  const index = readIndex(layout);
  index.manifests.push({ ...descriptor, annotations: { [REF_NAME]: tag } });
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
}

describe('createIndex refuses what it cannot do, and leaves the destination as it was', () => {
  it('two different images of one platform: DUPLICATE_PLATFORM, index.json byte-identical', async () => {
    const layout = fresh('duplicate');
    await importImage(work.path, layout, 'armv7', SEEDS.armv7);
    const before = readFileSync(join(layout, 'index.json'));
    const error = await expectCode(
      createIndex({ dest: `oci:${layout}:app`, images: [src('amd64'), src('arm64'), src('amd64-other')] }),
      'DUPLICATE_PLATFORM',
    );
    expect(error.message).toContain(images.amd64.manifestDigest);
    expect(error.message).toContain(images['amd64-other'].manifestDigest);
    expect(readFileSync(join(layout, 'index.json')).equals(before)).toBe(true);
    expect(tempFiles(layout)).toEqual([]);
    // Into a layout that did not exist: none is left behind.
    const none = fresh('duplicate-new');
    await expectCode(
      createIndex({ dest: `oci:${none}:app`, images: [src('amd64'), src('amd64-other')] }),
      'DUPLICATE_PLATFORM',
    );
    expect(existsSync(none)).toBe(false);
    // The same image twice is no duplicate: listed once.
    await createIndex({ dest: `oci:${layout}:twice`, images: [src('amd64'), src('amd64')] });
    expect(taggedIndex(layout, 'twice').index.manifests).toEqual([entryOf(images.amd64)]);
  });

  it('two images of one platform in an oci-archive: refused, no file', async () => {
    const archive = fresh('duplicate.tar');
    await expectCode(
      createIndex({ dest: `oci-archive:${archive}:app`, images: [src('amd64'), src('amd64-other')] }),
      'DUPLICATE_PLATFORM',
    );
    expect(existsSync(archive)).toBe(false);
    expect(filesBelow(work.path).filter((name) => name.includes('duplicate.tar'))).toEqual([]);
    // An archive that was there stays byte for byte.
    await convert(src('armv7'), `oci-archive:${archive}:old`);
    const before = readFileSync(archive);
    await expectCode(
      createIndex({ dest: `oci-archive:${archive}:app`, images: [src('amd64'), src('amd64-other')] }),
      'DUPLICATE_PLATFORM',
    );
    expect(readFileSync(archive).equals(before)).toBe(true);
    expect(filesBelow(work.path).filter((name) => name.includes('duplicate.tar.'))).toEqual([]);
  });

  it('no images: INVALID_OPTION, nothing created', async () => {
    const layout = fresh('empty');
    await expectCode(createIndex({ dest: `oci:${layout}:app`, images: [] }), 'INVALID_OPTION');
    expect(existsSync(layout)).toBe(false);
  });

  it('a docker-archive destination: UNSUPPORTED_INDEX, no file created', async () => {
    const dir = fresh('docker-archive');
    mkdirSync(dir);
    const archive = join(dir, 'multi.tar');
    await expectCode(
      createIndex({
        dest: `docker-archive:${archive}:example.com/app:1`,
        images: [src('amd64'), src('arm64')],
      }),
      'UNSUPPORTED_INDEX',
    );
    expect(filesBelow(dir)).toEqual([]);
  });
});

describe('convert with all copies an index whole, byte for byte', () => {
  it('layout → oci-archive → layout keeps the index digest and every manifest, config and layer', async () => {
    const layout = fresh('convert-src');
    const index = await createIndex({
      dest: `oci:${layout}:app`,
      images: ['amd64', 'arm64', 'armv7'].map((tag) => src(tag as SourceTag)),
    });
    const blobs = closure(layout, index.digest);

    const archive = fresh('convert.tar');
    const toArchive = await convert(`oci:${layout}:app`, `oci-archive:${archive}:example.com/app:1`, {
      all: true,
    });
    expect(toArchive).toMatchObject({
      mediaType: MediaTypes.ociIndex,
      digest: index.digest,
      size: index.size,
    });
    const archived = await openOciArchiveSource(archive);
    try {
      const root = await archived.root('example.com/app:1');
      expect(root).toMatchObject({ mediaType: MediaTypes.ociIndex, digest: index.digest, size: index.size });
      for (const digest of blobs) {
        const bytes = readFileSync(blobPath(layout, digest));
        const copied = await archived.blobs.get({
          digest: digest as Descriptor['digest'],
          size: bytes.length,
        });
        expect(Buffer.from(copied).equals(bytes), digest).toBe(true);
      }
    } finally {
      await archived.close();
    }

    const back = fresh('convert-back');
    const toLayout = await convert(`oci-archive:${archive}:example.com/app:1`, `oci:${back}:copy`, {
      all: true,
    });
    expect(toLayout.digest).toBe(index.digest);
    expect(readIndex(back).manifests).toEqual([
      {
        mediaType: MediaTypes.ociIndex,
        digest: index.digest,
        size: index.size,
        annotations: { [REF_NAME]: 'copy' },
      },
    ]);
    for (const digest of blobs) {
      expect(
        readFileSync(blobPath(back, digest)).equals(readFileSync(blobPath(layout, digest))),
        digest,
      ).toBe(true);
    }
    // Exactly the index's blobs: nothing more was written.
    expect(readdirSync(join(back, 'blobs', 'sha256')).sort()).toEqual(
      [...new Set(blobs)].map((digest) => digest.slice('sha256:'.length)).sort(),
    );
    for (const tag of ['amd64', 'arm64', 'armv7'] as const) {
      expect(await verify(`oci:${back}:copy`, { platform: images[tag].platform })).toMatchObject({
        ok: true,
        manifest: images[tag].manifestDigest,
      });
    }
  });

  it('an index listing one image twice (two platforms) copies into an oci-archive readable as before', async () => {
    const layout = fresh('twice-src');
    await convert(src('amd64'), `oci:${layout}:amd64`);
    const twice = putJsonBlob(layout, {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [
        entryOf(images.amd64),
        { ...entryOf(images.amd64), platform: { os: 'linux', architecture: 'amd64', variant: 'v2' } },
      ],
    });
    tagInIndexJson(layout, { mediaType: MediaTypes.ociIndex, ...twice }, 'twice');
    const archive = fresh('twice.tar');
    const copied = await convert(`oci:${layout}:twice`, `oci-archive:${archive}:twice`, { all: true });
    expect(copied.digest).toBe(twice.digest);
    // Every member once: a reader refusing duplicate members must read it.
    const names = tarMemberNames(readFileSync(archive));
    expect(names).toContain('index.json');
    expect(names).toContain(`blobs/sha256/${images.amd64.manifestDigest.slice('sha256:'.length)}`);
    expect(names.length).toBe(new Set(names).size);
    const back = fresh('twice-back');
    await convert(`oci-archive:${archive}:twice`, `oci:${back}:twice`, { all: true });
    expect(await verify(`oci:${back}:twice`, { platform: images.amd64.platform })).toMatchObject({
      ok: true,
    });
  });

  it('without all, one platform is copied (the host’s, or the one asked for)', async () => {
    const layout = fresh('convert-one');
    await createIndex({ dest: `oci:${layout}:app`, images: [src('amd64'), src('arm64')] });
    const one = await convert(`oci:${layout}:app`, `oci:${fresh('one')}:arm`, {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(one.digest).toBe(images.arm64.manifestDigest);
  });

  it('all of a single image copies that image', async () => {
    const copied = await convert(src('arm64'), `oci:${fresh('single')}:x`, { all: true });
    expect(copied.digest).toBe(images.arm64.manifestDigest);
  });

  it('all with platform: INVALID_OPTION, nothing created', async () => {
    const layout = fresh('convert-both');
    await createIndex({ dest: `oci:${layout}:app`, images: [src('amd64'), src('arm64')] });
    const dest = fresh('both');
    await expectCode(
      convert(`oci:${layout}:app`, `oci:${dest}:x`, {
        all: true,
        platform: { os: 'linux', architecture: 'arm64' },
      }),
      'INVALID_OPTION',
    );
    expect(existsSync(dest)).toBe(false);
  });

  it('all into a docker-archive: UNSUPPORTED_INDEX, no file created', async () => {
    const layout = fresh('convert-docker');
    await createIndex({ dest: `oci:${layout}:app`, images: [src('amd64'), src('arm64')] });
    const dir = fresh('docker-out');
    mkdirSync(dir);
    await expectCode(
      convert(`oci:${layout}:app`, `docker-archive:${join(dir, 'x.tar')}:example.com/x:1`, { all: true }),
      'UNSUPPORTED_INDEX',
    );
    expect(filesBelow(dir)).toEqual([]);
  });
});

describe('gc of a layout with indexes', () => {
  it('keeps every image an index reaches, and reclaims those of an index whose tag moved', async () => {
    const layout = fresh('gc');
    const first = await createIndex({ dest: `oci:${layout}:app`, images: [src('amd64'), src('arm64')] });
    const kept = closure(layout, first.digest);
    expect(await gcLayout(layout)).toEqual({ removed: [], removedTemporaries: [], removedBytes: 0 });
    for (const digest of kept) expect(existsSync(blobPath(layout, digest)), digest).toBe(true);
    for (const tag of ['amd64', 'arm64'] as const) {
      expect(await verify(`oci:${layout}:app`, { platform: images[tag].platform })).toMatchObject({
        ok: true,
      });
    }
    // The tag moves to an index of other images: the first index and its images are garbage.
    const second = await createIndex({
      dest: `oci:${layout}:app`,
      images: [src('amd64-other'), src('armv7')],
    });
    const live = new Set(closure(layout, second.digest));
    const garbage = [...new Set(kept)].filter((digest) => !live.has(digest));
    expect(garbage).toContain(first.digest);
    const { removed } = await gcLayout(layout);
    expect([...removed].sort()).toEqual(garbage.sort());
    for (const digest of live) expect(existsSync(blobPath(layout, digest)), digest).toBe(true);
    expect(await verify(`oci:${layout}:app`, { platform: images.armv7.platform })).toMatchObject({
      ok: true,
    });
  });
});

describe('a failure between the images and the index publishes nothing', () => {
  it('a sink whose publishIndex fails: index.json unchanged; gc reclaims the stored images', async () => {
    const from = fresh('crash-src');
    await createIndex({ dest: `oci:${from}:app`, images: [src('amd64'), src('arm64')] });
    const layout = fresh('crash');
    await importImage(work.path, layout, 'armv7', SEEDS.armv7);
    const before = readFileSync(join(layout, 'index.json'));
    const blobsBefore = readdirSync(join(layout, 'blobs', 'sha256')).sort();
    const sink = await openLayoutSink(layout, 'app');
    const crashing: ImageSink = {
      ...sink,
      publishIndex: async () => {
        throw new Error('simulated crash before the index');
      },
    };
    const source = await openImageSource(toImageReference(`oci:${from}:app`));
    try {
      await expect(copyAll(source, crashing)).rejects.toThrow('simulated crash before the index');
    } finally {
      await source.close();
      await sink.abort();
    }
    expect(readFileSync(join(layout, 'index.json')).equals(before)).toBe(true);
    // The images were stored (the crash came after them) but nothing reaches them.
    expect(existsSync(blobPath(layout, images.arm64.manifestDigest))).toBe(true);
    const { removed } = await gcLayout(layout);
    expect(removed.length).toBeGreaterThan(0);
    expect(readdirSync(join(layout, 'blobs', 'sha256')).sort()).toEqual(blobsBefore);
  });

  it('onProgress failing at the last image: index.json unchanged', async () => {
    const layout = fresh('progress');
    await importImage(work.path, layout, 'amd64-other', SEEDS['amd64-other']);
    const before = readFileSync(join(layout, 'index.json'));
    const sizeOf = (tag: SourceTag) =>
      images[tag].manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
    const firstTwo = sizeOf('amd64') + sizeOf('arm64');
    let reached = 0;
    await expect(
      createIndex({
        dest: `oci:${layout}:app`,
        images: [src('amd64'), src('arm64'), src('armv7')],
        onProgress: ({ bytes }) => {
          reached = bytes;
          if (bytes > firstTwo) throw new Error('stopped at the last image');
        },
      }),
    ).rejects.toThrow('stopped at the last image');
    expect(reached).toBeGreaterThan(firstTwo);
    expect(readFileSync(join(layout, 'index.json')).equals(before)).toBe(true);
  });
});

describe('gc beside a multi-platform copy', () => {
  it('a gc between the images and the index deletes none of them: the index is published whole', async () => {
    const from = fresh('gc-race-src');
    await createIndex({ dest: `oci:${from}:app`, images: [src('amd64'), src('arm64')] });
    const layout = fresh('gc-race');
    await importImage(work.path, layout, 'armv7', SEEDS.armv7);
    const sink = await openLayoutSink(layout, 'app');
    // gc runs after the images are stored (untagged: no tag reaches them yet), before the index;
    // the sink's lease keeps them.
    const raced: ImageSink = {
      ...sink,
      publishIndex: async (index, options) => {
        expect((await gcLayout(layout)).removed).not.toContain(images.arm64.manifestDigest);
        return sink.publishIndex(index, options);
      },
    };
    const source = await openImageSource(toImageReference(`oci:${from}:app`));
    try {
      await copyAll(source, raced);
    } finally {
      await source.close();
      await sink.close();
    }
    expect(existsSync(blobPath(layout, images.arm64.manifestDigest))).toBe(true);
    expect((await gcLayout(layout)).removed).toEqual([]);
    expect((await verify(`oci:${layout}:app`, { platform: images.arm64.platform })).ok).toBe(true);
  });
});

describe('deterministic', () => {
  it('the same inputs (SOURCE_DATE_EPOCH) give the same index digest, twice', async () => {
    const digests: string[] = [];
    for (const run of [1, 2]) {
      const dir = fresh(`determinism-${run}`);
      const layout = join(dir, 'layout');
      await importImage(dir, layout, 'amd64', SEEDS.amd64);
      await importImage(dir, layout, 'arm64', SEEDS.arm64);
      const archive = join(dir, 'multi.tar');
      const index = await createIndex({
        dest: `oci-archive:${archive}:app`,
        images: [`oci:${layout}:amd64`, `oci:${layout}:arm64`],
        annotations: { 'org.opencontainers.image.created': '2024-06-01T00:00:00Z' },
      });
      const again = await createIndex({
        dest: `oci:${layout}:app`,
        images: [`oci:${layout}:amd64`, `oci:${layout}:arm64`],
        annotations: { 'org.opencontainers.image.created': '2024-06-01T00:00:00Z' },
      });
      expect(again.digest).toBe(index.digest);
      digests.push(index.digest);
    }
    expect(digests[1]).toBe(digests[0]);
  });
});
