/**
 * Every request the client sends goes through here, once per registry host: the scheme (HTTPS,
 * with Docker's fallback to plain HTTP for insecure and loopback registries), authorization,
 * retries with backoff, per-request and idle timeouts, redirects (credentials stay on the
 * registry's own origin; loops are cut) and one-line errors from the registry's JSON.
 */
import { isLayerkitError, LayerkitError, type LayerkitErrorCode } from '@layerkit/digest';
import { collectBytes } from '@layerkit/digest/internal';
import { Authenticator } from '../auth/authenticator.js';
import type { CredentialsProvider } from '../auth/credentials.js';
import { formatScope, type RepositoryScope } from '../auth/scope.js';
import { describeUrl, registryProtocolError, registryStatusError } from '../registry-errors.js';
import { readErrorBody } from './read-body.js';
import { isRetryableStatus, type RetryOptions, retryAfterMs, retryDelay, sleep } from './retry-policy.js';
import type { HttpRequest, HttpResponse, HttpTransport } from './transport.js';

/** Connection settings of a registry client. */
export interface RegistryHttpOptions {
  /** How requests are sent (`fetchTransport()`, or the Node transport with TLS options). */
  transport: HttpTransport;
  /** Where credentials come from (default: anonymous). */
  credentials?: CredentialsProvider | undefined;
  /**
   * Allow plain HTTP when HTTPS fails (skopeo's `--tls-verify=false`; certificate checks are the
   * transport's). Loopback registries (`localhost`, `127.0.0.0/8`, `::1`) always may, as in Docker.
   */
  insecure?: boolean | undefined;
  /**
   * When and how often to resend after connection failures, 408, 429 and 5xx answers (default: 5 attempts).
   */
  retry?: RetryOptions | undefined;
  /** Longest wait for a response's headers (default 60 s). */
  requestTimeoutMs?: number | undefined;
  /** Longest pause inside a response body (default 60 s): a stalled download fails, it does not hang. */
  idleTimeoutMs?: number | undefined;
  /** The `User-Agent` header (default `layerkit`). */
  userAgent?: string | undefined;
}

/** One request, as the client describes it. */
export interface RegistryRequest {
  method: HttpRequest['method'];
  /** Absolute, or relative to `https://HOST/v2/` (e.g. `library/nginx/manifests/latest`). */
  url: string;
  headers?: Record<string, string> | undefined;
  /** Only a `Uint8Array` (or no body) can be retried, re-authorized or redirected. */
  body?: Uint8Array | AsyncIterable<Uint8Array> | undefined;
  /** The access the request needs (for Bearer tokens). */
  scopes: readonly RepositoryScope[];
  /** The statuses handed back to the caller; anything else becomes an error. */
  ok: readonly number[];
  /** Names the object in errors (`manifest docker.io/library/nginx:latest`). */
  what: string;
  /** The code a 404 means here (default `REGISTRY_NOT_FOUND`). */
  notFound?: LayerkitErrorCode | undefined;
  /** Follow 3xx answers (blob downloads: storage behind a 307 is normal). */
  followRedirects?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/** One attempt at a request: the transport's request, its body and signal given even when absent. */
interface AttemptRequest extends Omit<HttpRequest, 'body' | 'signal'> {
  body: HttpRequest['body'] | undefined;
  signal: AbortSignal | undefined;
}

/** A response the caller asked for, with the URL it came from (after redirects). */
export interface RegistryResponse extends HttpResponse {
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const TOKEN_MAX_BYTES = 1024 * 1024;
// Node's and OpenSSL's codes for a certificate that failed verification: never a reason to fall
// back to plain HTTP (the server does speak TLS), and never worth a retry.
const CERTIFICATE_ERRORS =
  /^(?:CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_CERT|HOSTNAME_MISMATCH|ERR_SSL_.*CERTIFICATE)/;

/** The API host of a registry as references name it (Docker Hub serves its API elsewhere). */
export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** True for hosts Docker lets speak plain HTTP without configuration. */
export function isLoopbackHost(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** `headers` without `Authorization` (in any spelling): what may travel to another origin. */
function withoutAuthorization(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
}

/** Why a retryable answer was not retried, when the registry's own Retry-After is the reason. */
function retryAfterNote(retry: RetryOptions, retryAfter: string | null): string | undefined {
  const asked = retryAfterMs(retryAfter);
  const max = retry.maxDelayMs ?? 30_000;
  if (asked === undefined || asked <= max) return undefined;
  const wait = Number.isFinite(asked) ? `${Math.ceil(asked / 1000)} s` : 'longer than can be counted';
  return `the registry asks to wait ${wait}, longer than the ${max / 1000} s limit`;
}

function errorCode(error: unknown): string {
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } })?.code ??
    (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' ? code : '';
}

/** Request machinery for one registry host. */
export class RegistryHttp {
  readonly registry: string;
  readonly #options: RegistryHttpOptions;
  readonly #auth: Authenticator;
  #base: Promise<string> | undefined;

  constructor(registry: string, options: RegistryHttpOptions) {
    this.registry = registry;
    this.#options = options;
    this.#auth = new Authenticator(registry, options.credentials, async (token) => {
      this.#refuseCleartextSecrets(token);
      const response = await this.#exchange(
        {
          method: token.method,
          url: token.url,
          headers: token.headers,
          body: token.body,
          scopes: [],
          ok: [200],
          what: `token for ${registry}`,
          notFound: 'REGISTRY_PROTOCOL_ERROR',
          followRedirects: true,
        },
        false,
      );
      return collectBytes(response.body, TOKEN_MAX_BYTES, () =>
        registryProtocolError(
          `token for ${registry}`,
          response.url,
          `the token is over ${TOKEN_MAX_BYTES} bytes`,
        ),
      );
    });
  }

  /** `https://HOST/v2/` or `http://HOST/v2/`, found by pinging once (the challenge is learned too). */
  base(signal?: AbortSignal): Promise<string> {
    if (this.#base === undefined) {
      // One ping serves every caller, so no caller's signal cancels it: each stops waiting on
      // its own signal instead. A failed ping does not stick: the next call pings again.
      const ping = this.#ping();
      this.#base = ping;
      ping.catch(() => {
        if (this.#base === ping) this.#base = undefined;
      });
    }
    return signal === undefined ? this.#base : untilAborted(this.#base, signal);
  }

  /** Sends `request` and returns the response once its status is one of `request.ok`. */
  async send(request: RegistryRequest): Promise<RegistryResponse> {
    const base = await this.base(request.signal);
    return this.#exchange({ ...request, url: new URL(request.url, base).href }, true);
  }

  /**
   * Sends `request` and reads its (small) body whole, capped at `maxBytes` (more, announced or
   * sent, is `tooLarge()`). A connection lost inside the body is retried like one lost before it.
   */
  async fetchBytes(
    request: RegistryRequest,
    maxBytes: number,
    tooLarge: () => Error,
  ): Promise<{ response: RegistryResponse; bytes: Uint8Array }> {
    const retry = this.#options.retry ?? {};
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(request);
      if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
        await response.cancel();
        throw tooLarge();
      }
      try {
        return { response, bytes: await collectBytes(response.body, maxBytes, tooLarge) };
      } catch (error) {
        const transient =
          isLayerkitError(error, 'REGISTRY_UNREACHABLE') || isLayerkitError(error, 'REGISTRY_TIMEOUT');
        const delay = transient ? retryDelay(retry, attempt, null) : undefined;
        if (delay === undefined) throw error;
        await sleep(delay, request.signal);
      }
    }
  }

  /**
   * A token request carrying a secret (Basic credentials, an identity token) goes over plain HTTP
   * only to a loopback realm or for a registry the user called insecure: a challenge may not send
   * the credentials of an HTTPS registry to an `http://` realm in clear text.
   */
  #refuseCleartextSecrets(token: { url: string; headers: Record<string, string>; body?: Uint8Array }): void {
    const realm = new URL(token.url);
    const carriesSecret = token.headers.Authorization !== undefined || token.body !== undefined;
    if (realm.protocol !== 'http:' || !carriesSecret) return;
    if (this.#options.insecure === true || isLoopbackHost(realm.host)) return;
    throw new LayerkitError(
      'REGISTRY_PROTOCOL_ERROR',
      `${this.registry}: the token realm ${realm.origin} is not HTTPS; credentials are not sent there in clear text (tlsVerify: false, --tls-verify=false, allows it)`,
      { registry: this.registry, url: realm.origin },
    );
  }

  async #ping(): Promise<string> {
    const host = apiHost(this.registry);
    const mayUseHttp = this.#options.insecure === true || isLoopbackHost(this.registry);
    const ping = (base: string, retry?: RetryOptions) =>
      this.#exchange(
        { method: 'GET', url: base, scopes: [], ok: [200, 401], what: `registry ${this.registry}` },
        false,
        retry,
      );
    let base = `https://${host}/v2/`;
    let response: RegistryResponse;
    try {
      // Where plain HTTP is the fallback, a failed TLS attempt moves on to it at once (Docker's order).
      response = await ping(base, mayUseHttp ? { attempts: 1 } : undefined);
    } catch (error) {
      if (!mayUseHttp || !isLayerkitError(error, 'REGISTRY_UNREACHABLE')) throw error;
      base = `http://${host}/v2/`;
      response = await ping(base);
    }
    await response.cancel();
    if (response.status === 401) this.#auth.learn(response.headers.get('www-authenticate'));
    return base;
  }

  /** One request with retries, re-authorization and redirects; `authorize` adds credentials. */
  async #exchange(
    request: RegistryRequest,
    authorize: boolean,
    retry: RetryOptions = this.#options.retry ?? {},
  ): Promise<RegistryResponse> {
    const origin = new URL(request.url).origin;
    const replayable = request.body === undefined || request.body instanceof Uint8Array;
    let url = request.url;
    let method = request.method;
    let body = request.body;
    let attempt = 0;
    let redirects = 0;
    let reauthorized = false;
    let sent: string | undefined;
    for (;;) {
      const sameOrigin = new URL(url).origin === origin;
      // Credentials stay on the origin they were meant for, the caller's own (a token request's
      // Basic header) as much as the authenticator's.
      const headers: Record<string, string> = {
        'User-Agent': this.#options.userAgent ?? 'layerkit',
        ...(sameOrigin ? request.headers : withoutAuthorization(request.headers ?? {})),
      };
      if (authorize && sameOrigin) {
        sent = await this.#auth.authorization(request.scopes, reauthorized ? sent : undefined);
        if (sent !== undefined) headers.Authorization = sent;
      }
      let response: RegistryResponse;
      try {
        response = await this.#attempt({ method, url, headers, body, signal: request.signal }, request.what);
      } catch (error) {
        const delay =
          replayable && isLayerkitError(error, 'REGISTRY_UNREACHABLE')
            ? retryDelay(retry, attempt, null)
            : undefined;
        if (delay === undefined) throw error;
        await sleep(delay, request.signal);
        attempt++;
        continue;
      }
      const { status } = response;
      if (request.ok.includes(status)) return response;
      if (status === 401 && authorize && sameOrigin) {
        const challenge = response.headers.get('www-authenticate');
        const refusal = this.#refusal(request, sent, challenge, reauthorized);
        if (refusal === undefined && replayable && !reauthorized) {
          await response.cancel();
          // The first 401 teaches the scheme, or says a cached token no longer serves: once more.
          this.#auth.learn(challenge);
          reauthorized = true;
          continue;
        }
        if (refusal !== undefined) {
          await response.cancel();
          throw refusal;
        }
      }
      if (REDIRECTS.has(status) && request.followRedirects && replayable) {
        const location = response.headers.get('location');
        await response.cancel();
        if (location === null)
          throw registryProtocolError(request.what, url, `HTTP ${status} without a Location`);
        if (++redirects > MAX_REDIRECTS)
          throw registryProtocolError(request.what, url, `more than ${MAX_REDIRECTS} redirects`);
        try {
          url = new URL(location, url).href;
        } catch {
          throw registryProtocolError(request.what, url, 'a redirect to an invalid URL');
        }
        if (status === 303) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      let note: string | undefined;
      if (isRetryableStatus(status) && replayable) {
        const retryAfter = response.headers.get('retry-after');
        const delay = retryDelay(retry, attempt, retryAfter);
        if (delay !== undefined) {
          await response.cancel();
          await sleep(delay, request.signal);
          attempt++;
          continue;
        }
        note = retryAfterNote(retry, retryAfter);
      }
      const errorBody = await readErrorBody(response.body);
      await response.cancel();
      throw registryStatusError(request.what, method, url, status, errorBody, request.notFound, note);
    }
  }

  /**
   * Why a 401 is final: the same Basic credentials were refused (sending them again only counts
   * against the account), or a fresh token still lacks the scope. Undefined: worth one more try.
   */
  #refusal(
    request: RegistryRequest,
    sent: string | undefined,
    challenge: string | null,
    reauthorized: boolean,
  ): LayerkitError | undefined {
    const url = describeUrl(request.url);
    if (sent?.startsWith('Basic ') && this.#auth.usesBasic) {
      return new LayerkitError(
        'REGISTRY_UNAUTHORIZED',
        `${request.what}: ${request.method} ${url}: unauthorized: ${this.registry} refused the credentials (check --creds or the auth file)`,
        { url, registry: this.registry },
      );
    }
    if (!reauthorized) return undefined;
    if (/error="?insufficient_scope/.test(challenge ?? '')) {
      return new LayerkitError(
        'REGISTRY_DENIED',
        `${request.what}: ${request.method} ${url}: denied: ${this.registry} did not grant ${request.scopes.map(formatScope).join(' ')} (insufficient_scope)`,
        { url, registry: this.registry },
      );
    }
    return undefined;
  }

  /** One HTTP exchange under the timeouts; transport failures become typed errors. */
  async #attempt(request: AttemptRequest, what: string): Promise<RegistryResponse> {
    const timeout = new AbortController();
    const signal =
      request.signal === undefined ? timeout.signal : AbortSignal.any([request.signal, timeout.signal]);
    const requestTimeout = this.#options.requestTimeoutMs ?? 60_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let answered = false;
    // The timeout counts silence, not duration: every chunk of a request body sent restarts it,
    // until the headers are in (then the body's idle timeout takes over).
    const restart = () => {
      clearTimeout(timer);
      if (!answered) timer = setTimeout(() => timeout.abort(), requestTimeout);
    };
    restart();
    const body = request.body === undefined ? undefined : progressing(request.body, restart);
    const failure = (error: unknown): unknown => {
      if (request.signal?.aborted) return request.signal.reason;
      if (timeout.signal.aborted) {
        return new LayerkitError(
          'REGISTRY_TIMEOUT',
          `${what}: ${request.method} ${describeUrl(request.url)}: nothing sent or answered for ${requestTimeout / 1000} s`,
          {
            url: describeUrl(request.url),
          },
        );
      }
      if (isLayerkitError(error)) return error;
      const code = errorCode(error);
      const tls = CERTIFICATE_ERRORS.test(code);
      return new LayerkitError(
        tls ? 'REGISTRY_TLS_ERROR' : 'REGISTRY_UNREACHABLE',
        `${what}: ${request.method} ${describeUrl(request.url)}: ${tls ? 'certificate not trusted' : 'cannot connect'} (${code || (error as Error)?.message || 'unknown error'})${tls ? '; pass --cert-dir with its CA, or --tls-verify=false' : ''}`,
        { url: describeUrl(request.url), cause: code },
        { cause: error },
      );
    };
    let response: HttpResponse;
    try {
      response = await this.#options.transport({
        method: request.method,
        url: request.url,
        headers: request.headers,
        ...(body === undefined ? {} : { body }),
        signal,
      });
    } catch (error) {
      throw failure(error);
    } finally {
      answered = true;
      clearTimeout(timer);
    }
    const idle = this.#options.idleTimeoutMs ?? 60_000;
    const stalled = () =>
      new LayerkitError(
        'REGISTRY_TIMEOUT',
        `${what}: ${describeUrl(request.url)}: the body stalled for ${idle / 1000} s`,
        {
          url: describeUrl(request.url),
        },
      );
    return {
      ...response,
      url: request.url,
      body: guardedBody(response.body, timeout, idle, stalled, failure),
    };
  }
}

/** `promise`, or the signal's reason as soon as it aborts (the promise itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Request bodies larger than this go out in slices, so that the timeout can see progress. */
const BODY_SLICE = 256 * 1024;

/**
 * The body to send, calling `onChunk` as each piece is taken by the transport. A small
 * `Uint8Array` stays one (it can be sent again); a large one is sliced afresh for every attempt.
 */
function progressing(
  body: Uint8Array | AsyncIterable<Uint8Array>,
  onChunk: () => void,
): Uint8Array | AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array && body.length <= BODY_SLICE) return body;
  return (async function* () {
    if (body instanceof Uint8Array) {
      for (let offset = 0; offset < body.length; offset += BODY_SLICE) {
        onChunk();
        yield body.subarray(offset, offset + BODY_SLICE);
      }
      return;
    }
    for await (const chunk of body) {
      onChunk();
      yield chunk;
    }
  })();
}

/** A response body that fails (not hangs) when it stalls, and maps transport errors. */
async function* guardedBody(
  body: AsyncIterable<Uint8Array>,
  timeout: AbortController,
  idleMs: number,
  stalled: () => LayerkitError,
  failure: (error: unknown) => unknown,
): AsyncIterable<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  let timedOut = false;
  try {
    for (;;) {
      const timer = setTimeout(() => {
        timedOut = true;
        timeout.abort();
      }, idleMs);
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw timedOut ? stalled() : failure(error);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}
