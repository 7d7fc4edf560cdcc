/**
 * `layerkit copy` into and between registries, judged by the registries' access logs and the
 * bytes they serve: a second push of the same image sends no blob bytes; a push into another
 * repository of the same registry from a docker:// source mounts every layer (POST
 * ?mount=&from= answered 201) and sends only the config; a copy inside one repository sends
 * nothing; a copy between two registries streams every blob (no temp file); and the manifest,
 * config and layer digests survive every copy byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayoutImage } from './clients/layout.js';
import { type Registry, type RegistryRequest, startRegistry } from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import {
  blobDownloads,
  blobUploads,
  buildCliBundle,
  buildDemoBase,
  type CliOptions,
  cliOk,
  requestsDuring,
  uploadedDigests,
} from './fixtures/registry-cli.js';

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const scratch = useInteropScratchDir('layerkit-registry-copy');
let first: Registry;
let second: Registry;
let image: LayoutImage;
let at: CliOptions;

beforeAll(async () => {
  at = { cwd: scratch.path };
  const started = await Promise.all([startRegistry(), startRegistry(), buildCliBundle()]);
  [first, second] = started;
  image = await buildDemoBase(join(scratch.path, 'base-work'), join(scratch.path, 'images'));
});

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

const layerDigests = () => image.manifest.layers.map((layer) => layer.digest);
const manifestPut = (repository: string, tag: string): RegistryRequest => ({
  method: 'PUT',
  path: `/v2/${repository}/manifests/${tag}`,
  query: {},
  status: 201,
});
const uploadSessions = (requests: readonly RegistryRequest[]) =>
  requests.filter((request) => request.method === 'POST' && request.path.endsWith('/blobs/uploads/'));

/** What `registry` serves for REPOSITORY:TAG is the layout's image, byte for byte, every blob too. */
async function expectServedUnchanged(registry: Registry, repository: string, tag: string): Promise<void> {
  const served = await registry.manifest(repository, tag);
  expect(served.bytes.equals(image.manifestBytes)).toBe(true);
  expect([served.digest, served.headerDigest]).toEqual([image.descriptor.digest, image.descriptor.digest]);
  expect((await registry.blob(repository, image.manifest.config.digest)).equals(image.configBytes)).toBe(
    true,
  );
  for (const layer of image.manifest.layers) {
    const bytes = await registry.blob(repository, layer.digest);
    expect([sha256(bytes), bytes.length]).toEqual([layer.digest, layer.size]);
  }
}

describe('one registry', () => {
  it('a first push sends every layer and the config, then the manifest; the digests survive', async () => {
    const { requests, result } = await requestsDuring(first, () =>
      cliOk(['copy', 'oci:images:nginx', first.reference('lk/app:v1')], at),
    );
    expect(result.trim()).toBe(image.descriptor.digest);
    expect(uploadedDigests(requests).sort()).toEqual(
      [...layerDigests(), image.manifest.config.digest].sort(),
    );
    expect(requests.at(-1)).toEqual(manifestPut('lk/app', 'v1'));
    await expectServedUnchanged(first, 'lk/app', 'v1');
  });

  it('pushing the same image again sends no blob bytes (HEAD finds every blob)', async () => {
    const { requests, result } = await requestsDuring(first, () =>
      cliOk(['copy', 'oci:images:nginx', first.reference('lk/app:v1')], at),
    );
    expect(result.trim()).toBe(image.descriptor.digest);
    expect(blobUploads(requests)).toEqual([]);
    expect(uploadSessions(requests)).toEqual([]);
    for (const digest of [...layerDigests(), image.manifest.config.digest]) {
      expect(requests).toContainEqual({
        method: 'HEAD',
        path: `/v2/lk/app/blobs/${digest}`,
        query: {},
        status: 200,
      });
    }
    expect(requests).toContainEqual(manifestPut('lk/app', 'v1'));
    await expectServedUnchanged(first, 'lk/app', 'v1');
  });

  it('copy docker://…/lk/app docker://…/lk/other mounts every layer and sends no layer bytes', async () => {
    const { requests, result } = await requestsDuring(first, () =>
      cliOk(['copy', first.reference('lk/app:v1'), first.reference('lk/other:v1')], at),
    );
    expect(result.trim()).toBe(image.descriptor.digest);
    for (const digest of layerDigests()) {
      expect(requests).toContainEqual({
        method: 'POST',
        path: '/v2/lk/other/blobs/uploads/',
        query: { mount: digest, from: 'lk/app' },
        status: 201,
      });
    }
    // no chunk at all, and the only session closed with bytes is the config's (sinks never mount it)
    expect(blobUploads(requests).filter((request) => request.method === 'PATCH')).toEqual([]);
    expect(uploadedDigests(requests)).toEqual([image.manifest.config.digest]);
    // mounting needs no layer bytes from the source either
    expect(blobDownloads(requests, 'lk/app').filter((digest) => layerDigests().includes(digest))).toEqual([]);
    expect(requests.at(-1)).toEqual(manifestPut('lk/other', 'v1'));
    await expectServedUnchanged(first, 'lk/other', 'v1');
  });

  it('copy docker://…/lk/app:v1 docker://…/lk/app:v2 (one repository) sends nothing but the manifest', async () => {
    const { requests, result } = await requestsDuring(first, () =>
      cliOk(['copy', first.reference('lk/app:v1'), first.reference('lk/app:v2')], at),
    );
    expect(result.trim()).toBe(image.descriptor.digest);
    expect(blobUploads(requests)).toEqual([]);
    expect(uploadSessions(requests)).toEqual([]);
    expect(blobDownloads(requests, 'lk/app').filter((digest) => layerDigests().includes(digest))).toEqual([]);
    expect(requests.filter((request) => request.method === 'PUT')).toEqual([manifestPut('lk/app', 'v2')]);
    await expectServedUnchanged(first, 'lk/app', 'v2');
  });

  it('a copy by digest (docker://…@sha256:…) into another repository keeps the digest too', async () => {
    const source = first.reference(`lk/app@${image.descriptor.digest}`);
    const printed = await cliOk(['copy', source, first.reference('lk/by-digest:v1')], at);
    expect(printed.trim()).toBe(image.descriptor.digest);
    await expectServedUnchanged(first, 'lk/by-digest', 'v1');
  });
  it('commit of docker://…/lk/app into another repository mounts the base layers and sends only its own', async () => {
    await cliOk(['unpack', first.reference('lk/app:v1'), 'ws'], at);
    writeFileSync(join(scratch.path, 'ws', 'usr/share/nginx/html/index.html'), '<h1>derived</h1>\n');
    const { requests, result } = await requestsDuring(first, () =>
      cliOk(['commit', first.reference('lk/app:v1'), 'ws', first.reference('lk/derived:v1')], at),
    );
    const imageId = result.trim();
    const derived = JSON.parse((await first.manifest('lk/derived', 'v1')).bytes.toString('utf8')) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    expect(derived.config.digest).toBe(imageId);
    const newLayer = derived.layers.at(-1)?.digest;
    for (const digest of layerDigests()) {
      expect(requests).toContainEqual({
        method: 'POST',
        path: '/v2/lk/derived/blobs/uploads/',
        query: { mount: digest, from: 'lk/app' },
        status: 201,
      });
    }
    expect(uploadedDigests(requests).sort()).toEqual([newLayer, imageId].sort());
    // the base layers were neither read (unpack snapshot) nor sent
    expect(blobDownloads(requests, 'lk/app').filter((digest) => layerDigests().includes(digest))).toEqual([]);
    expect(requests.at(-1)).toEqual(manifestPut('lk/derived', 'v1'));
    expect(await cliOk(['verify', first.reference('lk/derived:v1')], at)).toContain('ok  sha256:');
  });
});

describe('two registries', () => {
  it('copy docker://A/… docker://B/… streams every blob across, byte for byte, with no temp file', async () => {
    const tmp = join(scratch.path, 'cli-tmp');
    mkdirSync(tmp);
    const before = (await first.requests()).length;
    const { requests, result } = await requestsDuring(second, () =>
      cliOk(['copy', first.reference('lk/app:v1'), second.reference('mirror/app:v1')], {
        ...at,
        // Node's compile cache (Node 22.1+) lives in TMPDIR unless told otherwise: kept apart, so
        // `tmp` holds only what the copy itself would leave.
        env: { TMPDIR: tmp, NODE_COMPILE_CACHE: join(scratch.path, 'compile-cache') },
      }),
    );
    const read = (await first.requests()).slice(before);
    expect(result.trim()).toBe(image.descriptor.digest);
    // B received every layer and the config as uploads; nothing could be mounted across registries
    expect(uploadedDigests(requests).sort()).toEqual(
      [...layerDigests(), image.manifest.config.digest].sort(),
    );
    expect(requests.filter((request) => 'mount' in request.query)).toEqual([]);
    // A served every layer once
    expect(
      blobDownloads(read, 'lk/app')
        .filter((digest) => layerDigests().includes(digest))
        .sort(),
    ).toEqual([...layerDigests()].sort());
    expect(readdirSync(tmp)).toEqual([]);
    await expectServedUnchanged(second, 'mirror/app', 'v1');
    const a = await first.manifest('lk/app', 'v1');
    const b = await second.manifest('mirror/app', 'v1');
    expect(b.bytes.equals(a.bytes)).toBe(true);
  });

  it('and back: copy docker://B/… docker://A/… into a new repository of A', async () => {
    const printed = await cliOk(
      ['copy', second.reference('mirror/app:v1'), first.reference('lk/back:v1')],
      at,
    );
    expect(printed.trim()).toBe(image.descriptor.digest);
    await expectServedUnchanged(first, 'lk/back', 'v1');
    expect(first.errors()).toEqual([]);
    expect(second.errors()).toEqual([]);
  });
});
