/**
 * The image operations against a registry that lies: `convert` and `commit` from a `docker://`
 * source into an `oci:` layout, and pushes from a layout to `docker://`. Every lie fails with its
 * typed error naming the digest or URL, and the destination is left exactly as it was: the
 * layout's index.json byte-identical, no blob written under the lied-about digest, no temp file;
 * in the registry, the tag untouched and no manifest stored.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerkitError } from '@layerkit/digest';
import type { ImageIndex, ImageManifest } from '@layerkit/image';
import { commit, convert, importRootfs, unpack } from '@layerkit/image/node';
import type { RegistryOptions } from '@layerkit/registry/node';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  buildBase,
  EPOCH,
  editedRootfs,
  PLATFORM,
  readIndex,
  readTagged,
  tempFiles,
  writeTree,
} from '../../fixtures/image-ops.js';
import { useScratchDir } from '../../fixtures/scratch.js';
import { bytesOf, FOREIGN_DIGEST, rejection, settlesWithin, testOptions, useRegistries } from './fixture.js';
import { type Exchange, type HostileRegistry, sha256 } from './hostile-registry.js';

const ctx = useRegistries();

/** The test's directories and the image the registry serves as `app:v1`. */
const work = {
  dir: '',
  /** Holds the base image (tag `base`): the source of pushes, and of what the registry serves. */
  layout: '',
  /** An existing layout holding another image (tag `other`): the destination of pulls. */
  dest: '',
  manifestDigest: '',
  manifestBytes: Buffer.alloc(0),
  configDigest: '',
  layerDigest: '',
  layerBytes: Buffer.alloc(0),
};
const scratch = useScratchDir('hostile-registry-ops', { per: 'test' });

/** Puts the image `layout:tag` into `registry` as `repository:tag`. */
function seedFromLayout(registry: HostileRegistry, layout: string, tag: string, repository: string): void {
  const descriptor = readIndex(layout).manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag,
  )!;
  const blob = (digest: string) => readFileSync(join(layout, 'blobs/sha256', digest.slice(7)));
  const bytes = blob(descriptor.digest);
  const manifest = JSON.parse(bytes.toString()) as ImageManifest;
  for (const ref of [manifest.config, ...manifest.layers]) registry.putBlob(repository, blob(ref.digest));
  registry.putManifest(repository, bytes, descriptor.mediaType, tag);
}

beforeEach(async () => {
  const dir = scratch.path;
  Object.assign(work, { dir, layout: join(dir, 'layout'), dest: join(dir, 'dest') });
  await buildBase(dir, work.layout, 'v1');
  const other = join(dir, 'other-rootfs');
  writeTree(other, { 'other.txt': { type: 'file', content: 'another image\n' } });
  await importRootfs({
    rootfs: other,
    dest: `oci:${work.dest}:other`,
    platform: PLATFORM,
    sourceDateEpoch: EPOCH,
  });
  seedFromLayout(ctx.registry, work.layout, 'v1', 'app');
  const tagged = readTagged(work.layout, 'v1');
  work.manifestDigest = tagged.manifestDigest;
  work.manifestBytes = readFileSync(join(work.layout, 'blobs/sha256', tagged.manifestDigest.slice(7)));
  work.configDigest = tagged.manifest.config.digest;
  work.layerDigest = tagged.manifest.layers[0]!.digest;
  work.layerBytes = readFileSync(join(work.layout, 'blobs/sha256', work.layerDigest.slice(7)));
});

/** What a failed operation must leave unchanged in a layout. */
function layoutState(layout: string) {
  return {
    index: readFileSync(join(layout, 'index.json')),
    blobs: readdirSync(join(layout, 'blobs/sha256')).sort(),
  };
}

function expectUnchanged(layout: string, before: ReturnType<typeof layoutState>, lied: string): void {
  const after = layoutState(layout);
  expect(after.index.equals(before.index), 'index.json byte-identical').toBe(true);
  expect(after.blobs).toEqual(before.blobs);
  expect(existsSync(join(layout, 'blobs/sha256', lied.slice(7)))).toBe(false);
  expect(tempFiles(work.dir)).toEqual([]);
}

/** Pulls `app:v1` (or `reference`) into the destination layout as `copy`; returns the error. */
async function failedPull(options: RegistryOptions = {}, reference = 'app:v1'): Promise<LayerkitError> {
  const before = layoutState(work.dest);
  const error = await settlesWithin(
    rejection(
      convert(ctx.registry.reference(reference), `oci:${work.dest}:copy`, { registry: testOptions(options) }),
    ),
  );
  expectUnchanged(work.dest, before, work.layerDigest);
  return error;
}

const MANIFEST_V1 = '/v2/app/manifests/v1';
const layerPath = () => `/v2/app/blobs/${work.layerDigest}`;

/** Lies about the layer blob, and the error each must give. */
const layerLies: [string, (ex: Exchange) => void, string][] = [
  ['short', (ex) => ex.send(200, {}, work.layerBytes.subarray(0, -1)), 'BLOB_CORRUPT'],
  [
    'short, chunked',
    (ex) => ex.send(200, { 'Transfer-Encoding': 'chunked' }, work.layerBytes.subarray(0, -1)),
    'BLOB_CORRUPT',
  ],
  ['long', (ex) => ex.send(200, {}, Buffer.concat([work.layerBytes, Buffer.from('x')])), 'BLOB_CORRUPT'],
  ['wrong content', (ex) => ex.send(200, {}, bytesOf(3, work.layerBytes.length)), 'BLOB_CORRUPT'],
  [
    'a Content-Length that promises the blob, a body that always ends early',
    (ex) => {
      ex.res.writeHead(200, { 'Content-Length': work.layerBytes.length });
      ex.res.write(work.layerBytes.subarray(0, 100), () => ex.res.socket?.destroy());
    },
    'REGISTRY_UNREACHABLE',
  ],
  ['missing', (ex) => ex.error(404, 'BLOB_UNKNOWN', 'blob unknown to registry'), 'BLOB_MISSING'],
  [
    'rate limited for a day',
    (ex) => ex.error(429, 'TOOMANYREQUESTS', 'pull rate limit', { 'Retry-After': '86400' }),
    'REGISTRY_RATE_LIMITED',
  ],
];

/**
 * Layer blobs of the right size whose bytes are wrong: the reader trips over them (a tar parse
 * error, a decompression error) before the blob ends, yet the cause to report is BLOB_CORRUPT.
 */
const corruptContent: [string, () => Uint8Array][] = [
  ['of random bytes, read as a plain tar', () => bytesOf(3, work.layerBytes.length)],
  [
    'of a gzip header and random bytes, which gunzip rejects',
    () => Buffer.concat([work.layerBytes.subarray(0, 10), bytesOf(4, work.layerBytes.length - 10)]),
  ],
  [
    'with its deflate data damaged in the middle',
    () => {
      const damaged = Buffer.from(work.layerBytes);
      for (let i = 40; i < damaged.length - 40; i += 97) damaged[i]! ^= 0x5a;
      return damaged;
    },
  ],
];

describe('convert from docker:// into an oci: layout', () => {
  it('an honest registry: the image arrives with every digest unchanged', async () => {
    const descriptor = await convert(ctx.registry.reference('app:v1'), `oci:${work.dest}:copy`, {
      registry: testOptions(),
    });
    expect(descriptor.digest).toBe(work.manifestDigest);
    expect(readTagged(work.dest, 'copy').manifestDigest).toBe(work.manifestDigest);
    expect(readTagged(work.dest, 'other')).toBeDefined();
    expect(tempFiles(work.dir)).toEqual([]);
  });

  it('by digest: the image arrives', async () => {
    const descriptor = await convert(
      ctx.registry.reference(`app@${work.manifestDigest}`),
      `oci:${work.dest}:copy`,
      { registry: testOptions() },
    );
    expect(descriptor.digest).toBe(work.manifestDigest);
  });

  it('manifest bytes that do not match the digest asked for: DIGEST_MISMATCH', async () => {
    const other = Buffer.from(
      work.manifestBytes.toString().replace('"schemaVersion":2', '"schemaVersion": 2'),
    );
    ctx.registry.on({ path: `/v2/app/manifests/${work.manifestDigest}` }, (ex) =>
      ex.send(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }, other),
    );
    const error = await failedPull({}, `app@${work.manifestDigest}`);
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(work.manifestDigest);
  });

  it('a Docker-Content-Digest that disagrees with the bytes: DIGEST_MISMATCH', async () => {
    ctx.registry.on({ path: MANIFEST_V1 }, (ex) =>
      ex.send(
        200,
        {
          'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
          'Docker-Content-Digest': FOREIGN_DIGEST,
        },
        work.manifestBytes,
      ),
    );
    const error = await failedPull();
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(FOREIGN_DIGEST);
    expect(error.message).toContain(work.manifestDigest);
  });

  it('a manifest announced over the cap: MANIFEST_TOO_LARGE', async () => {
    ctx.registry.on({ path: MANIFEST_V1 }, (ex) => {
      ex.res.writeHead(200, { 'Content-Length': 64 * 1024 * 1024 });
      ex.res.write('{');
    });
    const error = await failedPull();
    expect(error.code).toBe('MANIFEST_TOO_LARGE');
    expect(error.message).toContain(`${ctx.registry.host}/app:v1`);
  });

  it('a manifest body that never ends: MANIFEST_TOO_LARGE', async () => {
    ctx.registry.on({ path: MANIFEST_V1 }, (ex) => {
      ex.res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      let open = true;
      ex.res.on('close', () => {
        open = false;
      });
      const pump = () => {
        while (open && ex.res.write(Buffer.alloc(65536, 0x20)));
        if (open) ex.res.once('drain', pump);
      };
      pump();
    });
    const error = await failedPull();
    expect(error.code).toBe('MANIFEST_TOO_LARGE');
  });

  it('malformed manifest JSON (digests consistent): INVALID_JSON naming the manifest digest', async () => {
    const bad = Buffer.from(
      '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",',
    );
    ctx.registry.on({ path: MANIFEST_V1 }, (ex) =>
      ex.send(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }, bad),
    );
    const error = await failedPull();
    expect(error.code).toBe('INVALID_JSON');
    expect(error.message).toContain(sha256(bad));
  });

  it('a media type that is no manifest: UNSUPPORTED_MEDIA_TYPE naming the digest', async () => {
    ctx.registry.on({ path: MANIFEST_V1 }, (ex) =>
      ex.send(200, { 'Content-Type': 'application/vnd.oci.image.layer.v1.tar+gzip' }, work.manifestBytes),
    );
    const error = await failedPull();
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toContain(`${ctx.registry.host}/app:v1`);
    expect(error.message).toContain('application/vnd.oci.image.layer.v1.tar+gzip');
  });

  it('a manifest served as an index: refused, naming the digest', async () => {
    ctx.registry.on({ path: MANIFEST_V1 }, (ex) =>
      ex.send(200, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }, work.manifestBytes),
    );
    const error = await failedPull();
    expect(error.message).toContain(work.manifestDigest);
  });

  it('a config blob with other content: BLOB_CORRUPT naming the config digest', async () => {
    ctx.registry.on({ path: `/v2/app/blobs/${work.configDigest}` }, (ex) => {
      const honest = ctx.registry.blob('app', work.configDigest)!;
      ex.send(200, {}, Buffer.from(honest.toString().replace('amd64', 'arm64')));
    });
    const error = await failedPull();
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(work.configDigest);
  });

  it.each(layerLies)('a layer blob %s: %2$s… fails, naming the digest', async (_, lie, code) => {
    ctx.registry.on({ path: layerPath() }, lie);
    const error = await failedPull();
    expect(error.code).toBe(code);
    expect(error.message).toContain(work.layerDigest);
  });

  it('a layer body that stalls: REGISTRY_TIMEOUT naming the blob URL, no hang', async () => {
    ctx.registry.on({ path: layerPath() }, (ex) => {
      ex.res.writeHead(200, { 'Content-Length': work.layerBytes.length });
      ex.res.write(work.layerBytes.subarray(0, 100));
    });
    const error = await failedPull({ idleTimeoutMs: 500 });
    expect(error.code).toBe('REGISTRY_TIMEOUT');
    expect(error.message).toContain(`${ctx.registry.origin}${layerPath()}`);
  });

  it('a manifest request never answered: REGISTRY_TIMEOUT, no hang', async () => {
    ctx.registry.on({ path: MANIFEST_V1 }, () => {});
    const error = await failedPull({ requestTimeoutMs: 1_000 });
    expect(error.code).toBe('REGISTRY_TIMEOUT');
    expect(error.message).toContain(`${ctx.registry.origin}${MANIFEST_V1}`);
  });

  it('a Bearer challenge with an invalid realm: REGISTRY_PROTOCOL_ERROR', async () => {
    ctx.registry.on({ path: /^\/v2\// }, (ex) =>
      ex.error(401, 'UNAUTHORIZED', 'no', { 'WWW-Authenticate': 'Bearer realm="::not-a-url::"' }),
    );
    const error = await failedPull();
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(ctx.registry.host);
  });

  it('into a new layout: a failure leaves no layout behind', async () => {
    ctx.registry.on({ path: layerPath() }, (ex) => ex.send(200, {}, bytesOf(3, work.layerBytes.length)));
    const fresh = join(work.dir, 'fresh');
    const error = await rejection(
      convert(ctx.registry.reference('app:v1'), `oci:${fresh}:copy`, { registry: testOptions() }),
    );
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(existsSync(fresh)).toBe(false);
    expect(tempFiles(work.dir)).toEqual([]);
  });

  it('a connection reset mid-layer, a 503 and a redirect to storage: all recovered, image intact', async () => {
    ctx.registry.auth = { scheme: 'basic', username: 'alice', password: 'S3CRET-PW' };
    ctx.registry.on({ path: MANIFEST_V1, times: 1 }, (ex) => ex.send(503));
    ctx.registry.on({ path: layerPath(), times: 1 }, (ex) => {
      ex.res.writeHead(200, { 'Content-Length': work.layerBytes.length });
      ex.res.write(work.layerBytes.subarray(0, 1000), () => ex.res.socket?.destroy());
    });
    ctx.registry.on({ path: layerPath() }, (ex) =>
      ex.send(307, { Location: `${ctx.other.origin}/storage${ex.request.path}` }),
    );
    ctx.other.on({ path: /^\/storage\// }, (ex) => {
      const start = Number(/bytes=(\d+)-/.exec(ex.request.headers.range ?? '')?.[1] ?? 0);
      ex.send(
        206,
        { 'Content-Range': `bytes ${start}-${work.layerBytes.length - 1}/${work.layerBytes.length}` },
        work.layerBytes.subarray(start),
      );
    });
    const descriptor = await convert(ctx.registry.reference('app:v1'), `oci:${work.dest}:copy`, {
      registry: testOptions({ creds: { username: 'alice', password: 'S3CRET-PW' } }),
    });
    expect(descriptor.digest).toBe(work.manifestDigest);
    expect(
      readFileSync(join(work.dest, 'blobs/sha256', work.layerDigest.slice(7))).equals(work.layerBytes),
    ).toBe(true);
    expect(ctx.other.requests.map((request) => request.headers.range)).toEqual(['bytes=1000-']);
    expect(ctx.other.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
  });
});

describe('commit with a docker:// base into an oci: layout', () => {
  it('an honest registry: the new image sits on the base layer', async () => {
    const result = await commit({
      base: ctx.registry.reference('app:v1'),
      rootfs: editedRootfs(work.dir),
      dest: `oci:${work.dest}:v2`,
      registry: testOptions(),
      sourceDateEpoch: EPOCH,
    });
    const { manifest } = readTagged(work.dest, 'v2');
    expect(manifest.layers[0]!.digest).toBe(work.layerDigest);
    expect(manifest.layers).toHaveLength(2);
    expect(result.manifest.digest).toBe(readTagged(work.dest, 'v2').manifestDigest);
  });

  /** Lies about a base layer that must fail the commit with BLOB_CORRUPT. */
  const baseLies: [string, (ex: Exchange) => void][] = [
    ...layerLies.slice(0, 3).map(([name, lie]) => [name, lie] as [string, (ex: Exchange) => void]),
    [
      // The tar parses; gzip's own CRC fails at the end; the blob is read again to name the cause.
      'with a damaged gzip trailer',
      (ex) => {
        const damaged = Buffer.from(work.layerBytes);
        damaged[damaged.length - 6]! ^= 0xff;
        ex.send(200, {}, damaged);
      },
    ],
  ];

  it.each(baseLies)('a base layer blob %s: BLOB_CORRUPT naming it, the layout untouched', async (_, lie) => {
    ctx.registry.on({ path: layerPath() }, lie);
    const rootfs = editedRootfs(work.dir);
    const before = layoutState(work.dest);
    const error = await rejection(
      commit({
        base: ctx.registry.reference('app:v1'),
        rootfs,
        dest: `oci:${work.dest}:v2`,
        registry: testOptions(),
      }),
    );
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(work.layerDigest);
    expectUnchanged(work.dest, before, work.layerDigest);
  });

  it.each(corruptContent)(
    'a base layer blob %s: BLOB_CORRUPT naming it, not the parse or decompression error',
    async (_, corrupt) => {
      ctx.registry.on({ path: layerPath() }, (ex) => ex.send(200, {}, corrupt()));
      const error = await rejection(
        commit({
          base: ctx.registry.reference('app:v1'),
          rootfs: editedRootfs(work.dir),
          dest: `oci:${work.dest}:v2`,
          registry: testOptions(),
        }),
      );
      expect(error.code).toBe('BLOB_CORRUPT');
      expect(error.message).toContain(work.layerDigest);
    },
  );
});

describe('unpack from docker://', () => {
  it.each(corruptContent)('a layer blob %s: BLOB_CORRUPT naming it, nothing unpacked', async (_, corrupt) => {
    ctx.registry.on({ path: layerPath() }, (ex) => ex.send(200, {}, corrupt()));
    const rootfs = join(work.dir, 'unpacked');
    const error = await rejection(
      unpack(ctx.registry.reference('app:v1'), rootfs, { registry: testOptions() }),
    );
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(work.layerDigest);
    expect(existsSync(rootfs)).toBe(false);
  });
});

describe('pushes from an oci: layout to docker://', () => {
  const push = (options: RegistryOptions = {}) =>
    convert(`oci:${work.layout}:v1`, ctx.registry.reference('pushed:v1'), { registry: testOptions(options) });

  /** Pushes, expecting failure; the registry must hold no tag and no manifest for `pushed`. */
  async function failedPush(options: RegistryOptions = {}): Promise<LayerkitError> {
    const error = await settlesWithin(rejection(push(options)));
    expect(ctx.registry.tags('pushed')).toEqual({});
    expect(ctx.registry.manifestDigests('pushed')).toEqual([]);
    expect(ctx.registry.requestsTo('/v2/pushed/manifests/v1', 'PUT')).toEqual([]);
    return error;
  }

  it('an honest registry: every blob, then the manifest under the tag', async () => {
    const descriptor = await push({ chunkSize: 4096 });
    expect(descriptor.digest).toBe(work.manifestDigest);
    expect(ctx.registry.tags('pushed')).toEqual({ v1: work.manifestDigest });
    expect(ctx.registry.blob('pushed', work.layerDigest)?.equals(work.layerBytes)).toBe(true);
    const methods = ctx.registry.requests.map((request) => request.method);
    expect(methods.at(-1)).toBe('PUT');
    expect(ctx.registry.requests.at(-1)!.path).toBe('/v2/pushed/manifests/v1');
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('between two registries with their own credentials: sourceRegistry and destinationRegistry', async () => {
    ctx.registry.auth = { scheme: 'basic', username: 'alice', password: 'ALICE-PW' };
    ctx.other.auth = { scheme: 'basic', username: 'bob', password: 'BOB-PW' };
    const alice = testOptions({ creds: 'alice:ALICE-PW' });
    const bob = testOptions({ creds: 'bob:BOB-PW' });
    const to = ctx.other.reference('pushed:v1');
    // One set of credentials for both ends cannot do it: the push is refused, nothing is tagged.
    const refused = await rejection(convert(ctx.registry.reference('app:v1'), to, { registry: alice }));
    expect(refused.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(ctx.other.tags('pushed')).toEqual({});

    const descriptor = await convert(ctx.registry.reference('app:v1'), to, {
      registry: alice,
      destinationRegistry: bob,
    });
    expect(descriptor.digest).toBe(work.manifestDigest);
    expect(ctx.other.tags('pushed')).toEqual({ v1: work.manifestDigest });
    expect(ctx.other.blob('pushed', work.layerDigest)?.equals(work.layerBytes)).toBe(true);

    // And the other way round, the source's settings given on their own.
    const back = await convert(to, ctx.registry.reference('back:v1'), {
      sourceRegistry: bob,
      registry: alice,
    });
    expect(back.digest).toBe(work.manifestDigest);
    expect(ctx.registry.tags('back')).toEqual({ v1: work.manifestDigest });
  });

  it('from the same registry: layers are mounted, not sent', async () => {
    const descriptor = await convert(ctx.registry.reference('app:v1'), ctx.registry.reference('pushed:v1'), {
      registry: testOptions(),
    });
    expect(descriptor.digest).toBe(work.manifestDigest);
    expect(ctx.registry.requests.some((request) => request.method === 'PATCH')).toBe(false);
    expect(ctx.registry.requestsTo(/\/blobs\/uploads\//, 'POST')[0]!.url).toContain('mount=');
  });

  it('a PATCH answered 416 with the registry offset: resent from there, the push succeeds', async () => {
    let first = true;
    ctx.registry.on({ method: 'PATCH', path: /^\/v2\/pushed\// }, async (ex) => {
      if (!first) return ex.honest();
      first = false;
      const { uploadId } = await import('./hostile-registry.js');
      ctx.registry.appendToUpload(uploadId(ex.request.path), ex.request.body.subarray(0, 1000));
      ex.send(416, { Location: ex.request.url, Range: '0-999' });
    });
    const descriptor = await push({ chunkSize: 4096 });
    expect(descriptor.digest).toBe(work.manifestDigest);
    expect(ctx.registry.blob('pushed', work.layerDigest)?.equals(work.layerBytes)).toBe(true);
    const ranges = ctx.registry.requests
      .filter((r) => r.method === 'PATCH')
      .map((r) => r.headers['content-range']);
    expect(ranges.slice(0, 2)).toEqual(['0-4095', '1000-4095']);
  });

  it('an upload session without a Location: REGISTRY_PROTOCOL_ERROR, no tag', async () => {
    ctx.registry.on({ method: 'POST' }, (ex) => ex.send(202));
    const error = await failedPush();
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/pushed/blobs/uploads/`);
  });

  it('a blob PUT answering another digest: REGISTRY_PROTOCOL_ERROR naming it, no tag', async () => {
    ctx.registry.on({ method: 'PUT', path: /\/blobs\/uploads\// }, (ex) =>
      ex.send(201, { 'Docker-Content-Digest': FOREIGN_DIGEST }),
    );
    const error = await failedPush();
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(FOREIGN_DIGEST);
  });

  it('PATCHes failing with 500 every time: REGISTRY_ERROR after the retries, no tag, no session', async () => {
    ctx.registry.on({ method: 'PATCH' }, (ex) => ex.error(500, 'UNKNOWN', 'storage failure'));
    const error = await failedPush({ chunkSize: 4096, retry: { attempts: 2, baseDelayMs: 1 } });
    expect(error.code).toBe('REGISTRY_ERROR');
    expect(error.message).toContain('storage failure');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/pushed/blobs/uploads/`);
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('a manifest PUT that fails: REGISTRY_ERROR, the tag never set', async () => {
    ctx.registry.on({ method: 'PUT', path: '/v2/pushed/manifests/v1' }, (ex) =>
      ex.error(400, 'MANIFEST_INVALID', 'manifest invalid'),
    );
    const error = await settlesWithin(rejection(push()));
    expect(error.code).toBe('REGISTRY_ERROR');
    expect(error.message).toContain('MANIFEST_INVALID');
    expect(ctx.registry.tags('pushed')).toEqual({});
  });

  it('commit into docker://: a blob PUT that lies fails the commit, no tag', async () => {
    ctx.registry.on({ method: 'PUT', path: /\/blobs\/uploads\// }, (ex) =>
      ex.send(201, { 'Docker-Content-Digest': FOREIGN_DIGEST }),
    );
    const error = await settlesWithin(
      rejection(
        commit({
          base: `oci:${work.layout}:v1`,
          rootfs: editedRootfs(work.dir),
          dest: ctx.registry.reference('pushed:v2'),
          registry: testOptions(),
        }),
      ),
    );
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(FOREIGN_DIGEST);
    expect(ctx.registry.tags('pushed')).toEqual({});
    expect(tempFiles(work.dir)).toEqual([]);
  });

  it('commit into docker://, honest: the tag points at the new image', async () => {
    const result = await commit({
      base: `oci:${work.layout}:v1`,
      rootfs: editedRootfs(work.dir),
      dest: ctx.registry.reference('pushed:v2'),
      registry: testOptions({ chunkSize: 4096 }),
      sourceDateEpoch: EPOCH,
    });
    expect(ctx.registry.tags('pushed')).toEqual({ v2: result.manifest.digest });
    const index = readIndex(work.layout) as ImageIndex;
    expect(index.manifests).toHaveLength(1);
  });
});
