/**
 * Manifests a registry lies about, on both transports: bytes that do not hash to the digest asked
 * for or to the registry's own Docker-Content-Digest, bodies over the size cap (announced or
 * endless), documents without a media type, and errors surfaced from the registry's JSON.
 */
import { describe, expect, it } from 'vitest';
import {
  FOREIGN_DIGEST,
  manifestBytes,
  OCI_MANIFEST,
  rejection,
  settlesWithin,
  TRANSPORTS,
  useRegistries,
} from './fixture.js';
import { type HostileRegistry, sha256 } from './hostile-registry.js';

const ctx = useRegistries();
const MAX = 4 * 1024 * 1024;

function seedManifest(registry: HostileRegistry) {
  const layer = registry.putBlob('app', Buffer.from('layer'));
  const config = registry.putBlob('app', Buffer.from('{}'));
  const bytes = manifestBytes(config, [layer]);
  const digest = registry.putManifest('app', bytes, OCI_MANIFEST, 'v1');
  return { bytes, digest };
}

describe.each(TRANSPORTS)('manifests over the $name', ({ client }) => {
  it('an honest manifest by tag and by digest: exact bytes, digest, size, media type', async () => {
    const { bytes, digest } = seedManifest(ctx.registry);
    const registry = client(ctx.registry);
    for (const reference of ['v1', digest]) {
      const fetched = await registry.getManifest('app', reference);
      expect(Buffer.from(fetched.bytes).equals(bytes)).toBe(true);
      expect(fetched.descriptor).toEqual({ mediaType: OCI_MANIFEST, digest, size: bytes.length });
    }
    const sent = ctx.registry.requestsTo('/v2/app/manifests/v1')[0]!;
    expect(sent.headers.accept).toContain('application/vnd.oci.image.index.v1+json');
    expect(sent.headers.accept).toContain('application/vnd.docker.distribution.manifest.list.v2+json');
  });

  it('asked by digest, the registry serves other bytes: DIGEST_MISMATCH naming the digest', async () => {
    const { digest } = seedManifest(ctx.registry);
    const other = manifestBytes({ digest: FOREIGN_DIGEST, size: 1 }, []);
    ctx.registry.on({ path: `/v2/app/manifests/${digest}` }, (ex) =>
      ex.send(200, { 'Content-Type': OCI_MANIFEST }, other),
    );
    const error = await rejection(client(ctx.registry).getManifest('app', digest));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(digest);
    expect(error.message).toContain(sha256(other));
    expect(error.message).toContain(`${ctx.registry.host}/app@${digest}`);
  });

  it('asked by digest, the bytes match but Docker-Content-Digest names another: DIGEST_MISMATCH', async () => {
    const { bytes, digest } = seedManifest(ctx.registry);
    ctx.registry.on({ path: `/v2/app/manifests/${digest}` }, (ex) =>
      ex.send(200, { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': FOREIGN_DIGEST }, bytes),
    );
    const error = await rejection(client(ctx.registry).getManifest('app', digest));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(FOREIGN_DIGEST);
    expect(error.message).toContain('Docker-Content-Digest');
  });

  it('by tag, Docker-Content-Digest disagrees with the bytes: DIGEST_MISMATCH naming both', async () => {
    const { bytes, digest } = seedManifest(ctx.registry);
    ctx.registry.on({ path: '/v2/app/manifests/v1' }, (ex) =>
      ex.send(200, { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': FOREIGN_DIGEST }, bytes),
    );
    const error = await rejection(client(ctx.registry).getManifest('app', 'v1'));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(FOREIGN_DIGEST);
    expect(error.message).toContain(digest);
    expect(error.message).toContain(`${ctx.registry.host}/app:v1`);
    expect(error.message).not.toContain('\n');
  });

  it('Content-Length over the cap: MANIFEST_TOO_LARGE before any body is read', async () => {
    let closed = false;
    ctx.registry.on({ path: '/v2/app/manifests/v1' }, (ex) => {
      ex.res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Content-Length': MAX + 1 });
      ex.res.write('{'); // and nothing more: the client must not wait for the rest
      ex.res.on('close', () => {
        closed = true;
      });
    });
    const error = await settlesWithin(rejection(client(ctx.registry).getManifest('app', 'v1')));
    expect(error.code).toBe('MANIFEST_TOO_LARGE');
    expect(error.message).toContain(`${ctx.registry.host}/app:v1`);
    await expect.poll(() => closed, { timeout: 5_000 }).toBe(true);
  });

  it('no Content-Length and an endless body: MANIFEST_TOO_LARGE, and the connection is let go', async () => {
    let sent = 0;
    let closed = false;
    ctx.registry.on({ path: '/v2/app/manifests/v1' }, (ex) => {
      ex.res.writeHead(200, { 'Content-Type': OCI_MANIFEST });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!closed && ex.res.write(chunk)) sent += chunk.length;
        if (!closed) ex.res.once('drain', pump);
      };
      ex.res.on('close', () => {
        closed = true;
      });
      pump();
    });
    const error = await settlesWithin(rejection(client(ctx.registry).getManifest('app', 'v1')));
    expect(error.code).toBe('MANIFEST_TOO_LARGE');
    expect(error.message).toContain(String(MAX));
    // The client hangs up instead of leaving the stream (and the server) running.
    await expect.poll(() => closed, { timeout: 5_000 }).toBe(true);
    expect(sent).toBeLessThan(64 * MAX);
  });

  it('a connection dropped mid-manifest: REGISTRY_UNREACHABLE naming the URL, no hang', async () => {
    const { bytes } = seedManifest(ctx.registry);
    ctx.registry.on({ path: '/v2/app/manifests/v1' }, (ex) => {
      ex.res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Content-Length': bytes.length });
      ex.res.write(bytes.subarray(0, 10), () => ex.res.socket?.destroy());
    });
    const error = await settlesWithin(rejection(client(ctx.registry).getManifest('app', 'v1')));
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/manifests/v1`);
  });

  it('a manifest body that stalls: REGISTRY_TIMEOUT naming the URL, no hang', async () => {
    const { bytes } = seedManifest(ctx.registry);
    ctx.registry.on({ path: '/v2/app/manifests/v1' }, (ex) => {
      ex.res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Content-Length': bytes.length });
      ex.res.write(bytes.subarray(0, 10));
    });
    const error = await settlesWithin(
      rejection(client(ctx.registry, { idleTimeoutMs: 100 }).getManifest('app', 'v1')),
    );
    expect(error.code).toBe('REGISTRY_TIMEOUT');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/manifests/v1`);
  });

  it('a document with neither a manifest Content-Type nor a mediaType: REGISTRY_PROTOCOL_ERROR', async () => {
    ctx.registry.on({ path: '/v2/app/manifests/v1' }, (ex) =>
      ex.send(200, { 'Content-Type': 'application/json' }, '{not json'),
    );
    const error = await rejection(client(ctx.registry).getManifest('app', 'v1'));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/app/manifests/v1`);
  });

  it("a generic Content-Type: the document's own mediaType is used", async () => {
    const { bytes, digest } = seedManifest(ctx.registry);
    ctx.registry.on({ path: '/v2/app/manifests/v1' }, (ex) =>
      ex.send(200, { 'Content-Type': 'application/json; charset=utf-8' }, bytes),
    );
    const fetched = await client(ctx.registry).getManifest('app', 'v1');
    expect(fetched.descriptor).toEqual({ mediaType: OCI_MANIFEST, digest, size: bytes.length });
  });

  it('an unknown tag: IMAGE_NOT_FOUND with the registry error in one line, URL without query', async () => {
    ctx.registry.on({ path: '/v2/app/manifests/v9' }, (ex) =>
      ex.error(404, 'MANIFEST_UNKNOWN', 'manifest unknown\nto registry'),
    );
    const error = await rejection(client(ctx.registry).getManifest('app', 'v9'));
    expect(error.code).toBe('IMAGE_NOT_FOUND');
    expect(error.message).toBe(
      `manifest ${ctx.registry.host}/app:v9: GET ${ctx.registry.origin}/v2/app/manifests/v9: HTTP 404 MANIFEST_UNKNOWN: manifest unknown to registry`,
    );
  });
});
