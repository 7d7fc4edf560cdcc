/**
 * A blob upload (distribution spec "Pushing blobs"): POST opens a session, the bytes go up while
 * the producer is still writing them, and the final PUT names the digest. Nothing is spooled to
 * disk, so a layer can be pushed while it is being compressed.
 *
 * By default the blob goes up as ONE streamed PATCH, as skopeo, Docker and containerd send it:
 * the registry stores it in one pass. Blobs under 1 MiB go up in the closing PUT instead
 * (monolithic: one request fewer). With `chunkSize`, the blob goes up in PATCHes of that size
 * instead, each kept until the registry took it and resent from the registry's offset after a
 * failure: for registries behind proxies that cap request bodies.
 */
import {
  type BlobRef,
  type BlobWriter,
  type Digest,
  type Hasher,
  type HasherFactory,
  LayerkitError,
} from '@layerkit/digest';
import { assertMatchesRef, ByteChannel, blobCorrupt, concatBytes } from '@layerkit/digest/internal';
import type { RegistryHttp } from '../http/registry-http.js';
import { registryProtocolError } from '../registry-errors.js';
import { UploadSession, uploadLocation } from './upload-session.js';

/** Options of one upload. */
export interface UploadOptions {
  /**
   * Send the blob in PATCHes of this many bytes (each resent from the registry's offset after a
   * failure) instead of one streamed PATCH: for registries behind proxies that cap request bodies.
   */
  chunkSize?: number | undefined;
  /**
   * The blob's size and digest, known before its first byte because the caller verifies the
   * bytes as they come (a copy from a verifying source): then they are not hashed a second
   * time here (the size is still counted, and the registry checks the digest at the final PUT).
   */
  known?: BlobRef | undefined;
  /** Aborts the upload: pending requests stop and the writer's calls reject with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Called with the bytes sent so far. */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** Blobs smaller than this go up in the closing PUT. */
const MONOLITHIC_LIMIT = 1024 * 1024;
/** A streamed PATCH holds at most this much queued behind the socket. */
const STREAM_HIGH_WATER = 4 * 1024 * 1024;
/** How often one chunk is resent after the registry said it holds another amount (416). */
const MAX_RESEND_ROUNDS = 3;
const EMPTY = new Uint8Array(0);

/** How the bytes of one upload travel. */
interface Sender {
  write(chunk: Uint8Array): Promise<void>;
  /** Sends what is left and closes the session under `digest`. */
  finish(digest: Digest): Promise<void>;
  /** Stops sending after a failure (the session is dropped by the caller). */
  abandon(error: unknown): Promise<void>;
}

/** One streamed PATCH (or, for a small blob, the closing PUT alone). */
class StreamedSender implements Sender {
  readonly #session: UploadSession;
  readonly #size: number | undefined;
  readonly #onProgress: ((bytes: number) => void) | undefined;
  #prefix: Uint8Array[] = [];
  #prefixBytes = 0;
  #channel: ByteChannel | undefined;
  #request: Promise<unknown> | undefined;
  #ending = false;

  constructor(
    session: UploadSession,
    size: number | undefined,
    onProgress: ((bytes: number) => void) | undefined,
  ) {
    this.#session = session;
    this.#size = size;
    this.#onProgress = onProgress;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#channel !== undefined) return this.#channel.push(chunk);
    this.#prefix.push(chunk);
    this.#prefixBytes += chunk.length;
    if (this.#prefixBytes >= MONOLITHIC_LIMIT) this.#open();
  }

  /** Starts the PATCH with what was held back; later writes stream into it. */
  #open(): void {
    const channel = new ByteChannel(STREAM_HIGH_WATER);
    channel.enqueue(...this.#prefix);
    this.#prefix = [];
    const onProgress = this.#onProgress;
    let sent = 0;
    const counted = async function* () {
      for await (const chunk of channel.chunks()) {
        sent += chunk.length;
        onProgress?.(sent);
        yield chunk;
      }
    };
    const headers: Record<string, string> =
      this.#size === undefined ? {} : { 'Content-Length': String(this.#size) };
    const request = this.#session.patch(counted(), headers);
    // A failed PATCH stops the producer: its next write rejects with the reason. So does one
    // the registry answered before the blob was all sent (the producer would wait forever).
    request.then(
      () => {
        if (!this.#ending)
          channel.fail(
            registryProtocolError(
              this.#session.what,
              this.#session.location,
              'answered the upload before it was complete',
            ),
          );
      },
      (error: unknown) => channel.fail(error),
    );
    this.#channel = channel;
    this.#request = request;
  }

  async finish(digest: Digest): Promise<void> {
    if (this.#channel === undefined) {
      await this.#session.finish(digest, concatBytes(this.#prefix));
      this.#onProgress?.(this.#prefixBytes);
      return;
    }
    this.#ending = true;
    this.#channel.end();
    await this.#request;
    await this.#session.finish(digest, EMPTY);
  }

  async abandon(error: unknown): Promise<void> {
    this.#channel?.fail(error);
    await this.#request?.catch(() => {});
  }
}

/** PATCHes of `chunkSize` bytes, one in flight while the next fills, resent from the registry's offset. */
class ChunkedSender implements Sender {
  readonly #session: UploadSession;
  readonly #chunkSize: number;
  readonly #onProgress: ((bytes: number) => void) | undefined;
  /** Bytes the registry has accepted. */
  #sent = 0;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #inFlight: Promise<void> | undefined;

  constructor(session: UploadSession, chunkSize: number, onProgress: ((bytes: number) => void) | undefined) {
    this.#session = session;
    this.#chunkSize = chunkSize;
    this.#onProgress = onProgress;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    // Every PATCH carries exactly chunkSize bytes, however large the writes; the tail goes at finish.
    while (this.#pendingBytes >= this.#chunkSize) {
      await this.#inFlight;
      this.#inFlight = this.#patch(this.#takePending(this.#chunkSize));
      this.#inFlight.catch(() => {}); // surfaced by the next write or finish
    }
  }

  async finish(digest: Digest): Promise<void> {
    await this.#inFlight;
    const last = this.#takePending();
    // Small blobs go up in one PUT; a chunked upload sends its tail as a PATCH and closes empty.
    if (this.#sent > 0 && last.length > 0) await this.#patch(last);
    await this.#session.finish(digest, this.#sent === 0 ? last : EMPTY);
    this.#onProgress?.(this.#sent + (this.#sent === 0 ? last.length : 0));
  }

  async abandon(): Promise<void> {
    await this.#inFlight?.catch(() => {});
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
        const at = start + from;
        throw registryProtocolError(
          this.#session.what,
          this.#session.location,
          `refused the chunk at ${at} ${round} times`,
        );
      }
      const part = chunk.subarray(from);
      const response = await this.#session.patch(
        part,
        {
          'Content-Range': `${start + from}-${start + chunk.length - 1}`,
          'Content-Length': String(part.length),
        },
        [202, 416],
      );
      if (response.status === 202) break;
      // 416: the registry holds another amount than we thought (an earlier attempt landed in part).
      let held = await this.#session.held();
      // distribution answers `0-0` for both an empty and a one-byte session.
      if (held === 1 && start + from === 0) held = 0;
      if (held < start + from || held > start + chunk.length) {
        const expected = start + from;
        throw registryProtocolError(
          this.#session.what,
          this.#session.location,
          `the session holds ${held} bytes, expected ${expected}`,
        );
      }
      from = held - start;
    }
    this.#sent = start + chunk.length;
    this.#onProgress?.(this.#sent);
  }
}

/** An open upload; create it with {@link startUpload}. */
export class BlobUpload implements BlobWriter {
  readonly #session: UploadSession;
  readonly #sender: Sender;
  readonly #expected: BlobRef | undefined;
  readonly #hasher: Hasher | undefined;
  #size = 0;
  #done = false;

  constructor(session: UploadSession, sha256: HasherFactory, options: UploadOptions) {
    this.#session = session;
    this.#expected = options.known;
    this.#hasher = options.known === undefined ? sha256() : undefined;
    this.#sender =
      options.chunkSize === undefined
        ? new StreamedSender(session, options.known?.size, options.onProgress)
        : new ChunkedSender(session, options.chunkSize, options.onProgress);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done)
      throw new LayerkitError('WRITER_CLOSED', `${this.#session.what}: write after commit or abort`);
    if (chunk.length === 0) return;
    this.#hasher?.update(chunk);
    this.#size += chunk.length;
    const expected = this.#expected;
    if (expected !== undefined && this.#size > expected.size) {
      throw blobCorrupt(expected, `size exceeds ${expected.size}, expected ${expected.size}`);
    }
    await this.#sender.write(chunk);
  }

  async commit(expected?: BlobRef): Promise<BlobRef> {
    if (this.#done)
      throw new LayerkitError('WRITER_CLOSED', `${this.#session.what}: commit after commit or abort`);
    this.#done = true;
    try {
      const digest = this.#hasher?.digest() ?? this.#expected!.digest;
      const wanted = expected ?? this.#expected;
      if (wanted !== undefined) assertMatchesRef(wanted, this.#size, () => digest);
      await this.#sender.finish(digest);
      return { digest, size: this.#size };
    } catch (error) {
      await this.#sender.abandon(error);
      await this.#session.cancel();
      throw error;
    }
  }

  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#sender.abandon(new LayerkitError('WRITER_CLOSED', `${this.#session.what}: aborted`));
    await this.#session.cancel();
  }
}

/**
 * Opens an upload session in `repository`; with `mount`, asks the registry to mount the blob
 * `digest` from that repository instead. Returns `'mounted'` when the registry did.
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
    body: EMPTY,
    scopes,
    ok: mount === undefined ? [202] : [201, 202],
    what,
    signal: options.signal,
  });
  await response.cancel();
  if (response.status === 201) return 'mounted';
  const session = new UploadSession(http, repository, uploadLocation(response, what), options.signal);
  return new BlobUpload(session, sha256, options);
}
