import { createPrivateKey, randomBytes, sign, timingSafeEqual, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SigningIdentity } from './tls.js';

/** What one user may do: `actions` on repositories whose name matches `repositories`. */
interface Grant {
  /** A repository name, or a prefix ending in `*` (`*` alone: every repository). */
  readonly repositories: string;
  readonly actions: readonly string[];
}

/** Who may do what (only `repository` scopes are granted); {@link ANONYMOUS}: no credentials. */
const ANONYMOUS = '';
const GRANTS: Readonly<Record<string, readonly Grant[]>> = {
  alice: [{ repositories: '*', actions: ['pull', 'push', 'delete'] }],
  bob: [{ repositories: '*', actions: ['pull'] }],
  [ANONYMOUS]: [{ repositories: 'public/*', actions: ['pull'] }],
};

/** Seconds a token is valid (`expires_in`): long enough that a test never sees one expire. */
const TOKEN_LIFETIME = 300;

/** One request the token issuer answered. */
export interface TokenRequest {
  /** The Basic-auth user (also when its password was wrong); `null` without credentials. */
  readonly user: string | null;
  /** Every `scope` parameter, as sent (`repository:NAME:pull,push`). */
  readonly scopes: readonly string[];
  /** 200; 400 when `service` is missing or not the registry's; 401 for wrong credentials. */
  readonly status: number;
  /** What the token grants, as scopes (`repository:NAME:pull`); empty for a 401. */
  readonly granted: readonly string[];
}

/** A Docker token server (the `auth: token` realm) on 127.0.0.1. */
export interface TokenIssuer {
  /** `http(s)://127.0.0.1:PORT/token`: the registry's `realm`. */
  readonly realm: string;
  /** The registry's `service` (the token's `aud`). */
  readonly service: string;
  /** The registry's `issuer` (the token's `iss`). */
  readonly issuer: string;
  /** Every request answered, in order. */
  requests(): TokenRequest[];
  /** A token for `user` and `scopes` made directly, without a request (for the harness's own reads). */
  mint(user: string, scopes: readonly string[]): string;
  stop(): Promise<void>;
}

/** What the token's `access` claim holds per resource. */
interface ResourceActions {
  readonly type: string;
  readonly name: string;
  readonly actions: string[];
}

const base64url = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** What `user` gets of one `type:name:actions` scope; undefined for a malformed one. */
function grantFor(user: string, scope: string): ResourceActions | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first === -1 || last === first) return undefined;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const wanted = scope.slice(last + 1).split(',');
  if (type !== 'repository') return { type, name, actions: [] };
  const allowed = new Set(
    (GRANTS[user] ?? [])
      .filter((grant) => matches(grant.repositories, name))
      .flatMap((grant) => grant.actions),
  );
  return { type, name, actions: wanted.filter((action) => allowed.has(action)) };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The user and password of a `Basic` Authorization header; undefined without one. */
function basicCredentials(authorization: string | undefined): { user: string; password: string } | undefined {
  if (!authorization?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(authorization.slice('basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1
    ? { user: decoded, password: '' }
    : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, ...headers });
  res.end(bytes);
}

/**
 * Starts a token issuer implementing the Docker token protocol: `GET /token?service=…&scope=…`
 * with optional Basic credentials checked against `users`. It answers
 * `{token, access_token, expires_in, issued_at}` with an ES256 JWT whose `x5c` header holds
 * `signing`'s certificate: distribution 2.8 verifies that chain against its `rootcertbundle`
 * (= `signing.certFile`). Wrong credentials get a 401; scopes a user may not have are left out
 * of the token (the registry then refuses the request), as real token servers do.
 * Served over TLS when `tls` is given (the registry's certificate, so clients trust one CA).
 */
export async function startTokenIssuer(options: {
  readonly users: Readonly<Record<string, string>>;
  readonly signing: SigningIdentity;
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
}): Promise<TokenIssuer> {
  const { users, signing, tls } = options;
  const service = 'layerkit-interop-registry';
  const issuer = 'layerkit-interop-token-issuer';
  const key = createPrivateKey(readFileSync(signing.keyFile));
  const header = base64url(
    JSON.stringify({
      typ: 'JWT',
      alg: 'ES256',
      x5c: [new X509Certificate(readFileSync(signing.certFile)).raw.toString('base64')],
    }),
  );
  const log: TokenRequest[] = [];

  function mintAccess(user: string, access: readonly ResourceActions[]): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = base64url(
      JSON.stringify({
        iss: issuer,
        sub: user,
        // distribution 2.8 reads `aud` as a single string, not an array
        aud: service,
        exp: now + TOKEN_LIFETIME,
        nbf: now,
        iat: now,
        jti: randomBytes(16).toString('hex'),
        access,
      }),
    );
    // JWS ES256 wants the raw r‖s signature, not node's default DER
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    return `${header}.${claims}.${base64url(signature)}`;
  }

  const grants = (user: string, scopes: readonly string[]) =>
    scopes.flatMap((scope) => grantFor(user, scope) ?? []);

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://issuer');
    if (req.method !== 'GET' || url.pathname !== '/token') {
      send(res, 404, { errors: [{ code: 'NOT_FOUND', message: `${req.method} ${url.pathname}` }] });
      return;
    }
    const scopes = url.searchParams.getAll('scope').flatMap((scope) => scope.split(' ').filter(Boolean));
    const credentials = basicCredentials(req.headers.authorization);
    const user = credentials?.user ?? null;
    const refuse = (status: number, code: string, message: string, headers?: Record<string, string>) => {
      log.push({ user, scopes, status, granted: [] });
      send(res, status, { errors: [{ code, message }] }, headers);
    };
    // a client must echo the service of the registry's challenge
    if (url.searchParams.get('service') !== service) {
      refuse(400, 'INVALID_REQUEST', `service must be ${service}`);
      return;
    }
    if (credentials) {
      const expected = users[credentials.user];
      if (expected === undefined || !sameSecret(credentials.password, expected)) {
        refuse(401, 'UNAUTHORIZED', 'wrong user name or password', {
          'WWW-Authenticate': 'Basic realm="layerkit-interop-token-issuer"',
        });
        return;
      }
    }
    const access = grants(user ?? ANONYMOUS, scopes);
    log.push({
      user,
      scopes,
      status: 200,
      granted: access
        .filter((resource) => resource.actions.length > 0)
        .map((resource) => `${resource.type}:${resource.name}:${resource.actions.join(',')}`),
    });
    const token = mintAccess(user ?? ANONYMOUS, access);
    send(res, 200, {
      token,
      access_token: token,
      expires_in: TOKEN_LIFETIME,
      issued_at: new Date().toISOString(),
    });
  }

  const server = tls
    ? createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handle)
    : createHttpServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // port 0: the kernel picks a free one while the socket is held, so nothing can take it
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    realm: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/token`,
    service,
    issuer,
    requests: () => [...log],
    mint: (user, scopes) => mintAccess(user, grants(user, scopes)),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // clients' keep-alive connections would hold close() open
        server.closeAllConnections();
      }),
  };
}
