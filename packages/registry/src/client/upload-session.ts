/**
 * An upload session as the registry hands it out (`POST …/blobs/uploads/` answered 202 with a
 * `Location`): the requests every way of sending a blob shares — PATCH, the closing PUT that
 * names the digest, the status GET, and the DELETE that drops a failed session.
 */
import type { Digest } from '@layerkit/digest';
import type { RepositoryScope } from '../auth/scope.js';
import type { RegistryHttp, RegistryResponse } from '../http/registry-http.js';
import { registryProtocolError } from '../registry-errors.js';

/** The session URL an answer names, resolved against the request; `previous` when it names none. */
export function uploadLocation(response: RegistryResponse, what: string, previous?: string): string {
  const location = response.headers.get('location');
  if (location === null) {
    // Docker's client keeps the session URL it has when a PATCH answer names none.
    if (previous !== undefined) return previous;
    throw registryProtocolError(what, response.url, 'no Location for the upload session');
  }
  try {
    return new URL(location, response.url).href;
  } catch {
    throw registryProtocolError(what, response.url, 'an invalid upload Location');
  }
}

function withDigest(location: string, digest: Digest): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.href;
}

/** One open session in one repository. */
export class UploadSession {
  readonly what: string;
  readonly #http: RegistryHttp;
  readonly #scopes: readonly RepositoryScope[];
  readonly #signal: AbortSignal | undefined;
  #location: string;

  constructor(http: RegistryHttp, repository: string, location: string, signal: AbortSignal | undefined) {
    this.#http = http;
    this.what = `blob upload to ${http.registry}/${repository}`;
    this.#scopes = [{ repository, actions: ['pull', 'push'] }];
    this.#location = location;
    this.#signal = signal;
  }

  /** The session's current URL (each answer may move it). */
  get location(): string {
    return this.#location;
  }

  /** PATCH `body` into the session; resolves with the registry's answer (202, or one of `ok`). */
  async patch(
    body: Uint8Array | AsyncIterable<Uint8Array>,
    headers: Record<string, string>,
    ok: readonly number[] = [202],
  ): Promise<RegistryResponse> {
    const response = await this.#http.send({
      method: 'PATCH',
      url: this.#location,
      headers: { 'Content-Type': 'application/octet-stream', ...headers },
      body,
      scopes: this.#scopes,
      ok,
      what: this.what,
      signal: this.#signal,
    });
    await response.cancel();
    if (response.status === 202) this.#location = uploadLocation(response, this.what, this.#location);
    return response;
  }

  /** Closes the session with a PUT naming `digest` (carrying `body`, the whole blob or nothing). */
  async finish(digest: Digest, body: Uint8Array): Promise<void> {
    const response = await this.#http.send({
      method: 'PUT',
      url: withDigest(this.#location, digest),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
      body,
      scopes: this.#scopes,
      ok: [201, 204],
      what: this.what,
      signal: this.#signal,
    });
    await response.cancel();
    const stored = response.headers.get('docker-content-digest');
    if (stored !== null && stored !== digest) {
      throw registryProtocolError(this.what, response.url, `stored the blob as ${stored}, not ${digest}`);
    }
  }

  /** What the registry holds of this upload (`GET` of the session, its `Range: 0-N`). */
  async held(): Promise<number> {
    const response = await this.#http.send({
      method: 'GET',
      url: this.#location,
      scopes: this.#scopes,
      ok: [204],
      what: this.what,
      signal: this.#signal,
    });
    await response.cancel();
    this.#location = uploadLocation(response, this.what, this.#location);
    const match = /^(?:bytes=)?0-(\d+)$/.exec((response.headers.get('range') ?? '').trim());
    if (match === null) throw registryProtocolError(this.what, response.url, 'no Range in the upload status');
    return Number(match[1]) + 1;
  }

  /** Tells the registry to drop the session; failures are ignored (it expires anyway). */
  async cancel(): Promise<void> {
    try {
      const response = await this.#http.send({
        method: 'DELETE',
        url: this.#location,
        scopes: this.#scopes,
        ok: [202, 204, 404],
        what: this.what,
        signal: undefined,
      });
      await response.cancel();
    } catch {
      // The session expires on its own; the caller's own error is the one to report.
    }
  }
}
