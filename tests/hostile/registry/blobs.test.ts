/**
 * Blob downloads from a registry that lies, on both transports: short, long and wrong bodies,
 * Content-Length that disagrees with the blob or the body, connections that drop or stall
 * mid-body (resumed with a Range request, or failed with REGISTRY_TIMEOUT — never a hang),
 * servers that ignore or botch Range, and redirects: to storage on another host (no
 * Authorization there), in a loop, without a Location.
 */
import { describe, expect, it } from 'vitest';
import {
  bytesOf,
  collect,
  FOREIGN_DIGEST,
  rejection,
  seedBlob,
  settlesWithin,
  TRANSPORTS,
  useRegistries,
} from './fixture.js';
import type { Exchange } from './hostile-registry.js';

const ctx = useRegistries();
const SIZE = 200_000;
const BLOB_PATH = /^\/v2\/app\/blobs\/sha256:/;

/** Starts a 200 answer for the blob and writes `bytes` of it. */
function partial(ex: Exchange, bytes: Uint8Array, length: number | undefined, then: () => void): void {
  ex.res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    ...(length === undefined ? {} : { 'Content-Length': length }),
  });
  ex.res.write(bytes, then);
}

describe.each(TRANSPORTS)('blob downloads over the $name', ({ client }) => {
  it('an honest blob streams whole', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    const got = await collect(client(ctx.registry).fetchBlob('app', ref));
    expect(got.equals(Buffer.from(bytes))).toBe(true);
  });

  it('a short body with an honest Content-Length: BLOB_CORRUPT naming the digest, before the body', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH }, (ex) => ex.send(200, {}, bytes.subarray(0, SIZE - 1)));
    const error = await rejection(collect(client(ctx.registry).fetchBlob('app', ref)));
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(ref.digest);
    expect(error.message).toContain(String(SIZE - 1));
  });

  it('a short chunked body: BLOB_CORRUPT naming the digest', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH }, (ex) =>
      ex.send(200, { 'Transfer-Encoding': 'chunked' }, bytes.subarray(0, SIZE / 2)),
    );
    const error = await rejection(collect(client(ctx.registry).fetchBlob('app', ref)));
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(ref.digest);
  });

  it('a long body: BLOB_CORRUPT, announced (Content-Length) or as soon as it shows (chunked)', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    const longer = Buffer.concat([bytes, Buffer.from('tail')]);
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) => ex.send(200, {}, longer));
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) =>
      ex.send(200, { 'Transfer-Encoding': 'chunked' }, longer),
    );
    for (const expected of [String(SIZE + 4), 'exceeds']) {
      const error = await rejection(collect(client(ctx.registry).fetchBlob('app', ref)));
      expect(error.code).toBe('BLOB_CORRUPT');
      expect(error.message).toContain(ref.digest);
      expect(error.message).toContain(expected);
    }
  });

  it('the right size, the wrong content: BLOB_CORRUPT naming both digests', async () => {
    const { ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    const wrong = bytesOf(2, SIZE);
    ctx.registry.on({ path: BLOB_PATH }, (ex) => ex.send(200, {}, wrong));
    const error = await rejection(collect(client(ctx.registry).fetchBlob('app', ref)));
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(ref.digest);
    expect(error.message).toMatch(/hashes to sha256:[0-9a-f]{64}/);
  });

  it('Content-Length says less than the blob: BLOB_CORRUPT before the body', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH }, (ex) =>
      ex.send(200, { 'Content-Length': SIZE - 10 }, bytes.subarray(0, SIZE - 10)),
    );
    const error = await rejection(collect(client(ctx.registry).fetchBlob('app', ref)));
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(`announces ${SIZE - 10} bytes`);
  });

  it('Content-Length right, the connection closed half-way: resumed with Range from the exact offset', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    const half = SIZE / 2;
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) =>
      partial(ex, bytes.subarray(0, half), SIZE, () => ex.res.socket?.destroy()),
    );
    const got = await settlesWithin(collect(client(ctx.registry).fetchBlob('app', ref)));
    expect(got.equals(Buffer.from(bytes))).toBe(true);
    const gets = ctx.registry.requestsTo(BLOB_PATH, 'GET');
    expect(gets.map((request) => request.headers.range)).toEqual([undefined, `bytes=${half}-`]);
  });

  it('a connection reset (RST) mid-body: resumed with a Range request, content verified', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) =>
      partial(ex, bytes.subarray(0, SIZE / 2), SIZE, () =>
        setTimeout(() => ex.res.socket?.resetAndDestroy(), 20),
      ),
    );
    const got = await settlesWithin(collect(client(ctx.registry).fetchBlob('app', ref)));
    expect(got.equals(Buffer.from(bytes))).toBe(true);
    const ranges = ctx.registry.requestsTo(BLOB_PATH, 'GET').map((request) => request.headers.range);
    expect(ranges).toHaveLength(2);
    expect(ranges[1]).toMatch(/^bytes=\d+-$/);
  });

  it('a resume the server answers whole (it ignores Range): the first part is skipped, verified', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) =>
      partial(ex, bytes.subarray(0, 70_000), SIZE, () => ex.res.socket?.destroy()),
    );
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) => ex.send(200, {}, bytes));
    const got = await settlesWithin(collect(client(ctx.registry).fetchBlob('app', ref)));
    expect(got.equals(Buffer.from(bytes))).toBe(true);
    expect(ctx.registry.requestsTo(BLOB_PATH, 'GET')[1]!.headers.range).toBe('bytes=70000-');
  });

  it('a resume answered with another range: REGISTRY_PROTOCOL_ERROR naming the blob', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) =>
      partial(ex, bytes.subarray(0, 1000), SIZE, () => ex.res.socket?.destroy()),
    );
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) =>
      ex.send(206, { 'Content-Range': `bytes 0-${SIZE - 1}/${SIZE}` }, bytes),
    );
    const error = await rejection(collect(client(ctx.registry).fetchBlob('app', ref)));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(ref.digest);
    expect(error.message).toContain('bytes from 1000');
  });

  it('a body that always drops half-way: a bounded number of resumes, then REGISTRY_UNREACHABLE', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH }, (ex) => {
      const start = Number(/bytes=(\d+)-/.exec(ex.request.headers.range ?? '')?.[1] ?? 0);
      ex.res.writeHead(start === 0 ? 200 : 206, {
        'Content-Length': SIZE - start,
        ...(start === 0 ? {} : { 'Content-Range': `bytes ${start}-${SIZE - 1}/${SIZE}` }),
      });
      ex.res.write(bytes.subarray(start, start + 1000), () => ex.res.socket?.destroy());
    });
    const error = await settlesWithin(rejection(collect(client(ctx.registry).fetchBlob('app', ref))));
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
    expect(error.message).toContain(ref.digest);
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/blobs/${ref.digest}`);
    expect(ctx.registry.requestsTo(BLOB_PATH, 'GET')).toHaveLength(4);
  });

  it('a body that stalls mid-way: REGISTRY_TIMEOUT naming the URL, no hang', async () => {
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH }, (ex) => partial(ex, bytes.subarray(0, 5000), SIZE, () => {}));
    const error = await settlesWithin(
      rejection(collect(client(ctx.registry, { idleTimeoutMs: 100 }).fetchBlob('app', ref))),
    );
    expect(error.code).toBe('REGISTRY_TIMEOUT');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/blobs/${ref.digest}`);
    expect(error.message).toContain('stalled');
  });

  it('no answer at all: REGISTRY_TIMEOUT naming the URL, no hang', async () => {
    const { ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH }, () => {});
    const error = await settlesWithin(
      rejection(collect(client(ctx.registry, { requestTimeoutMs: 1_000 }).fetchBlob('app', ref))),
    );
    expect(error.code).toBe('REGISTRY_TIMEOUT');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/blobs/${ref.digest}`);
  });

  it('a blob the registry does not have: BLOB_MISSING naming it', async () => {
    const error = await rejection(
      collect(client(ctx.registry).fetchBlob('app', { digest: FOREIGN_DIGEST as never, size: 3 })),
    );
    expect(error.code).toBe('BLOB_MISSING');
    expect(error.message).toContain(FOREIGN_DIGEST);
  });

  it('a redirect to storage on another host: followed, and the Authorization header stays home', async () => {
    ctx.registry.auth = { scheme: 'basic', username: 'alice', password: 'S3CRET-PW' };
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH }, (ex) =>
      ex.send(307, { Location: `${ctx.other.origin}/storage/blob?X-Signature=abc` }),
    );
    ctx.other.on({ path: '/storage/blob' }, (ex) => ex.send(200, {}, bytes));
    const registry = client(ctx.registry, { creds: { username: 'alice', password: 'S3CRET-PW' } });
    const got = await collect(registry.fetchBlob('app', ref));
    expect(got.equals(Buffer.from(bytes))).toBe(true);
    expect(ctx.registry.requestsTo(BLOB_PATH)[0]!.headers.authorization).toMatch(/^Basic /);
    expect(ctx.other.requests).toHaveLength(1);
    expect(ctx.other.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('a redirect from storage back to the registry: credentials again only there', async () => {
    ctx.registry.auth = { scheme: 'basic', username: 'alice', password: 'S3CRET-PW' };
    const { bytes, ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) =>
      ex.send(302, { Location: `${ctx.other.origin}/hop` }),
    );
    ctx.other.on({ path: '/hop' }, (ex) => ex.send(307, { Location: `${ctx.registry.origin}/final` }));
    ctx.registry.on({ path: '/final' }, (ex) => ex.send(200, {}, bytes));
    const registry = client(ctx.registry, { creds: { username: 'alice', password: 'S3CRET-PW' } });
    const got = await collect(registry.fetchBlob('app', ref));
    expect(got.equals(Buffer.from(bytes))).toBe(true);
    expect(ctx.other.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('a redirect loop: REGISTRY_PROTOCOL_ERROR naming the URL, no hang', async () => {
    const { ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH }, (ex) => ex.send(307, { Location: `${ctx.other.origin}/a` }));
    ctx.other.on({ path: '/a' }, (ex) => ex.send(302, { Location: `${ctx.registry.origin}/b?sig=secret` }));
    ctx.registry.on({ path: '/b' }, (ex) => ex.send(307, { Location: `${ctx.other.origin}/a` }));
    const error = await settlesWithin(rejection(collect(client(ctx.registry).fetchBlob('app', ref))));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain('redirects');
    expect(error.message).toMatch(new RegExp(`${ctx.registry.origin}|${ctx.other.origin}`));
    expect(error.message).not.toContain('sig=secret');
    expect(ctx.registry.requests.length + ctx.other.requests.length).toBeLessThan(12);
  });

  it('a redirect without a Location, or to an invalid URL: REGISTRY_PROTOCOL_ERROR', async () => {
    const { ref } = seedBlob(ctx.registry, 'app', 1, SIZE);
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) => ex.send(307));
    ctx.registry.on({ path: BLOB_PATH, times: 1 }, (ex) => ex.send(307, { Location: 'http://[::1' }));
    for (const problem of ['without a Location', 'invalid URL']) {
      const error = await rejection(collect(client(ctx.registry).fetchBlob('app', ref)));
      expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
      expect(error.message).toContain(problem);
      expect(error.message).toContain(ref.digest);
    }
  });

  it('hasBlob: a HEAD; true, false on 404, and an error on anything else', async () => {
    const { ref } = seedBlob(ctx.registry, 'app', 1, 10);
    const registry = client(ctx.registry, { retry: { attempts: 1 } });
    expect(await registry.hasBlob('app', ref.digest)).toBe(true);
    expect(await registry.hasBlob('app', FOREIGN_DIGEST as never)).toBe(false);
    ctx.registry.on({ path: BLOB_PATH, method: 'HEAD' }, (ex) => ex.send(500));
    const error = await rejection(registry.hasBlob('app', ref.digest));
    expect(error.code).toBe('REGISTRY_ERROR');
    expect(error.message).toContain(ref.digest);
  });
});
