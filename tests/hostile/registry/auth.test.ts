/**
 * Authentication against a registry and token service that misbehave: Basic and Bearer done
 * right (scopes, one token reused, a refused token renewed once), then invalid realms, token
 * answers that are garbage, token services that redirect elsewhere (Basic credentials must not
 * follow), and challenges layerkit cannot answer. No credential ever shows in an error.
 */
import { describe, expect, it } from 'vitest';
import { expectNoSecrets } from '../../fixtures/credentials-sandbox.js';
import {
  manifestBytes,
  OCI_MANIFEST,
  rejection,
  seedBlob,
  settlesWithin,
  TRANSPORTS,
  useRegistries,
} from './fixture.js';
import type { HostileRegistry } from './hostile-registry.js';

const ctx = useRegistries();
const PASSWORD = 'S3CRET-PASSWORD';
const CREDS = { username: 'alice', password: PASSWORD };
const BASIC = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;

function seed(registry: HostileRegistry): string {
  const config = registry.putBlob('team/app', Buffer.from('{}'));
  return registry.putManifest('team/app', manifestBytes(config, []), OCI_MANIFEST, 'v1');
}

/** Answers every 401 challenge with `challenge` (the honest registry otherwise). */
function challengeWith(registry: HostileRegistry, challenge: string): void {
  registry.on({ path: /^\/v2\// }, (ex) => {
    if (ex.request.headers.authorization === undefined)
      return ex.error(401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': challenge });
    return ex.honest();
  });
}

describe.each(TRANSPORTS)('authentication over the $name', ({ client }) => {
  it('Basic: the credentials go with every request to the registry', async () => {
    ctx.registry.auth = { scheme: 'basic', ...CREDS };
    const digest = seed(ctx.registry);
    const registry = client(ctx.registry, { creds: CREDS });
    expect((await registry.getManifest('team/app', 'v1')).descriptor.digest).toBe(digest);
    const sent = ctx.registry.requestsTo('/v2/team/app/manifests/v1');
    expect(sent.at(-1)!.headers.authorization).toBe(BASIC);
  });

  it('Basic with a wrong password: REGISTRY_UNAUTHORIZED naming the URL, no secret in it', async () => {
    ctx.registry.auth = { scheme: 'basic', ...CREDS };
    seed(ctx.registry);
    const registry = client(ctx.registry, { creds: { username: 'alice', password: 'WRONG-PW-123' } });
    const error = await rejection(registry.getManifest('team/app', 'v1'));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain(`${ctx.registry.origin}/v2/team/app/manifests/v1`);
    expectNoSecrets(error, ['WRONG-PW-123', Buffer.from('alice:WRONG-PW-123').toString('base64')]);
  });

  it('Basic without credentials: REGISTRY_UNAUTHORIZED saying so', async () => {
    ctx.registry.auth = { scheme: 'basic', ...CREDS };
    seed(ctx.registry);
    const error = await rejection(client(ctx.registry).getManifest('team/app', 'v1'));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain(ctx.registry.host);
    expect(error.message).toContain('requires credentials');
  });

  it('Bearer, anonymous: one token for the pull scope, reused', async () => {
    ctx.registry.auth = { scheme: 'bearer' };
    const digest = seed(ctx.registry);
    const registry = client(ctx.registry);
    await registry.getManifest('team/app', 'v1');
    await registry.getManifest('team/app', digest);
    expect(ctx.registry.tokenRequests).toEqual([{ method: 'GET', scopes: ['repository:team/app:pull'] }]);
    expect(ctx.registry.requestsTo('/token')[0]!.url).toContain('service=hostile');
  });

  it('Bearer with credentials: Basic to the realm, pull,push scope for pushes, the source scope for mounts', async () => {
    ctx.registry.auth = { scheme: 'bearer', ...CREDS };
    const { ref } = seedBlob(ctx.registry, 'base/os', 1, 100);
    const registry = client(ctx.registry, { creds: CREDS });
    expect(await registry.mountBlob('team/app', ref.digest, 'base/os')).toBe(true);
    await registry.pushBlob('team/app', Buffer.from('new blob'));
    expect(ctx.registry.tokenRequests.map((request) => request.authorization)).toEqual([BASIC, BASIC, BASIC]);
    // The mount, then pushBlob's HEAD (pull only), then its upload (pull,push).
    expect(ctx.registry.tokenRequests.map((request) => request.scopes)).toEqual([
      ['repository:team/app:pull,push', 'repository:base/os:pull'],
      ['repository:team/app:pull'],
      ['repository:team/app:pull,push'],
    ]);
  });

  it('a token the registry stops accepting: renewed once, then the request succeeds', async () => {
    ctx.registry.auth = { scheme: 'bearer' };
    const digest = seed(ctx.registry);
    const registry = client(ctx.registry);
    await registry.getManifest('team/app', 'v1');
    ctx.registry.on({ path: '/v2/team/app/manifests/v1', times: 1 }, (ex) =>
      ex.error(401, 'UNAUTHORIZED', 'token expired', {
        'WWW-Authenticate': `Bearer realm="${ctx.registry.origin}/token",service="hostile",error="invalid_token"`,
      }),
    );
    expect((await registry.getManifest('team/app', 'v1')).descriptor.digest).toBe(digest);
    expect(ctx.registry.tokenRequests).toHaveLength(2);
  });

  it('a registry that refuses every token: REGISTRY_UNAUTHORIZED after one renewal', async () => {
    ctx.registry.auth = { scheme: 'bearer' };
    seed(ctx.registry);
    ctx.registry.on({ path: '/v2/team/app/manifests/v1' }, (ex) =>
      ex.error(401, 'UNAUTHORIZED', 'denied', {
        'WWW-Authenticate': `Bearer realm="${ctx.registry.origin}/token",service="hostile"`,
      }),
    );
    const error = await rejection(client(ctx.registry).getManifest('team/app', 'v1'));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain('UNAUTHORIZED: denied');
    expect(ctx.registry.requestsTo('/v2/team/app/manifests/v1')).toHaveLength(2);
  });

  it('the identity token is exchanged with a form POST, and is never sent elsewhere', async () => {
    ctx.registry.auth = { scheme: 'bearer', username: 'alice', password: 'REFRESH-TOKEN-9' };
    seed(ctx.registry);
    const registry = client(ctx.registry, { creds: { identityToken: 'REFRESH-TOKEN-9' } as never });
    await registry.getManifest('team/app', 'v1');
    const [token] = ctx.registry.tokenRequests;
    expect(token!.method).toBe('POST');
    expect(Object.fromEntries(token!.form!)).toEqual({
      grant_type: 'refresh_token',
      client_id: 'layerkit',
      refresh_token: 'REFRESH-TOKEN-9',
      service: 'hostile',
      scope: 'repository:team/app:pull',
    });
    for (const request of ctx.registry.requests.filter((r) => r.path !== '/token')) {
      expect(JSON.stringify(request.headers)).not.toContain('REFRESH-TOKEN-9');
    }
  });

  it.each([
    ['no realm', 'Bearer service="hostile"'],
    ['a realm that is not a URL', 'Bearer realm="not a url",service="hostile"'],
    ['a realm that is not HTTP', 'Bearer realm="file:///etc/passwd",service="hostile"'],
    ['a realm in another scheme', 'Bearer realm="ftp://127.0.0.1:1/token",service="hostile"'],
  ])(
    'a Bearer challenge with %s: REGISTRY_PROTOCOL_ERROR at once, naming the registry',
    async (_, challenge) => {
      seed(ctx.registry);
      challengeWith(ctx.registry, challenge);
      const error = await settlesWithin(rejection(client(ctx.registry).getManifest('team/app', 'v1')));
      expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
      expect(error.message).toContain(ctx.registry.host);
      expect(error.message).toContain('realm');
      // The ping learnt the challenge; the manifest request is never sent, nothing is retried.
      expect(ctx.registry.requests.map((request) => request.path)).toEqual(['/v2/']);
    },
  );

  it.each([
    ['Basic credentials', CREDS],
    ['an identity token', { identityToken: 'REFRESH-TOKEN-9' } as never],
  ])('%s: never sent to a plain-HTTP realm on another host: REGISTRY_PROTOCOL_ERROR', async (_, creds) => {
    seed(ctx.registry);
    // token.invalid cannot resolve: the refusal comes before any connection.
    challengeWith(ctx.registry, 'Bearer realm="http://token.invalid/token",service="hostile"');
    const error = await settlesWithin(
      rejection(client(ctx.registry, { creds }).getManifest('team/app', 'v1')),
    );
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain('http://token.invalid is not HTTPS');
    expectNoSecrets(error, [PASSWORD, 'REFRESH-TOKEN-9']);
    expect(ctx.registry.requests.map((request) => request.path)).toEqual(['/v2/']);
  });

  it.each([
    ['HTML', '<html>login</html>'],
    ['JSON null', 'null'],
    ['an empty object', '{}'],
    ['an empty token', '{"token": ""}'],
    ['a number', '{"token": 42}'],
    ['a token with a line break', '{"token": "abc\\r\\nX-Injected: 1"}'],
    ['a token with a control character', '{"token": "abc\\u0000def"}'],
    ['a token with non-ASCII text', '{"token": "tökén"}'],
    ['a token with a space', '{"token": "abc def"}'],
  ])('a token service answering %s: REGISTRY_PROTOCOL_ERROR, once', async (_, body) => {
    seed(ctx.registry);
    challengeWith(ctx.registry, `Bearer realm="${ctx.other.origin}/token",service="hostile"`);
    ctx.other.on({ path: '/token' }, (ex) => ex.send(200, { 'Content-Type': 'application/json' }, body));
    const error = await settlesWithin(rejection(client(ctx.registry).getManifest('team/app', 'v1')));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(ctx.registry.host);
    expect(error.message).toContain('token');
    expect(ctx.other.requestsTo('/token')).toHaveLength(1);
  });

  it('a token over 1 MiB: REGISTRY_PROTOCOL_ERROR naming the token URL', async () => {
    seed(ctx.registry);
    challengeWith(ctx.registry, `Bearer realm="${ctx.other.origin}/token?secret=1",service="hostile"`);
    ctx.other.on({ path: '/token' }, (ex) =>
      ex.send(200, { 'Content-Type': 'application/json' }, `{"token": "${'a'.repeat(2 * 1024 * 1024)}"}`),
    );
    const error = await rejection(client(ctx.registry).getManifest('team/app', 'v1'));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain(`${ctx.other.origin}/token`);
    expect(error.message).not.toContain('secret=1');
  });

  it('a token service that refuses the credentials: REGISTRY_UNAUTHORIZED, no secret shown', async () => {
    ctx.registry.auth = { scheme: 'bearer', ...CREDS };
    seed(ctx.registry);
    const registry = client(ctx.registry, { creds: { username: 'alice', password: 'WRONG-PW-456' } });
    const error = await rejection(registry.getManifest('team/app', 'v1'));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain(`token for ${ctx.registry.host}`);
    expectNoSecrets(error, ['WRONG-PW-456', Buffer.from('alice:WRONG-PW-456').toString('base64')]);
  });

  it('a token service that keeps failing: retried, then REGISTRY_ERROR', async () => {
    seed(ctx.registry);
    challengeWith(ctx.registry, `Bearer realm="${ctx.other.origin}/token",service="hostile"`);
    ctx.other.on({ path: '/token' }, (ex) => ex.send(500));
    const error = await rejection(
      client(ctx.registry, { retry: { attempts: 3, baseDelayMs: 1 } }).getManifest('team/app', 'v1'),
    );
    expect(error.code).toBe('REGISTRY_ERROR');
    expect(error.message).toContain(`${ctx.other.origin}/token`);
    expect(ctx.other.requestsTo('/token')).toHaveLength(3);
  });

  it('a token service that redirects to another host: the Basic credentials do not follow', async () => {
    ctx.registry.auth = { scheme: 'bearer', ...CREDS };
    const digest = seed(ctx.registry);
    ctx.registry.on({ path: '/token' }, (ex) => ex.send(307, { Location: `${ctx.other.origin}/token` }));
    ctx.other.on({ path: '/token' }, (ex) => ex.send(200, {}, '{"token": "from-elsewhere"}'));
    ctx.registry.on({ path: '/v2/team/app/manifests/v1' }, async (ex) => {
      const stored = ctx.registry.manifest('team/app', 'v1')!;
      if (ex.request.headers.authorization === 'Bearer from-elsewhere')
        return ex.send(200, { 'Content-Type': stored.mediaType }, stored.bytes);
      return ex.error(401, 'UNAUTHORIZED', 'no', {
        'WWW-Authenticate': `Bearer realm="${ctx.registry.origin}/token",service="hostile"`,
      });
    });
    const registry = client(ctx.registry, { creds: CREDS });
    expect((await registry.getManifest('team/app', 'v1')).descriptor.digest).toBe(digest);
    expect(ctx.registry.requestsTo('/token')[0]!.headers.authorization).toBe(BASIC);
    expect(ctx.other.requestsTo('/token')).toHaveLength(1);
    expect(ctx.other.requestsTo('/token')[0]!.headers.authorization).toBeUndefined();
  });

  it.each([
    ['no WWW-Authenticate', undefined],
    ['a scheme layerkit does not speak', 'Negotiate'],
  ])('a 401 with %s: REGISTRY_UNAUTHORIZED naming the registry', async (_, challenge) => {
    seed(ctx.registry);
    ctx.registry.on({ path: /^\/v2\// }, (ex) =>
      ex.error(401, 'UNAUTHORIZED', 'no', challenge === undefined ? {} : { 'WWW-Authenticate': challenge }),
    );
    const error = await rejection(client(ctx.registry, { creds: CREDS }).getManifest('team/app', 'v1'));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain(ctx.registry.host);
    expectNoSecrets(error, [PASSWORD]);
  });

  it('a registry that asks for nothing at /v2/ but challenges a repository: learns then, succeeds', async () => {
    ctx.registry.auth = { scheme: 'bearer' };
    const digest = seed(ctx.registry);
    ctx.registry.on({ path: '/v2/' }, (ex) => ex.send(200, {}, '{}'));
    expect((await client(ctx.registry).getManifest('team/app', 'v1')).descriptor.digest).toBe(digest);
    expect(ctx.registry.requestsTo('/v2/team/app/manifests/v1')).toHaveLength(2);
  });
});
