/**
 * A layer on its way to a reader: (maybe compressed) blob bytes → decompressed tar bytes, counted
 * against the decompression caps (T19), hashed into the DiffID over the whole stream, trailing
 * data included (T23), and checked against the config's DiffID at its end (R7). Every reader of
 * a layer goes through it: apply and unpack, the merged view, history, verify, docker-archives.
 *
 * A reader that fails on corrupt bytes (a tar parse error, a decompression error) sees a symptom;
 * the cause is a blob that is not what its descriptor names, or a layer that is not its DiffID.
 * So a checked layer (one with a DiffID) is read to its end before a failure is reported, and
 * `BLOB_CORRUPT` (from the blob reader's own check) or `DIFFID_MISMATCH` wins when it applies.
 * Threat ids are those of docs/threat-model.md.
 */
import {
  type ByteSource,
  type CompressionName,
  type Digest,
  type DigestRuntime,
  decompressAuto,
  type Hasher,
  isLayerkitError,
  LayerkitError,
} from '@layerkit/digest';
import { checkDiffID } from './diff-id-check.js';
import { HeldSource } from './held-source.js';

/** Caps on decompression: the defence against gzip and zstd bombs. */
export interface DecompressionLimits {
  /** Most decompressed bytes of one layer (default 64 GiB). */
  maxDecompressedBytes?: number;
  /**
   * Most decompressed bytes per compressed byte (default 1100, just above gzip's maximum of
   * ~1032, so only formats with larger ratios such as zstd can trip it). Checked past 1 MiB.
   */
  maxCompressionRatio?: number;
}

/** Options of a {@link LayerStream}. */
export interface LayerStreamOptions {
  /** Codecs and hashing (`nodeRuntime` in Node). */
  runtime: DigestRuntime;
  /** How errors name the layer, e.g. `layer 2 (sha256:…)`. */
  layer: string;
  /** The config's DiffID for this layer; without it nothing is checked and a failure is reported as it is. */
  diffID?: Digest | undefined;
  /** Decompression caps; default 64 GiB and 1100:1. */
  limits?: DecompressionLimits | undefined;
}

/** What the stream measured, once read to its end. */
export interface LayerStreamTotals {
  /** The compression the blob's first bytes showed (R5: the media type is not consulted). */
  compression: CompressionName;
  /** Decompressed bytes, trailing data included. */
  bytes: number;
  /** sha256 of the whole decompressed stream. */
  diffID: Digest;
}

const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 ** 3;
const DEFAULT_MAX_RATIO = 1100;
/** Below this many output bytes the ratio is not checked: tiny inputs have meaningless ratios. */
const RATIO_GRACE_BYTES = 1024 * 1024;
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A decompressed, metered, hashed and checked layer stream. Iterate it once (the tar reader
 * does). A reader that reads to the end gets `DIFFID_MISMATCH` from the last `next()`; one that
 * stops early (its iterator's `return()`) has the rest of a checked layer read and checked for it,
 * and gets the verdict from `return()`. `finish()` reads the rest and returns the totals;
 * `failure(error)` turns a reader's failure into the error to report.
 */
export class LayerStream implements AsyncIterable<Uint8Array> {
  readonly #blob: HeldSource;
  readonly #runtime: DigestRuntime;
  readonly #layer: string;
  readonly #expected: Digest | undefined;
  readonly #hasher: Hasher;
  readonly #maxBytes: number;
  readonly #maxRatio: number;
  #decompressed: AsyncIterator<Uint8Array> | undefined;
  #state: 'reading' | 'ended' | 'failed' | 'closed' = 'reading';
  #compression: CompressionName = 'none';
  #bytes = 0;
  #diffID: Digest | undefined;
  /** What the stream reported when it failed. */
  #error: unknown;
  /** `BLOB_CORRUPT` or `DIFFID_MISMATCH`, once known: the cause behind any other failure. */
  #verdict: LayerkitError | undefined;

  /** Wraps the layer blob `blob`; nothing is read before the first `next()`. */
  constructor(blob: ByteSource, options: LayerStreamOptions) {
    this.#blob = new HeldSource(blob);
    this.#runtime = options.runtime;
    this.#layer = options.layer;
    this.#expected = options.diffID;
    this.#hasher = options.runtime.sha256();
    this.#maxBytes = options.limits?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
    this.#maxRatio = options.limits?.maxCompressionRatio ?? DEFAULT_MAX_RATIO;
  }

  /** The decompressed-size cap in force: `maxDecompressedBytes`, or its default. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** The decompressed bytes; `return()` settles a reader's early stop (see the class). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.#next(),
      return: async () => {
        const failed = await this.#settle();
        if (failed !== undefined) throw failed;
        return DONE;
      },
    };
  }

  /** Reads the rest of the layer (checking it) and returns the totals. */
  async finish(): Promise<LayerStreamTotals> {
    while (!(await this.#next()).done) {}
    if (this.#diffID === undefined) throw new Error(`${this.#layer}: the stream was closed before its end`);
    return { compression: this.#compression, bytes: this.#bytes, diffID: this.#diffID };
  }

  /**
   * The error to report for a reader of this stream that failed with `error`: for a checked
   * layer the rest is read first, and a corrupt blob or a wrong DiffID is reported instead.
   * The source is released either way.
   */
  async failure(error: unknown): Promise<unknown> {
    await this.#settle();
    return this.#verdict ?? error;
  }

  async #next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#state === 'failed') throw this.#error;
    if (this.#state !== 'reading') return DONE;
    try {
      this.#decompressed ??= await this.#open();
      const step = await this.#decompressed.next();
      if (step.done) {
        // A decompressor may stop before its input does (gunzip ignores trailing zeros): the rest
        // of the blob is read too, so that the blob reader's size and digest check runs (R2).
        await this.#blob.drain(this.#maxBytes);
        if (this.#blob.error !== undefined) throw this.#blob.error;
        this.#end();
        return DONE;
      }
      this.#meter(step.value);
      this.#hasher.update(step.value);
      return step;
    } catch (error) {
      throw await this.#fail(error);
    }
  }

  async #open(): Promise<AsyncIterator<Uint8Array>> {
    const { compression, stream } = await decompressAuto(this.#blob.view, this.#runtime);
    this.#compression = compression;
    return stream[Symbol.asyncIterator]();
  }

  #end(): void {
    this.#state = 'ended';
    this.#diffID = this.#hasher.digest();
    if (this.#expected !== undefined) checkDiffID(this.#layer, this.#expected, this.#diffID);
  }

  #meter(chunk: Uint8Array): void {
    this.#bytes += chunk.length;
    const layer = this.#layer;
    if (this.#bytes > this.#maxBytes) {
      throw new LayerkitError(
        'LAYER_TOO_LARGE',
        `${layer} decompresses to more than ${this.#maxBytes} bytes (maxDecompressedBytes)`,
        { layer, limit: this.#maxBytes },
      );
    }
    const compressed = this.#blob.bytes;
    if (this.#bytes > RATIO_GRACE_BYTES && this.#bytes > compressed * this.#maxRatio) {
      throw new LayerkitError(
        'LAYER_RATIO_EXCEEDED',
        `${layer} expands more than ${this.#maxRatio}:1 (${compressed} → ${this.#bytes} bytes so far)`,
        { layer, limit: this.#maxRatio, compressedBytes: compressed, decompressedBytes: this.#bytes },
      );
    }
  }

  /** Records a failure of the stream itself, as the error to report, and releases the source. */
  async #fail(error: unknown): Promise<unknown> {
    this.#state = 'failed';
    // Corrupt compressed bytes are a symptom: read the rest of the blob for its reader's verdict.
    if (this.#expected !== undefined && isLayerkitError(error, 'CORRUPT_COMPRESSED_DATA')) {
      await this.#blob.drain(this.#maxBytes);
    }
    const blobError = this.#blob.error;
    if (isLayerkitError(blobError, 'BLOB_CORRUPT')) this.#verdict = blobError;
    else if (isLayerkitError(error, 'DIFFID_MISMATCH')) this.#verdict = error;
    this.#error = this.#verdict ?? this.#named(error);
    await this.#release();
    return this.#error;
  }

  /** A decompression error, prefixed with the layer's name (the codec cannot know it). */
  #named(error: unknown): unknown {
    if (
      !isLayerkitError(error, 'CORRUPT_COMPRESSED_DATA') &&
      !isLayerkitError(error, 'UNSUPPORTED_COMPRESSION')
    )
      return error;
    return new LayerkitError(
      error.code,
      `${this.#layer}: ${error.message}`,
      { ...error.details, layer: this.#layer },
      { cause: error },
    );
  }

  /**
   * After a reader stopped: reads the rest of a checked layer. Returns the verdict, or why the
   * rest could not be read (then the layer is unchecked: an early stop must not pass for a check).
   */
  async #settle(): Promise<unknown> {
    let failed: unknown;
    if (this.#state === 'reading' && this.#expected !== undefined) {
      try {
        while (!(await this.#next()).done) {}
      } catch (error) {
        // #fail made it the verdict when there is one.
        failed = error;
      }
    }
    if (this.#state === 'reading') this.#state = 'closed';
    await this.#release();
    return failed ?? this.#verdict;
  }

  async #release(): Promise<void> {
    const decompressed = this.#decompressed;
    this.#decompressed = undefined;
    // Closing fails only when the stream already did; that failure is reported elsewhere.
    await decompressed?.return?.().catch(() => undefined);
    await this.#blob.close();
  }
}
