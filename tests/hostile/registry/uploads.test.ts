/**
 * Uploads to a registry that lies, on both transports: the default streamed upload (one PATCH,
 * small blobs in the closing PUT, the producer held back by the socket), chunked uploads done right (Content-Range
 * in order, a closing PUT naming the digest), a PATCH answered 416 (the rest resent from where
 * the registry stands), sessions without a Location, a PUT that stored another digest, content
 * that does not match what the caller expected. A failed upload leaves no blob and no session.
 */
import { describe, expect, it } from 'vitest';
import {
  bytesOf,
  FOREIGN_DIGEST,
  manifestBytes,
  OCI_MANIFEST,
  rejection,
  seedBlob,
  TRANSPORTS,
  useRegistries,
} from './fixture.js';
import { sha256, uploadId } from './hostile-registry.js';

const ctx = useRegistries();
const CHUNK = 1024;
const UPLOADS = /^\/v2\/app\/blobs\/uploads\/./;

const MIB = 1024 * 1024;

describe.each(TRANSPORTS)('streamed uploads (the default) over the $name', ({ client }) => {
  it('a small blob goes up in the closing PUT; a large one as ONE PATCH and an empty PUT', async () => {
    const registry = client(ctx.registry);
    const small = bytesOf(1, 100);
    const large = bytesOf(2, 3 * MIB + 10);
    const smallRef = await registry.pushBlob('app', small);
    const writer = await registry.blobWriter('app');
    for (let at = 0; at < large.length; at += 64 * 1024)
      await writer.write(large.subarray(at, at + 64 * 1024));
    const largeRef = await writer.commit();
    expect(ctx.registry.blob('app', smallRef.digest)?.equals(small)).toBe(true);
    expect(ctx.registry.blob('app', largeRef.digest)?.equals(large)).toBe(true);
    const patches = ctx.registry.requests.filter((request) => request.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body.length).toBe(large.length);
    expect(patches[0]!.headers['content-range']).toBeUndefined();
    const puts = ctx.registry.requests.filter((request) => request.method === 'PUT');
    expect(puts.map((put) => put.body.length)).toEqual([100, 0]);
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('a blob whose ref is known is not hashed again: Content-Length is sent, the registry checks the digest', async () => {
    const payload = bytesOf(3, 2 * MIB);
    const known = { digest: sha256(payload), size: payload.length } as never;
    const writer = await client(ctx.registry).blobWriter('app', { known });
    await writer.write(payload);
    expect(await writer.commit()).toEqual(known);
    const [patch] = ctx.registry.requests.filter((request) => request.method === 'PATCH');
    expect(patch!.headers['content-length']).toBe(String(payload.length));
    // Other bytes under the same known ref: the registry's digest check refuses them.
    const lie = await client(ctx.registry).blobWriter('other', { known });
    await lie.write(bytesOf(4, 2 * MIB));
    const error = await rejection(lie.commit());
    expect(error.message).toContain('DIGEST_INVALID');
    expect(ctx.registry.blob('other', sha256(payload))).toBeUndefined();
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('a PATCH the registry fails half-way: the next write or the commit rejects, nothing is stored', async () => {
    ctx.registry.on({ method: 'PATCH' }, (ex) => ex.error(500, 'UNKNOWN', 'disk full'));
    const writer = await client(ctx.registry).blobWriter('app');
    const error = await rejection(
      (async () => {
        for (let i = 0; i < 64; i++) await writer.write(bytesOf(i, MIB));
        await writer.commit();
      })(),
    );
    expect(error.message).toContain('disk full');
    await writer.abort();
    expect(ctx.registry.requests.some((request) => request.method === 'PUT')).toBe(false);
    expect(ctx.registry.openUploads).toBe(0);
  });
});

describe.each(TRANSPORTS)('uploads over the $name', ({ client }) => {
  it('a small blob goes up in one PUT; a large one as ordered PATCHes and an empty PUT', async () => {
    const registry = client(ctx.registry, { chunkSize: CHUNK });
    const small = bytesOf(1, 100);
    const large = bytesOf(2, 3 * CHUNK + 10);
    const smallRef = await registry.pushBlob('app', small);
    const largeRef = await registry.pushBlob('app', large);
    expect(ctx.registry.blob('app', smallRef.digest)?.equals(small)).toBe(true);
    expect(ctx.registry.blob('app', largeRef.digest)?.equals(large)).toBe(true);
    expect(largeRef).toEqual({ digest: sha256(large), size: large.length });
    const patches = ctx.registry.requests.filter((request) => request.method === 'PATCH');
    expect(patches.map((patch) => patch.headers['content-range'])).toEqual([
      '0-1023',
      '1024-2047',
      '2048-3071',
      '3072-3081',
    ]);
    const puts = ctx.registry.requests.filter((request) => request.method === 'PUT');
    expect(puts.map((put) => put.body.length)).toEqual([100, 0]);
    expect(puts[1]!.url).toContain(`digest=${encodeURIComponent(largeRef.digest)}`);
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('a blob the registry holds is not sent again', async () => {
    const { bytes } = seedBlob(ctx.registry, 'app', 3, 5000);
    await client(ctx.registry).pushBlob('app', bytes);
    expect(ctx.registry.requests.map((request) => request.method)).toEqual(['GET', 'HEAD']);
  });

  it('a PATCH answered 416 after part of it landed: the rest is resent from the registry offset', async () => {
    const payload = bytesOf(4, 3 * CHUNK);
    ctx.registry.on({ method: 'PATCH', times: 1 }, (ex) => {
      // 500 bytes were stored before the connection failed; the registry says so.
      const id = uploadId(ex.request.path);
      ctx.registry.appendToUpload(id, ex.request.body.subarray(0, 500));
      ex.send(416, { Location: ex.request.url, Range: '0-499' });
    });
    const ref = await client(ctx.registry, { chunkSize: CHUNK }).pushBlob('app', payload);
    expect(ctx.registry.blob('app', ref.digest)?.equals(Buffer.from(payload))).toBe(true);
    const patches = ctx.registry.requests.filter((request) => request.method === 'PATCH');
    expect(patches.map((patch) => [patch.headers['content-range'], patch.body.length])).toEqual([
      ['0-1023', 1024],
      ['500-1023', 524],
      ['1024-2047', 1024],
      ['2048-3071', 1024],
    ]);
  });

  it('a 416 whose session claims more than was sent: REGISTRY_PROTOCOL_ERROR, session dropped', async () => {
    ctx.registry.on({ method: 'PATCH', times: 1 }, (ex) => {
      ctx.registry.appendToUpload(uploadId(ex.request.path), bytesOf(9, 5000));
      ex.send(416, { Location: ex.request.url });
    });
    const error = await rejection(
      client(ctx.registry, { chunkSize: CHUNK }).pushBlob('app', bytesOf(4, 3 * CHUNK)),
    );
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain('holds 5000 bytes');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/blobs/uploads/`);
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('a PATCH answered 416 every time: a bounded number of resends, then REGISTRY_PROTOCOL_ERROR', async () => {
    ctx.registry.on({ method: 'PATCH' }, (ex) => ex.send(416, { Location: ex.request.url }));
    const error = await rejection(
      client(ctx.registry, { chunkSize: CHUNK }).pushBlob('app', bytesOf(4, 3 * CHUNK)),
    );
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain('refused the chunk at 0 3 times');
    expect(ctx.registry.requests.filter((request) => request.method === 'PATCH')).toHaveLength(3);
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('a session opened without a Location: REGISTRY_PROTOCOL_ERROR naming the URL', async () => {
    ctx.registry.on({ method: 'POST' }, (ex) => ex.send(202));
    const error = await rejection(client(ctx.registry).pushBlob('app', bytesOf(4, 100)));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/blobs/uploads/`);
    expect(error.message).toContain('no Location');
  });

  it('a PATCH answered without a Location keeps the session URL it has, as Docker does', async () => {
    ctx.registry.on({ method: 'PATCH' }, (ex) => {
      // The honest answer, without its Location header.
      const writeHead = ex.res.writeHead.bind(ex.res);
      ex.res.writeHead = ((status: number, headers: Record<string, string | number>) =>
        writeHead(
          status,
          Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'Location')),
        )) as never;
      return ex.honest();
    });
    const payload = bytesOf(4, 3 * CHUNK);
    const ref = await client(ctx.registry, { chunkSize: CHUNK }).pushBlob('app', payload);
    expect(ref.digest).toBe(sha256(payload));
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('a PUT that stored another digest: REGISTRY_PROTOCOL_ERROR naming both digests', async () => {
    const payload = bytesOf(4, 100);
    ctx.registry.on({ method: 'PUT', path: UPLOADS }, (ex) =>
      ex.send(201, { 'Docker-Content-Digest': FOREIGN_DIGEST }),
    );
    const error = await rejection(client(ctx.registry).pushBlob('app', payload));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(FOREIGN_DIGEST);
    expect(error.message).toContain(sha256(payload));
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/blobs/uploads/`);
    expect(error.message).not.toMatch(/[?&]digest=/);
  });

  it('a PUT the registry refuses (DIGEST_INVALID): REGISTRY_ERROR with its message, session dropped', async () => {
    ctx.registry.on({ method: 'PUT', path: UPLOADS }, (ex) =>
      ex.error(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content'),
    );
    const error = await rejection(client(ctx.registry).pushBlob('app', bytesOf(4, 100)));
    expect(error.code).toBe('REGISTRY_ERROR');
    expect(error.message).toContain('DIGEST_INVALID: provided digest did not match uploaded content');
    expect(ctx.registry.requests.at(-1)!.method).toBe('DELETE');
  });

  it('content that is not what the caller expected: BLOB_CORRUPT before the PUT, nothing stored', async () => {
    const payload = bytesOf(4, 3 * CHUNK);
    const expected = { digest: sha256(bytesOf(5, 3 * CHUNK)) as never, size: payload.length };
    const error = await rejection(
      client(ctx.registry, { chunkSize: CHUNK }).pushBlob('app', [payload] as never, expected),
    );
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(expected.digest);
    expect(ctx.registry.requests.some((request) => request.method === 'PUT')).toBe(false);
    expect(ctx.registry.blob('app', sha256(payload))).toBeUndefined();
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('a streamed upload through blobWriter: two chunks in memory, committed once', async () => {
    const registry = client(ctx.registry, { chunkSize: CHUNK });
    const writer = await registry.blobWriter('app');
    const parts = [bytesOf(6, 700), bytesOf(7, 700), bytesOf(8, 700)];
    for (const part of parts) await writer.write(part);
    const ref = await writer.commit();
    expect(ctx.registry.blob('app', ref.digest)?.equals(Buffer.concat(parts))).toBe(true);
    await expect(writer.write(bytesOf(1, 1))).rejects.toMatchObject({ code: 'WRITER_CLOSED' });
  });

  it("an upload's chunkSize given as undefined is the client's, as when it is left out", async () => {
    const registry = client(ctx.registry, { chunkSize: CHUNK });
    await registry.pushBlob('app', bytesOf(9, 2 * CHUNK + 10), undefined, { chunkSize: undefined });
    const patches = ctx.registry.requests.filter((request) => request.method === 'PATCH');
    expect(patches.map((patch) => patch.headers['content-range'])).toEqual([
      '0-1023',
      '1024-2047',
      '2048-2057',
    ]);
  });

  it('mounts: 201 mounted; 202 means not mounted (the session is dropped again)', async () => {
    const { ref } = seedBlob(ctx.registry, 'base', 1, 100);
    const registry = client(ctx.registry);
    expect(await registry.mountBlob('app', ref.digest, 'base')).toBe(true);
    expect(ctx.registry.blob('app', ref.digest)).toBeDefined();
    expect(await registry.mountBlob('app', FOREIGN_DIGEST as never, 'base')).toBe(false);
    expect(ctx.registry.openUploads).toBe(0);
  });

  it('a manifest PUT answered with another digest: REGISTRY_PROTOCOL_ERROR naming both', async () => {
    const config = ctx.registry.putBlob('app', Buffer.from('{}'));
    const bytes = manifestBytes(config, []);
    ctx.registry.on({ method: 'PUT', path: '/v2/app/manifests/v1' }, (ex) =>
      ex.send(201, { 'Docker-Content-Digest': FOREIGN_DIGEST }),
    );
    const error = await rejection(client(ctx.registry).putManifest('app', 'v1', bytes, OCI_MANIFEST));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(FOREIGN_DIGEST);
    expect(error.message).toContain(sha256(bytes));
  });

  it('a manifest put by a digest it does not have: DIGEST_MISMATCH before anything is sent', async () => {
    const bytes = manifestBytes({ digest: FOREIGN_DIGEST, size: 1 }, []);
    const error = await rejection(
      client(ctx.registry).putManifest('app', FOREIGN_DIGEST, bytes, OCI_MANIFEST),
    );
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(FOREIGN_DIGEST);
    expect(ctx.registry.requests).toHaveLength(0);
  });
});

describe.each(TRANSPORTS)('tags and deletes over the $name', ({ client }) => {
  it('tags follow Link pagination; a repository without tags is IMAGE_NOT_FOUND', async () => {
    ctx.registry.on({ path: '/v2/app/tags/list', times: 1 }, (ex) =>
      ex.send(200, { Link: '</v2/app/tags/list?last=b&n=2>; rel="next"' }, '{"name":"app","tags":["a","b"]}'),
    );
    ctx.registry.on({ path: '/v2/app/tags/list', times: 1 }, (ex) =>
      ex.send(200, {}, '{"name":"app","tags":["c"]}'),
    );
    const registry = client(ctx.registry);
    expect(await registry.listTags('app')).toEqual(['a', 'b', 'c']);
    const error = await rejection(registry.listTags('nothing'));
    expect(error.code).toBe('IMAGE_NOT_FOUND');
  });

  it('a tag list whose next page is itself: REGISTRY_PROTOCOL_ERROR, not thousands of requests', async () => {
    ctx.registry.on({ path: '/v2/app/tags/list' }, (ex) =>
      ex.send(200, { Link: '</v2/app/tags/list?n=1>; rel="next"' }, '{"name":"app","tags":["a"]}'),
    );
    const error = await rejection(client(ctx.registry).listTags('app'));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/tags/list`);
    expect(ctx.registry.requestsTo('/v2/app/tags/list').length).toBeLessThan(5);
  });

  it('a next page that is no URL: REGISTRY_PROTOCOL_ERROR', async () => {
    ctx.registry.on({ path: '/v2/app/tags/list' }, (ex) =>
      ex.send(200, { Link: '<http://[::1>; rel="next"' }, '{"name":"app","tags":["a"]}'),
    );
    const error = await rejection(client(ctx.registry).listTags('app'));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/tags/list`);
  });

  it('a malformed tag list: REGISTRY_PROTOCOL_ERROR', async () => {
    ctx.registry.on({ path: '/v2/app/tags/list', times: 1 }, (ex) => ex.send(200, {}, 'tags: a, b'));
    ctx.registry.on({ path: '/v2/app/tags/list', times: 1 }, (ex) => ex.send(200, {}, '{"tags":[1]}'));
    ctx.registry.on({ path: '/v2/app/tags/list', times: 1 }, (ex) => ex.send(200, {}, 'null'));
    ctx.registry.on({ path: '/v2/app/tags/list', times: 1 }, (ex) => ex.send(200, {}, '["a"]'));
    for (const problem of ['not JSON', 'malformed', 'malformed', 'malformed']) {
      const error = await rejection(client(ctx.registry).listTags('app'));
      expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
      expect(error.message).toContain(problem);
    }
  });

  it('deleting a manifest: done, or REGISTRY_UNSUPPORTED where the registry forbids it', async () => {
    const config = ctx.registry.putBlob('app', Buffer.from('{}'));
    const digest = ctx.registry.putManifest('app', manifestBytes(config, []), OCI_MANIFEST, 'v1');
    const registry = client(ctx.registry);
    await registry.deleteManifest('app', digest as never);
    expect(ctx.registry.tags('app')).toEqual({});
    ctx.registry.on({ method: 'DELETE' }, (ex) => ex.error(405, 'UNSUPPORTED', 'deletes are disabled'));
    const error = await rejection(registry.deleteManifest('app', digest as never));
    expect(error.code).toBe('REGISTRY_UNSUPPORTED');
    expect(error.message).toContain(digest);
  });
});
