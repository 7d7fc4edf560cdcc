/**
 * layerkit's library (`@layerkit/image/node`, run from source) with `docker://` references and
 * `{ registry, signal }` options, against an htpasswd registry: unpack → edit → diffImage →
 * commit from one registry tag to another with `registry: { creds }`, then imageHistory and
 * verify; importRootfs straight into a registry, its layer streamed up in PATCH chunks and a
 * closing PUT with no temp file anywhere; and convert aborted mid-upload by its signal, which
 * leaves the destination tag absent, or where it was.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  commit,
  convert,
  diffImage,
  imageHistory,
  importRootfs,
  type RegistryOptions,
  unpack,
  verify,
} from '@layerkit/image/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf } from '../fixtures/deterministic-bytes.js';
import { type LayoutImage, readLayoutImage } from './clients/layout.js';
import { type Registry, type RegistryRequest, startRegistry } from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import { HELLO_DOCKER } from './fixtures/busybox-rootfs.js';
import { SEED_AUTHOR, SEED_MESSAGE } from './fixtures/layerkit-images.js';
import { buildDemoBase, requestsDuring, uploadedDigests } from './fixtures/registry-cli.js';

const MiB = 1024 * 1024;
const EPOCH = 1_717_200_000;
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const scratch = useInteropScratchDir('layerkit-registry-library');
let registry: Registry;
let base: LayoutImage;
/** One options object for every call: one client, one login, shared connections. */
let options: { registry: RegistryOptions };

beforeAll(async () => {
  mkdirSync(join(scratch.path, 'tmpdirs'));
  [registry, base] = await Promise.all([
    startRegistry({ auth: 'htpasswd' }),
    buildDemoBase(join(scratch.path, 'base-work'), join(scratch.path, 'images')),
  ]);
  options = { registry: { creds: { username: 'alice', password: registry.users.alice ?? '' } } };
});

afterAll(async () => {
  await registry?.stop();
});

/** What the registry serves for REPOSITORY:TAG, parsed. */
async function servedManifest(repository: string, tag: string) {
  const served = await registry.manifest(repository, tag);
  const manifest = JSON.parse(served.bytes.toString('utf8')) as {
    config: { digest: string };
    layers: { digest: string; size: number }[];
  };
  return { served, manifest };
}

/** Runs `action` with os.tmpdir() pointing at an empty directory of its own; returns what it left there. */
async function withPrivateTmpdir<T>(action: () => Promise<T>): Promise<{ result: T; left: string[] }> {
  const dir = join(scratch.path, 'tmpdirs', `tmpdir-${readdirSync(join(scratch.path, 'tmpdirs')).length}`);
  mkdirSync(dir);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    expect(tmpdir()).toBe(dir);
    const result = await action();
    return { result, left: readdirSync(dir) };
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

/** A root filesystem with one incompressible file of `size` bytes, so its layer is about that large. */
function bigRootfs(name: string, seed: number, size: number): string {
  const rootfs = join(scratch.path, name);
  mkdirSync(join(rootfs, 'data'), { recursive: true });
  writeFileSync(join(rootfs, 'data', 'blob.bin'), bytesOf(seed, size));
  writeFileSync(join(rootfs, 'data', 'README'), `${name}\n`);
  return rootfs;
}

describe('commit from a registry tag to another, with registry: { creds }', () => {
  const ws = () => join(scratch.path, 'ws');

  it('pushes the base, unpacks it from docker:// and diffs the edit', async () => {
    const pushed = await convert(
      `oci:${join(scratch.path, 'images')}:nginx`,
      registry.reference('lib/nginx'),
      options,
    );
    expect(pushed.digest).toBe(base.descriptor.digest);
    await unpack(registry.reference('lib/nginx'), ws(), options);
    writeFileSync(join(ws(), 'usr/share/nginx/html/index.html'), HELLO_DOCKER);
    const changes = await diffImage(registry.reference('lib/nginx'), ws(), options);
    expect(changes.map((change) => `${change.kind} ${change.path}`)).toEqual([
      'C /usr',
      'C /usr/share',
      'C /usr/share/nginx',
      'C /usr/share/nginx/html',
      'C /usr/share/nginx/html/index.html',
    ]);
  });

  it('commit({ base: docker://…, rootfs, dest: docker://…:v2, registry: { creds } })', async () => {
    const { requests, result } = await requestsDuring(registry, () =>
      commit({
        base: registry.reference('lib/nginx'),
        rootfs: ws(),
        dest: registry.reference('lib/nginx:v2'),
        author: SEED_AUTHOR,
        comment: SEED_MESSAGE,
        registry: { creds: `alice:${registry.users.alice}` },
      }),
    );
    const { manifest } = await servedManifest('lib/nginx', 'v2');
    expect(manifest.config.digest).toBe(result.imageId);
    expect(manifest.layers.slice(0, -1)).toEqual(base.manifest.layers);
    expect(result.layer?.digest).toBe(manifest.layers.at(-1)?.digest);
    expect(uploadedDigests(requests).sort()).toEqual([result.layer?.digest, result.imageId].sort());
    expect(sha256(await registry.blob('lib/nginx', result.imageId))).toBe(result.imageId);
  });

  it('imageHistory and verify read docker://…:v2', async () => {
    const { served, manifest } = await servedManifest('lib/nginx', 'v2');
    const history = await imageHistory(registry.reference('lib/nginx:v2'), options);
    expect(history.rows[0]).toMatchObject({ id: manifest.config.digest, comment: SEED_MESSAGE, size: 24 });
    expect(history.rows).toHaveLength(5);
    const report = await verify(registry.reference('lib/nginx:v2'), options);
    expect(report).toMatchObject({
      ok: true,
      manifest: served.digest,
      config: manifest.config.digest,
      problems: [],
    });
    expect(report.layers.map((layer) => layer.digest)).toEqual(manifest.layers.map((layer) => layer.digest));
  });
});

describe('importRootfs straight into a registry', () => {
  it('streams the layer up as PATCH chunks closed by a PUT, leaving no temp file', async () => {
    const rootfs = bigRootfs('import-rootfs', 11, 3 * MiB + 12_345);
    const before = readdirSync(scratch.path).sort();
    const { requests, result } = await requestsDuring(registry, () =>
      withPrivateTmpdir(() =>
        importRootfs({
          rootfs,
          dest: registry.reference('lib/import:v1'),
          sourceDateEpoch: EPOCH,
          registry: { ...options.registry, chunkSize: MiB },
        }),
      ),
    );
    expect(result.left).toEqual([]);
    // nothing was written beside the rootfs either
    expect(readdirSync(scratch.path).sort()).toEqual(before);
    const layer = result.result.layer;
    if (layer === undefined) throw new Error('importRootfs added no layer');
    expect(layer.size).toBeGreaterThan(3 * MiB);
    const { manifest } = await servedManifest('lib/import', 'v1');
    expect(manifest.layers).toEqual([{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }]);
    expect(manifest.config.digest).toBe(result.result.imageId);

    // the layer's session: PATCH chunks (all in one session), then the PUT naming its digest
    const close = requests.find(
      (request) => request.method === 'PUT' && request.query.digest === layer.digest,
    ) as RegistryRequest;
    expect(close).toMatchObject({ status: 201 });
    const session = close.path;
    const patches = requests.filter((request) => request.method === 'PATCH');
    expect(patches.length).toBeGreaterThanOrEqual(3);
    for (const patch of patches) expect(patch).toMatchObject({ path: session, status: 202 });
    expect(requests.indexOf(close)).toBeGreaterThan(requests.indexOf(patches.at(-1) as RegistryRequest));
    expect(uploadedDigests(requests).sort()).toEqual([layer.digest, result.result.imageId].sort());
    // and what arrived is the layer, byte for byte
    const bytes = await registry.blob('lib/import', layer.digest);
    expect([sha256(bytes), bytes.length]).toEqual([layer.digest, layer.size]);
    expect((await verify(registry.reference('lib/import:v1'), options)).ok).toBe(true);
  });
});

describe('importRootfs straight into a registry, by default', () => {
  it('streams the layer up as ONE PATCH closed by a PUT, leaving no temp file', async () => {
    const rootfs = bigRootfs('import-rootfs-streamed', 12, 3 * MiB + 54_321);
    const { requests, result } = await requestsDuring(registry, () =>
      withPrivateTmpdir(() =>
        importRootfs({
          rootfs,
          dest: registry.reference('lib/streamed:v1'),
          sourceDateEpoch: EPOCH,
          ...options,
        }),
      ),
    );
    expect(result.left).toEqual([]);
    const layer = result.result.layer;
    if (layer === undefined) throw new Error('importRootfs added no layer');
    const close = requests.find(
      (request) => request.method === 'PUT' && request.query.digest === layer.digest,
    ) as RegistryRequest;
    expect(close).toMatchObject({ status: 201 });
    expect(requests.filter((request) => request.method === 'PATCH')).toMatchObject([
      { path: close.path, status: 202 },
    ]);
    const bytes = await registry.blob('lib/streamed', layer.digest);
    expect([sha256(bytes), bytes.length]).toEqual([layer.digest, layer.size]);
  });
});

describe('convert aborted by its signal in the middle of an upload', () => {
  const LAYER_BYTES = 8 * MiB;
  let big: LayoutImage;

  beforeAll(async () => {
    const layout = join(scratch.path, 'big-layout');
    await importRootfs({
      rootfs: bigRootfs('big-rootfs', 23, LAYER_BYTES),
      dest: `oci:${layout}:v1`,
      sourceDateEpoch: EPOCH,
    });
    big = readLayoutImage(layout, 'v1');
  });

  /** convert(big → docker://…/REPOSITORY:TAG) aborted once half its layer bytes were copied. */
  async function abortedConvert(repository: string, tag: string) {
    const controller = new AbortController();
    let abortedAt = 0;
    const { requests, result } = await requestsDuring(registry, async () => {
      try {
        await convert(
          `oci:${join(scratch.path, 'big-layout')}:v1`,
          registry.reference(`${repository}:${tag}`),
          {
            registry: { ...options.registry, chunkSize: MiB },
            signal: controller.signal,
            onProgress: ({ bytes }) => {
              if (bytes >= LAYER_BYTES / 2 && !controller.signal.aborted) {
                abortedAt = bytes;
                controller.abort(new Error('test: aborted mid-copy'));
              }
            },
          },
        );
        return undefined;
      } catch (error) {
        return error;
      }
    });
    return { requests, error: result, abortedAt };
  }

  it('a new tag stays absent', async () => {
    const { requests, error, abortedAt } = await abortedConvert('lib/aborted', 'v1');
    expect(error).toBeInstanceOf(Error);
    expect(abortedAt).toBeGreaterThanOrEqual(LAYER_BYTES / 2);
    expect(abortedAt).toBeLessThan(big.manifest.layers[0]?.size ?? 0);
    // it was mid-upload: chunks had gone up
    expect(requests.filter((request) => request.method === 'PATCH').length).toBeGreaterThan(0);
    expect(requests.filter((request) => request.path.includes('/manifests/'))).toEqual([]);
    expect(uploadedDigests(requests)).toEqual([]);
    await expect(registry.manifest('lib/aborted', 'v1')).rejects.toThrow(/HTTP 404/);
  });

  it('an existing tag stays where it was', async () => {
    await convert(`oci:${join(scratch.path, 'images')}:nginx`, registry.reference('lib/kept:v1'), options);
    const { requests, error } = await abortedConvert('lib/kept', 'v1');
    expect(error).toBeInstanceOf(Error);
    expect(requests.filter((request) => request.method === 'PATCH').length).toBeGreaterThan(0);
    expect(
      requests.filter((request) => request.method === 'PUT' && request.path.includes('/manifests/')),
    ).toEqual([]);
    const { served } = await servedManifest('lib/kept', 'v1');
    expect(served.digest).toBe(base.descriptor.digest);
    expect(served.bytes.equals(base.manifestBytes)).toBe(true);
  });

  it('and the same convert, not aborted, completes', async () => {
    const done = await convert(
      `oci:${join(scratch.path, 'big-layout')}:v1`,
      registry.reference('lib/aborted:v1'),
      options,
    );
    expect(done.digest).toBe(big.descriptor.digest);
    expect((await registry.manifest('lib/aborted', 'v1')).bytes.equals(big.manifestBytes)).toBe(true);
  });
});
