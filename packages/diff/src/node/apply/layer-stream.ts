/**
 * The byte stream under a layer apply: (maybe compressed) blob bytes → decompressed tar bytes,
 * counted against the decompression limits (T19, docs/threat-model.md#t19) and hashed into the
 * DiffID. The tar reader may stop at the end-of-archive blocks; `finish()` then reads on to EOF,
 * because the DiffID covers the whole decompressed stream, trailing data included (T23).
 */
import { type Digest, type Hasher, LayerkitError } from '@layerkit/digest';

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

const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 ** 3;
const DEFAULT_MAX_RATIO = 1100;
/** Below this many output bytes the ratio is not checked: tiny inputs have meaningless ratios. */
const RATIO_GRACE_BYTES = 1024 * 1024;

/** Counts the bytes a consumer pulls through `source` (the compressed side of the ratio). */
export function countBytes(source: AsyncIterable<Uint8Array>): {
  source: AsyncIterable<Uint8Array>;
  count: () => number;
} {
  let count = 0;
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const chunk of source) {
      count += chunk.length;
      yield chunk;
    }
  }
  return { source: counted(), count: () => count };
}

/** What the stream measured once it has been read to its end. */
export interface LayerStreamTotals {
  /** Decompressed bytes, trailing data included. */
  bytes: number;
  diffID: Digest;
}

/**
 * A decompressed, metered, hashed layer stream. Iterate it once (the tar reader does); its
 * iterator's `return()` leaves the source open so `finish()` can read the rest.
 */
export class LayerStream implements AsyncIterable<Uint8Array> {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #hasher: Hasher;
  readonly #maxBytes: number;
  readonly #maxRatio: number;
  readonly #compressedBytes: () => number;
  #bytes = 0;
  #done = false;

  /**
   * `decompressed` yields the tar bytes; `compressedBytes` reports how many input bytes have been
   * consumed so far (for the ratio limit).
   */
  constructor(
    decompressed: AsyncIterable<Uint8Array>,
    compressedBytes: () => number,
    hasher: Hasher,
    limits: DecompressionLimits = {},
  ) {
    this.#source = decompressed[Symbol.asyncIterator]();
    this.#compressedBytes = compressedBytes;
    this.#hasher = hasher;
    this.#maxBytes = limits.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
    this.#maxRatio = limits.maxCompressionRatio ?? DEFAULT_MAX_RATIO;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.#next(),
      return: async () => ({ done: true, value: undefined }),
    };
  }

  /** Stops reading early (after a failure), closing the source behind it. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#source.return?.();
  }

  /** Reads the remaining bytes (hashing them) and returns the totals. */
  async finish(): Promise<LayerStreamTotals> {
    while (!(await this.#next()).done) {}
    return { bytes: this.#bytes, diffID: this.#hasher.digest() };
  }

  async #next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#done) return { done: true, value: undefined };
    const result = await this.#source.next();
    if (result.done) {
      this.#done = true;
      return result;
    }
    const chunk = result.value;
    this.#bytes += chunk.length;
    this.#check();
    this.#hasher.update(chunk);
    return result;
  }

  #check(): void {
    if (this.#bytes > this.#maxBytes) {
      throw new LayerkitError(
        'LAYER_TOO_LARGE',
        `layer decompresses to more than ${this.#maxBytes} bytes (maxDecompressedBytes)`,
        { limit: this.#maxBytes },
      );
    }
    const compressed = this.#compressedBytes();
    if (this.#bytes > RATIO_GRACE_BYTES && this.#bytes > compressed * this.#maxRatio) {
      throw new LayerkitError(
        'LAYER_RATIO_EXCEEDED',
        `layer expands more than ${this.#maxRatio}:1 (${compressed} → ${this.#bytes} bytes so far)`,
        { limit: this.#maxRatio, compressedBytes: compressed, decompressedBytes: this.#bytes },
      );
    }
  }
}
