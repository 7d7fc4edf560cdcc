/**
 * Authorization for one registry host, as Docker and containerd do it: learn the scheme from
 * the first challenge (`GET /v2/` or any 401), then send Basic credentials, or Bearer tokens
 * obtained from the challenge's realm for exactly the scopes a request needs. Tokens are
 * reused until they expire; credentials are asked for once per repository and never logged.
 */
import { LayerkitError } from '@layerkit/digest';
import { base64Utf8 } from './base64.js';
import { type Challenge, parseChallenges } from './challenge.js';
import type { CredentialsProvider, RegistryCredentials } from './credentials.js';
import { formatScope, type RepositoryScope, scopesKey } from './scope.js';

/** How the authenticator asks a token realm (the client's request machinery, without auth). */
export type TokenRequester = (request: {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Uint8Array;
}) => Promise<Uint8Array>;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** A token is renewed this long before it expires (a request may take a while to arrive). */
const EXPIRY_MARGIN_MS = 10_000;
/** distribution: a token without `expires_in` lives 60 s. */
const DEFAULT_TOKEN_SECONDS = 60;
/**
 * What a token may hold to be sent as `Bearer TOKEN`: visible ASCII (RFC 6750's b64token and
 * the opaque tokens registries hand out). Anything else could not be sent, or would change the
 * header: a transport refuses it, or worse, sends it.
 */
const TOKEN_TEXT = /^[\x21-\x7e]+$/;

function unauthorized(registry: string, why: string): LayerkitError {
  return new LayerkitError('REGISTRY_UNAUTHORIZED', `${registry}: ${why}`, { registry });
}

/** Authorization state for one registry host. */
export class Authenticator {
  readonly #registry: string;
  readonly #credentials: CredentialsProvider | undefined;
  readonly #requestToken: TokenRequester;
  #challenge: Challenge | undefined;
  readonly #tokens = new Map<string, Promise<CachedToken>>();
  readonly #credentialsByRepository = new Map<string, Promise<RegistryCredentials | undefined>>();

  constructor(registry: string, credentials: CredentialsProvider | undefined, requestToken: TokenRequester) {
    this.#registry = registry;
    this.#credentials = credentials;
    this.#requestToken = requestToken;
  }

  /** Records the challenge of a 401 answer (from `GET /v2/` or any request). */
  learn(wwwAuthenticate: string | null): void {
    const challenges = parseChallenges(wwwAuthenticate ?? '');
    const chosen =
      challenges.find((challenge) => challenge.scheme === 'bearer') ??
      challenges.find((challenge) => challenge.scheme === 'basic');
    if (chosen === undefined) {
      throw unauthorized(
        this.#registry,
        'the registry asks for authentication in a scheme layerkit does not speak',
      );
    }
    this.#challenge = chosen;
  }

  /** True once the registry said how it wants to be authenticated. */
  get knowsScheme(): boolean {
    return this.#challenge !== undefined;
  }

  /**
   * The `Authorization` header for a request needing `scopes`, or undefined where the registry
   * asked for nothing (yet). `refused` is a header the registry just answered 401 to: a cached
   * token equal to it is fetched anew (others' newer tokens are kept).
   */
  async authorization(scopes: readonly RepositoryScope[], refused?: string): Promise<string | undefined> {
    const challenge = this.#challenge;
    if (challenge === undefined) return undefined;
    const credentials = await this.#credentialsFor(scopes[0]?.repository ?? '');
    if (challenge.scheme === 'basic') {
      if (credentials === undefined) {
        throw unauthorized(
          this.#registry,
          'the registry requires credentials (--creds, or log in with podman/docker)',
        );
      }
      if (!('password' in credentials)) {
        throw unauthorized(
          this.#registry,
          'the registry requires a username and password, not an identity token',
        );
      }
      return `Basic ${base64Utf8(`${credentials.username}:${credentials.password}`)}`;
    }
    const key = scopesKey(scopes);
    let pending = this.#tokens.get(key);
    if (pending !== undefined) {
      // A token still being fetched is shared: concurrent requests for one scope ask once.
      const cached = await pending.catch(() => undefined);
      const usable =
        cached !== undefined &&
        cached.expiresAt - EXPIRY_MARGIN_MS > Date.now() &&
        `Bearer ${cached.token}` !== refused;
      if (usable) return `Bearer ${cached.token}`;
      if (this.#tokens.get(key) === pending) this.#tokens.delete(key);
    }
    pending = this.#tokens.get(key);
    if (pending === undefined) {
      pending = this.#fetchToken(challenge, scopes, credentials);
      this.#tokens.set(key, pending);
      // A refused or failed fetch is not kept: the next request asks again.
      pending.catch(() => {
        if (this.#tokens.get(key) === pending) this.#tokens.delete(key);
      });
    }
    return `Bearer ${(await pending).token}`;
  }

  /** True when the registry asked for Basic: resending the same credentials cannot help. */
  get usesBasic(): boolean {
    return this.#challenge?.scheme === 'basic';
  }

  #credentialsFor(repository: string): Promise<RegistryCredentials | undefined> {
    let found = this.#credentialsByRepository.get(repository);
    if (found === undefined) {
      found = this.#credentials?.(this.#registry, repository) ?? Promise.resolve(undefined);
      this.#credentialsByRepository.set(repository, found);
      // Keep answers, not failures: a lookup that failed (a locked keychain) is asked again.
      found.catch(() => this.#credentialsByRepository.delete(repository));
    }
    return found;
  }

  async #fetchToken(
    challenge: Challenge,
    scopes: readonly RepositoryScope[],
    credentials: RegistryCredentials | undefined,
  ): Promise<CachedToken> {
    const realm = challenge.params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? '');
      // Only HTTP(S) realms: a file:, data: or ftp: realm is no token service.
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(url.protocol);
    } catch {
      throw new LayerkitError(
        'REGISTRY_PROTOCOL_ERROR',
        `${this.#registry}: the Bearer challenge has no valid realm`,
        {
          registry: this.#registry,
        },
      );
    }
    const service = challenge.params.service;
    const scopeTexts =
      scopes.length > 0 ? scopes.map(formatScope) : challenge.params.scope ? [challenge.params.scope] : [];
    let bytes: Uint8Array;
    if (credentials !== undefined && 'identityToken' in credentials) {
      // An identity token is an OAuth2 refresh token: exchanged with a form POST.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'layerkit',
        refresh_token: credentials.identityToken,
      });
      if (service !== undefined) form.set('service', service);
      if (scopeTexts.length > 0) form.set('scope', scopeTexts.join(' '));
      bytes = await this.#requestToken({
        url: url.href,
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new TextEncoder().encode(form.toString()),
      });
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      for (const scope of scopeTexts) url.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credentials !== undefined) {
        headers.Authorization = `Basic ${base64Utf8(`${credentials.username}:${credentials.password}`)}`;
      }
      bytes = await this.#requestToken({ url: url.href, method: 'GET', headers });
    }
    return this.#parseToken(bytes);
  }

  #parseToken(bytes: Uint8Array): CachedToken {
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown } = {};
    try {
      const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
      // `null`, a number or a string is no token answer (and `null.token` would throw).
      if (typeof value === 'object' && value !== null) parsed = value;
    } catch {
      // Not JSON: no token either.
    }
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || !TOKEN_TEXT.test(token)) {
      throw new LayerkitError(
        'REGISTRY_PROTOCOL_ERROR',
        `${this.#registry}: the token service answered no usable token`,
        {
          registry: this.#registry,
        },
      );
    }
    const seconds =
      typeof parsed.expires_in === 'number' && parsed.expires_in > 0
        ? parsed.expires_in
        : DEFAULT_TOKEN_SECONDS;
    return { token, expiresAt: Date.now() + seconds * 1000 };
  }
}
