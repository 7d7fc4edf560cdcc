/**
 * A blob upload (distribution spec "Pushing blobs"): POST opens a session, chunks go up as
 * PATCH requests with `Content-Range` while the producer is still writing the next one, and
 * the final PUT names the digest. Memory stays bounded by two chunks whatever the blob's size,
 * and nothing is spooled to disk, so a layer can be pushed while it is being compressed.
 * A chunk is kept until the registry took it: a failed PATCH is asked about (`GET` of the
 * session) and resent from where the registry stands.
 */
import {
  assertMatchesRef,
  type BlobRef,
  type BlobWriter,
  concatBytes,
  type Digest,
  type Hasher,
  type HasherFactory,
  LayerkitError,
} from '@layerkit/digest';
import type { RegistryHttp, RegistryResponse } from '../http/registry-http.js';
import { registryProtocolError } from '../registry-errors.js';

/** Options of one upload. */
export interface UploadOptions {
  /** Bytes per PATCH request (default 8 MiB). */
  chunkSize?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called with the bytes the registry has accepted so far. */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** How often one chunk is resent after the registry said it holds another amount (416). */
const MAX_RESEND_ROUNDS = 3;

/** The default chunk: large enough for registries with a minimum part size (5 MiB on S3). */
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

/** The session URL a 202 answer names, resolved against the request. */
export function uploadLocation(response: RegistryResponse, what: string): string {
  const location = response.headers.get('location');
  if (location === null)
    throw registryProtocolError(what, response.url, 'no Location for the upload session');
  try {
    return new URL(location, response.url).href;
  } catch {
    throw registryProtocolError(what, response.url, 'an invalid upload Location');
  }
}

/** The end (exclusive) of what the registry holds, from its `Range: 0-N` header. */
function acceptedEnd(response: RegistryResponse): number | undefined {
  const range = response.headers.get('range');
  if (range === null) return undefined;
  const match = /^(?:bytes=)?0-(\d+)$/.exec(range.trim());
  return match === null ? undefined : Number(match[1]) + 1;
}

function withDigest(location: string, digest: Digest): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.href;
}

/** An open upload session; create it with {@link startUpload}. */
export class BlobUpload implements BlobWriter {
  readonly #http: RegistryHttp;
  readonly #repository: string;
  readonly #options: UploadOptions;
  readonly #chunkSize: number;
  readonly #hasher: Hasher;
  #location: string;
  /** Bytes the registry has accepted. */
  #sent = 0;
  #size = 0;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #inFlight: Promise<void> | undefined;
  #done = false;

  constructor(
    http: RegistryHttp,
    repository: string,
    location: string,
    sha256: HasherFactory,
    options: UploadOptions,
  ) {
    this.#http = http;
    this.#repository = repository;
    this.#location = location;
    this.#options = options;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.#hasher = sha256();
  }

  get #what(): string {
    return `blob upload to ${this.#http.registry}/${this.#repository}`;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done) throw new LayerkitError('WRITER_CLOSED', `${this.#what}: write after commit or abort`);
    if (chunk.length === 0) return;
    this.#hasher.update(chunk);
    this.#size += chunk.length;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    // Every PATCH carries exactly chunkSize bytes (registries behind proxies cap request
    // bodies), however large the writes are; the tail goes up at commit.
    while (this.#pendingBytes >= this.#chunkSize) {
      // One PATCH in flight while the next chunk fills: wait only when both are full.
      await this.#inFlight;
      this.#inFlight = this.#patch(this.#takePending(this.#chunkSize));
      this.#inFlight.catch(() => {}); // surfaced by the next write or commit
    }
  }

  async commit(expected?: BlobRef): Promise<BlobRef> {
    if (this.#done) throw new LayerkitError('WRITER_CLOSED', `${this.#what}: commit after commit or abort`);
    this.#done = true;
    try {
      await this.#inFlight;
      const digest = this.#hasher.digest();
      if (expected !== undefined) assertMatchesRef(expected, this.#size, () => digest);
      const last = this.#takePending();
      // Small blobs go up in one PUT (monolithic); a chunked upload sends its tail as a PATCH
      // and closes with an empty PUT, the form every registry takes.
      if (this.#sent > 0 && last.length > 0) await this.#patch(last);
      const body = this.#sent === 0 ? last : new Uint8Array(0);
      const response = await this.#http.send({
        method: 'PUT',
        url: withDigest(this.#location, digest),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
        body,
        scopes: this.#scopes(),
        ok: [201, 204],
        what: this.#what,
        signal: this.#options.signal,
      });
      await response.cancel();
      const stored = response.headers.get('docker-content-digest');
      if (stored !== null && stored !== digest) {
        throw registryProtocolError(this.#what, response.url, `stored the blob as ${stored}, not ${digest}`);
      }
      this.#sent = this.#size;
      this.#options.onProgress?.(this.#sent);
      return { digest, size: this.#size };
    } catch (error) {
      await this.#cancelSession();
      throw error;
    }
  }

  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#inFlight?.catch(() => {});
    await this.#cancelSession();
  }

  #scopes() {
    return [{ repository: this.#repository, actions: ['pull', 'push'] as const }];
  }

  /** The first `max` pending bytes (default: all) as one chunk; the rest stays pending. */
  #takePending(max = this.#pendingBytes): Uint8Array {
    if (max >= this.#pendingBytes) {
      const out = concatBytes(this.#pending);
      this.#pending = [];
      this.#pendingBytes = 0;
      return out;
    }
    const out = new Uint8Array(max);
    let filled = 0;
    while (filled < max) {
      const next = this.#pending[0]!;
      const used = Math.min(next.length, max - filled);
      out.set(next.subarray(0, used), filled);
      filled += used;
      if (used === next.length) this.#pending.shift();
      else this.#pending[0] = next.subarray(used);
    }
    this.#pendingBytes -= max;
    return out;
  }

  /** Sends `chunk` (which starts at `#sent`), resending the part a failed PATCH did not deliver. */
  async #patch(chunk: Uint8Array): Promise<void> {
    const start = this.#sent;
    let from = 0;
    for (let round = 0; from < chunk.length; round++) {
      if (round === MAX_RESEND_ROUNDS) {
        throw registryProtocolError(
          this.#what,
          this.#location,
          `refused the chunk at ${start + from} ${round} times`,
        );
      }
      const part = chunk.subarray(from);
      const response = await this.#http.send({
        method: 'PATCH',
        url: this.#location,
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `${start + from}-${start + chunk.length - 1}`,
          'Content-Length': String(part.length),
        },
        body: part,
        scopes: this.#scopes(),
        ok: [202, 416],
        what: this.#what,
        signal: this.#options.signal,
      });
      await response.cancel();
      if (response.status === 202) {
        this.#location = uploadLocation(response, this.#what);
        from = chunk.length;
        break;
      }
      // 416: the registry holds another amount than we thought (an earlier attempt landed in part).
      let held = await this.#status();
      // distribution answers `0-0` for both an empty and a one-byte session.
      if (held === 1 && start + from === 0) held = 0;
      if (held < start + from || held > start + chunk.length) {
        throw registryProtocolError(
          this.#what,
          this.#location,
          `the session holds ${held} bytes, expected ${start + from}`,
        );
      }
      from = held - start;
    }
    this.#sent = start + chunk.length;
    this.#options.onProgress?.(this.#sent);
  }

  /** What the registry holds of this upload (`GET` of the session). */
  async #status(): Promise<number> {
    const response = await this.#http.send({
      method: 'GET',
      url: this.#location,
      scopes: this.#scopes(),
      ok: [204],
      what: this.#what,
      signal: this.#options.signal,
    });
    await response.cancel();
    this.#location = uploadLocation(response, this.#what);
    const end = acceptedEnd(response);
    if (end === undefined)
      throw registryProtocolError(this.#what, response.url, 'no Range in the upload status');
    return end;
  }

  /** Tells the registry to drop the session; failures are ignored (it expires anyway). */
  async #cancelSession(): Promise<void> {
    try {
      const response = await this.#http.send({
        method: 'DELETE',
        url: this.#location,
        scopes: this.#scopes(),
        ok: [202, 204, 404],
        what: this.#what,
        signal: undefined,
      });
      await response.cancel();
    } catch {
      // The session expires on its own; the caller's own error is the one to report.
    }
  }
}

/**
 * Opens an upload session in `repository`; with `mountFrom`, asks the registry to mount the
 * blob `digest` from that repository instead. Returns `'mounted'` when the registry did.
 */
export async function startUpload(
  http: RegistryHttp,
  repository: string,
  sha256: HasherFactory,
  options: UploadOptions & { mount?: { digest: Digest; from: string } } = {},
): Promise<BlobUpload | 'mounted'> {
  const what = `blob upload to ${http.registry}/${repository}`;
  const mount = options.mount;
  const query =
    mount === undefined
      ? ''
      : `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}`;
  const scopes =
    mount === undefined
      ? [{ repository, actions: ['pull', 'push'] as const }]
      : [
          { repository, actions: ['pull', 'push'] as const },
          { repository: mount.from, actions: ['pull'] as const },
        ];
  const response = await http.send({
    method: 'POST',
    url: `${repository}/blobs/uploads/${query}`,
    headers: { 'Content-Length': '0' },
    body: new Uint8Array(0),
    scopes,
    ok: mount === undefined ? [202] : [201, 202],
    what,
    signal: options.signal,
  });
  await response.cancel();
  if (response.status === 201) return 'mounted';
  return new BlobUpload(http, repository, uploadLocation(response, what), sha256, options);
}
