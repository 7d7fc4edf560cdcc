/**
 * The authenticator on its own, with a recorded token service: Basic, Bearer for exactly the
 * scopes asked (anonymous, with credentials, with an identity token's form POST), token reuse
 * until shortly before expiry, and every refusal — no scheme, no credentials, bad realms,
 * unusable token answers — as a typed error without a credential in it.
 */
import { isLayerkitError, type LayerkitError } from '@layerkit/digest';
import type { CredentialsProvider, RegistryCredentials } from '@layerkit/registry';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Authenticator, type TokenRequester } from '../../../../packages/registry/src/auth/authenticator.js';
import { expectNoSecrets, rejection } from '../../../fixtures/credentials-sandbox.js';

const REALM = 'https://auth.example/token';
const BEARER = `Bearer realm="${REALM}",service="registry.example"`;
const PULL = [{ repository: 'team/app', actions: ['pull'] as const }];
const PUSH = [{ repository: 'team/app', actions: ['pull', 'push'] as const }];

type TokenRequest = Parameters<TokenRequester>[0];

/** A token service that records requests and answers `answer(n)` (default: token `t<n>`). */
function tokenService(answer: (n: number) => unknown = (n) => ({ token: `t${n}` })) {
  const requests: TokenRequest[] = [];
  const requester: TokenRequester = async (request) => {
    requests.push(request);
    const body = answer(requests.length);
    return body instanceof Uint8Array ? body : new TextEncoder().encode(JSON.stringify(body));
  };
  return { requests, requester };
}

function authenticator(
  challenge: string | null,
  credentials?: RegistryCredentials,
  service = tokenService(),
): { auth: Authenticator; service: ReturnType<typeof tokenService>; asked: [string, string][] } {
  const asked: [string, string][] = [];
  const provider: CredentialsProvider = async (registry, repository) => {
    asked.push([registry, repository]);
    return credentials;
  };
  const auth = new Authenticator('registry.example', provider, service.requester);
  if (challenge !== null) auth.learn(challenge);
  return { auth, service, asked };
}

afterEach(() => vi.restoreAllMocks());

describe('before any challenge', () => {
  it('no Authorization, and no credential lookup', async () => {
    const { auth, asked } = authenticator(null, { username: 'u', password: 'p' });
    expect(auth.knowsScheme).toBe(false);
    expect(await auth.authorization(PULL)).toBeUndefined();
    expect(asked).toEqual([]);
  });
});

describe('learn', () => {
  it.each([
    ['no header', null],
    ['an empty header', ''],
    ['only schemes layerkit does not speak', 'Negotiate, Digest realm="x", NTLM'],
  ])('%s: REGISTRY_UNAUTHORIZED naming the registry', (_, header) => {
    const auth = new Authenticator('registry.example', undefined, tokenService().requester);
    let error: unknown;
    try {
      auth.learn(header);
    } catch (thrown) {
      error = thrown;
    }
    expect(isLayerkitError(error, 'REGISTRY_UNAUTHORIZED')).toBe(true);
    expect((error as LayerkitError).message).toContain('registry.example');
  });

  it('prefers Bearer over Basic, in whatever order they come', async () => {
    const { auth } = authenticator(`Basic realm="x", ${BEARER}`);
    expect(await auth.authorization(PULL)).toBe('Bearer t1');
  });
});

describe('Basic', () => {
  it('the credentials of the repository, base64 of UTF-8; asked once per repository', async () => {
    const { auth, asked } = authenticator('Basic realm="r"', { username: 'jürgen', password: 'pässwörd:x' });
    const expected = `Basic ${Buffer.from('jürgen:pässwörd:x', 'utf8').toString('base64')}`;
    expect(await auth.authorization(PULL)).toBe(expected);
    expect(await auth.authorization(PUSH)).toBe(expected);
    expect(asked).toEqual([['registry.example', 'team/app']]);
  });

  it('a credential lookup that failed is asked again next time (a locked keychain may open)', async () => {
    let calls = 0;
    const provider: CredentialsProvider = async () => {
      calls++;
      if (calls === 1) throw new Error('keychain locked');
      return { username: 'u', password: 'p' };
    };
    const auth = new Authenticator('registry.example', provider, tokenService().requester);
    auth.learn('Basic realm="r"');
    await expect(auth.authorization(PULL)).rejects.toThrow('keychain locked');
    expect(await auth.authorization(PULL)).toBe(`Basic ${btoa('u:p')}`);
    expect(await auth.authorization(PULL)).toBe(`Basic ${btoa('u:p')}`);
    expect(calls).toBe(2);
  });

  it('no credentials: REGISTRY_UNAUTHORIZED saying how to give some', async () => {
    const { auth } = authenticator('Basic realm="r"');
    const error = await rejection(auth.authorization(PULL));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain('--creds');
  });

  it('an identity token where a password is needed: REGISTRY_UNAUTHORIZED, the token not shown', async () => {
    const { auth } = authenticator('Basic realm="r"', { identityToken: 'IDENTITY-SECRET' });
    const error = await rejection(auth.authorization(PULL));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expectNoSecrets(error, ['IDENTITY-SECRET']);
  });
});

describe('Bearer', () => {
  it('anonymous: a GET of the realm with service and scope, no Authorization', async () => {
    const { auth, service } = authenticator(BEARER);
    expect(await auth.authorization(PULL)).toBe('Bearer t1');
    expect(service.requests).toEqual([
      {
        method: 'GET',
        url: `${REALM}?service=registry.example&scope=repository%3Ateam%2Fapp%3Apull`,
        headers: {},
      },
    ]);
  });

  it('with credentials: Basic to the realm; one scope parameter per repository', async () => {
    const { auth, service } = authenticator(BEARER, { username: 'alice', password: 'PW-SECRET' });
    await auth.authorization([...PUSH, { repository: 'base/os', actions: ['pull'] }]);
    const [request] = service.requests;
    expect(request!.headers).toEqual({
      Authorization: `Basic ${Buffer.from('alice:PW-SECRET').toString('base64')}`,
    });
    expect(new URL(request!.url).searchParams.getAll('scope')).toEqual([
      'repository:team/app:pull,push',
      'repository:base/os:pull',
    ]);
  });

  it("no scopes asked: the challenge's own scope; a realm's query is kept", async () => {
    const { auth, service } = authenticator(
      `Bearer realm="${REALM}?account=x",service="s",scope="registry:catalog:*"`,
    );
    await auth.authorization([]);
    const url = new URL(service.requests[0]!.url);
    expect(url.searchParams.get('account')).toBe('x');
    expect(url.searchParams.getAll('scope')).toEqual(['registry:catalog:*']);
  });

  it('no service in the challenge: none sent', async () => {
    const { auth, service } = authenticator(`Bearer realm="${REALM}"`);
    await auth.authorization(PULL);
    expect(new URL(service.requests[0]!.url).searchParams.has('service')).toBe(false);
  });

  it('an identity token: a form POST (refresh_token grant), no Basic header', async () => {
    const { auth, service } = authenticator(BEARER, { identityToken: 'REFRESH-SECRET', username: 'alice' });
    expect(await auth.authorization(PUSH)).toBe('Bearer t1');
    const [request] = service.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(REALM);
    expect(request!.headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(new URLSearchParams(new TextDecoder().decode(request!.body)))).toEqual({
      grant_type: 'refresh_token',
      client_id: 'layerkit',
      refresh_token: 'REFRESH-SECRET',
      service: 'registry.example',
      scope: 'repository:team/app:pull,push',
    });
  });

  it('`access_token` is accepted where `token` is missing; `token` wins when both are there', async () => {
    let answer: unknown = { access_token: 'oauth' };
    const { auth } = authenticator(
      BEARER,
      undefined,
      tokenService(() => answer),
    );
    expect(await auth.authorization(PULL)).toBe('Bearer oauth');
    answer = { token: 'tok', access_token: 'oauth' };
    expect(await auth.authorization(PUSH)).toBe('Bearer tok');
  });
});

describe('Bearer token reuse', () => {
  it('one token per set of scopes, whatever their order; another set asks again', async () => {
    const { auth, service } = authenticator(BEARER);
    const a = { repository: 'a', actions: ['pull'] as const };
    const b = { repository: 'b', actions: ['pull'] as const };
    expect(await auth.authorization([a, b])).toBe('Bearer t1');
    expect(await auth.authorization([b, a])).toBe('Bearer t1');
    expect(await auth.authorization([a])).toBe('Bearer t2');
    expect(service.requests).toHaveLength(2);
  });

  it('a refused token is fetched anew; a newer one than the refused is kept', async () => {
    const { auth, service } = authenticator(BEARER);
    expect(await auth.authorization(PULL)).toBe('Bearer t1');
    expect(await auth.authorization(PULL, 'Bearer t1')).toBe('Bearer t2');
    expect(await auth.authorization(PULL, 'Bearer t1')).toBe('Bearer t2');
    expect(await auth.authorization(PULL)).toBe('Bearer t2');
    expect(service.requests).toHaveLength(2);
  });

  it('concurrent requests for one scope share one token fetch', async () => {
    const { auth, service } = authenticator(BEARER);
    const headers = await Promise.all([1, 2, 3, 4].map(() => auth.authorization(PULL)));
    expect(headers).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1', 'Bearer t1']);
    expect(service.requests).toHaveLength(1);
  });

  it('renewed 10 s before expires_in runs out', async () => {
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const { auth } = authenticator(
      BEARER,
      undefined,
      tokenService((n) => ({ token: `t${n}`, expires_in: 300 })),
    );
    expect(await auth.authorization(PULL)).toBe('Bearer t1');
    now += 289_000;
    expect(await auth.authorization(PULL)).toBe('Bearer t1');
    now += 2_000;
    expect(await auth.authorization(PULL)).toBe('Bearer t2');
  });

  it.each([
    ['missing', undefined],
    ['zero', 0],
    ['negative', -5],
    ['not a number', '300'],
  ])('expires_in %s: 60 s, as distribution says', async (_, expiresIn) => {
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const { auth } = authenticator(
      BEARER,
      undefined,
      tokenService((n) => ({ token: `t${n}`, expires_in: expiresIn })),
    );
    await auth.authorization(PULL);
    now += 49_000;
    expect(await auth.authorization(PULL)).toBe('Bearer t1');
    now += 2_000;
    expect(await auth.authorization(PULL)).toBe('Bearer t2');
  });
});

describe('Bearer refusals', () => {
  it.each([
    ['no realm', 'Bearer service="s"'],
    ['an empty realm', 'Bearer realm=""'],
    ['a relative realm', 'Bearer realm="/token"'],
    ['a realm that is no URL', 'Bearer realm="not a url"'],
    ['a file: realm', 'Bearer realm="file:///etc/passwd"'],
    ['a data: realm', 'Bearer realm="data:application/json,{}"'],
    ['an ftp: realm', 'Bearer realm="ftp://auth.example/token"'],
  ])('%s: REGISTRY_PROTOCOL_ERROR, the token service never asked', async (_, challenge) => {
    const { auth, service } = authenticator(challenge, { username: 'alice', password: 'PW-SECRET' });
    const error = await rejection(auth.authorization(PULL));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toContain('registry.example');
    expect(error.message).toContain('realm');
    expect(service.requests).toEqual([]);
    expectNoSecrets(error, ['PW-SECRET']);
  });

  it.each([
    ['no JSON', new TextEncoder().encode('<html>')],
    ['JSON null', null],
    ['a JSON string', 'token'],
    ['an array', ['t']],
    ['no token', {}],
    ['an empty token', { token: '' }],
    ['a number', { token: 5 }],
    ['a line break', { token: 'a\r\nb' }],
    ['a NUL', { token: 'a\u0000b' }],
    ['a space', { token: 'a b' }],
    ['non-ASCII', { token: 'tök' }],
    ['a DEL', { token: 'a\u007f' }],
  ])('a token answer with %s: REGISTRY_PROTOCOL_ERROR', async (_, body) => {
    const { auth } = authenticator(
      BEARER,
      undefined,
      tokenService(() => body),
    );
    const error = await rejection(auth.authorization(PULL));
    expect(error.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(error.message).toBe('registry.example: the token service answered no usable token');
  });

  it('a failing token service: its error, unchanged', async () => {
    const failure = new Error('down');
    const auth = new Authenticator('registry.example', undefined, async () => {
      throw failure;
    });
    auth.learn(BEARER);
    await expect(auth.authorization(PULL)).rejects.toBe(failure);
  });

  it('JWT-shaped tokens with every b64token character pass', async () => {
    const token = 'eyJhbGciOi.JSUzI1NiJ9-_~+/abc==';
    const { auth } = authenticator(
      BEARER,
      undefined,
      tokenService(() => ({ token })),
    );
    expect(await auth.authorization(PULL)).toBe(`Bearer ${token}`);
  });
});
