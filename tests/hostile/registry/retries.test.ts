/**
 * Transient failures: 5xx answers and dropped connections are retried a bounded number of times,
 * 429 waits for the registry's Retry-After when that is reasonable and fails at once, clearly,
 * when it is not; non-transient statuses are never retried.
 */
import { describe, expect, it } from 'vitest';
import {
  manifestBytes,
  OCI_MANIFEST,
  rejection,
  settlesWithin,
  TRANSPORTS,
  useRegistries,
} from './fixture.js';
import type { HostileRegistry } from './hostile-registry.js';

const ctx = useRegistries();
const PATH = '/v2/app/manifests/v1';

function seed(registry: HostileRegistry): string {
  const config = registry.putBlob('app', Buffer.from('{}'));
  return registry.putManifest('app', manifestBytes(config, []), OCI_MANIFEST, 'v1');
}

describe.each(TRANSPORTS)('retries over the $name', ({ client }) => {
  it('503 twice, then success: retried', async () => {
    const digest = seed(ctx.registry);
    ctx.registry.on({ path: PATH, times: 2 }, (ex) => ex.error(503, 'UNAVAILABLE', 'rolling restart'));
    const fetched = await client(ctx.registry).getManifest('app', 'v1');
    expect(fetched.descriptor.digest).toBe(digest);
    expect(ctx.registry.requestsTo(PATH)).toHaveLength(3);
  });

  it('a connection dropped before any answer, then success: retried', async () => {
    const digest = seed(ctx.registry);
    ctx.registry.on({ path: PATH, times: 1 }, (ex) => ex.res.socket?.destroy());
    const fetched = await client(ctx.registry).getManifest('app', 'v1');
    expect(fetched.descriptor.digest).toBe(digest);
  });

  it('503 forever: REGISTRY_ERROR after the configured attempts, the registry message surfaced', async () => {
    seed(ctx.registry);
    ctx.registry.on({ path: PATH }, (ex) => ex.error(503, 'UNAVAILABLE', 'down for maintenance'));
    const error = await rejection(
      client(ctx.registry, { retry: { attempts: 3, baseDelayMs: 1 } }).getManifest('app', 'v1'),
    );
    expect(error.code).toBe('REGISTRY_ERROR');
    expect(error.message).toContain(`${ctx.registry.origin}${PATH}`);
    expect(error.message).toContain('HTTP 503 UNAVAILABLE: down for maintenance');
    expect(ctx.registry.requestsTo(PATH)).toHaveLength(3);
  });

  it('501 and 400 are not transient: one request', async () => {
    seed(ctx.registry);
    ctx.registry.on({ path: PATH, times: 1 }, (ex) => ex.send(501));
    ctx.registry.on({ path: PATH, times: 1 }, (ex) => ex.error(400, 'NAME_INVALID', 'bad name'));
    for (const status of [501, 400]) {
      const error = await rejection(client(ctx.registry).getManifest('app', 'v1'));
      expect(error.code).toBe('REGISTRY_ERROR');
      expect(error.message).toContain(`HTTP ${status}`);
    }
    expect(ctx.registry.requestsTo(PATH)).toHaveLength(2);
  });

  it('429 with Retry-After: 1 waits that second, then succeeds', async () => {
    const digest = seed(ctx.registry);
    const times: number[] = [];
    ctx.registry.on({ path: PATH, times: 1 }, (ex) => {
      times.push(Date.now());
      ex.error(429, 'TOOMANYREQUESTS', 'slow down', { 'Retry-After': '1' });
    });
    ctx.registry.on({ path: PATH, times: 1 }, async (ex) => {
      times.push(Date.now());
      await ex.honest();
    });
    const fetched = await settlesWithin(
      client(ctx.registry, { retry: { baseDelayMs: 1, maxDelayMs: 5_000 } }).getManifest('app', 'v1'),
    );
    expect(fetched.descriptor.digest).toBe(digest);
    // The client's own sleep is the lower bound: it cannot ask again sooner.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it('429 with a Retry-After over the limit: REGISTRY_RATE_LIMITED at once, saying how long', async () => {
    seed(ctx.registry);
    ctx.registry.on({ path: PATH }, (ex) =>
      ex.error(429, 'TOOMANYREQUESTS', 'pull rate limit', { 'Retry-After': '86400' }),
    );
    const started = Date.now();
    const error = await rejection(client(ctx.registry).getManifest('app', 'v1'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.code).toBe('REGISTRY_RATE_LIMITED');
    expect(error.message).toContain('TOOMANYREQUESTS: pull rate limit');
    expect(error.message).toContain('86400 s');
    expect(error.message).not.toContain('\n');
    expect(ctx.registry.requestsTo(PATH)).toHaveLength(1);
  });

  it('429 with an absurd Retry-After (hundreds of digits): at once too', async () => {
    seed(ctx.registry);
    ctx.registry.on({ path: PATH }, (ex) =>
      ex.error(429, 'TOOMANYREQUESTS', 'no', { 'Retry-After': '9'.repeat(400) }),
    );
    const error = await rejection(client(ctx.registry).getManifest('app', 'v1'));
    expect(error.code).toBe('REGISTRY_RATE_LIMITED');
    expect(ctx.registry.requestsTo(PATH)).toHaveLength(1);
  });

  it('503 with a Retry-After HTTP date in the past: retried at once', async () => {
    const digest = seed(ctx.registry);
    ctx.registry.on({ path: PATH, times: 1 }, (ex) =>
      ex.send(503, { 'Retry-After': 'Thu, 01 Jan 1970 00:00:00 GMT' }),
    );
    expect((await client(ctx.registry).getManifest('app', 'v1')).descriptor.digest).toBe(digest);
  });

  it('a registry that refuses connections: REGISTRY_UNREACHABLE naming the URL, bounded', async () => {
    const host = ctx.other.host;
    await ctx.other.close();
    const registry = client({ host } as HostileRegistry);
    const error = await settlesWithin(rejection(registry.getManifest('app', 'v1')));
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
    expect(error.message).toContain(`http://${host}/v2/`);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a retried PATCH resends the same chunk', async () => {
    ctx.registry.on({ method: 'PATCH', times: 1 }, (ex) => ex.send(502));
    const payload = Buffer.alloc(3000, 7);
    const registry = client(ctx.registry, { chunkSize: 1024 });
    const ref = await registry.pushBlob('app', payload);
    expect(ctx.registry.blob('app', ref.digest)?.equals(payload)).toBe(true);
    const patches = ctx.registry.requests.filter((request) => request.method === 'PATCH');
    expect(patches.map((patch) => patch.headers['content-range'])).toEqual([
      '0-1023',
      '0-1023',
      '1024-2047',
      '2048-2999',
    ]);
  });
});
