/**
 * Pull-based reading of a chunked byte stream for the tar reader: exact reads, zero-copy views,
 * skips, and a running position. Memory is bounded by the largest single read requested.
 */
import { LayerkitError } from '@layerkit/digest';

const EMPTY = new Uint8Array(0);

/** Reads an `AsyncIterable<Uint8Array>` in caller-sized pieces, enforcing a total-size cap. */
export class ByteReader {
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #maxTotalBytes: number;
  #chunk: Uint8Array = EMPTY;
  #offset = 0;
  #received = 0;
  #position = 0;
  #ended = false;

  constructor(source: AsyncIterable<Uint8Array>, maxTotalBytes: number) {
    this.#iterator = source[Symbol.asyncIterator]();
    this.#maxTotalBytes = maxTotalBytes;
  }

  /** Bytes consumed so far (the offset of the next byte). */
  get position(): number {
    return this.#position;
  }

  /**
   * Reads `length` bytes: a view into the source chunk when it holds them all, else a copy.
   * The result is shorter than `length` only at end of stream (empty at a clean EOF).
   */
  async read(length: number): Promise<Uint8Array> {
    if (this.#chunk.length - this.#offset >= length) return this.#take(length);
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const piece = await this.next(length - filled);
      if (piece === null) return out.subarray(0, filled);
      out.set(piece, filled);
      filled += piece.length;
    }
    return out;
  }

  /** Returns a view of the next 1..`max` bytes (never copied), or `null` at end of stream. */
  async next(max: number): Promise<Uint8Array | null> {
    if (this.#offset === this.#chunk.length && !(await this.#fill())) return null;
    return this.#take(Math.min(max, this.#chunk.length - this.#offset));
  }

  /** Skips `length` bytes; returns how many were skipped (fewer only at end of stream). */
  async skip(length: number): Promise<number> {
    let skipped = 0;
    while (skipped < length) {
      const piece = await this.next(length - skipped);
      if (piece === null) break;
      skipped += piece.length;
    }
    return skipped;
  }

  /**
   * Counts `bytes` the stream does not hold but its reader produces (a sparse file's holes)
   * against the total-size cap, as if they had been read; returns false, counting nothing, when
   * they would take the total past it.
   */
  countExpanded(bytes: number): boolean {
    if (this.#received + bytes > this.#maxTotalBytes) return false;
    this.#received += bytes;
    return true;
  }

  /** Consumes the rest of the stream without looking at it. */
  async drain(): Promise<void> {
    while (await this.next(Number.POSITIVE_INFINITY));
  }

  /** Stops the source early (closing files or sockets behind it); a no-op after end of stream. */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#iterator.return?.();
  }

  #take(length: number): Uint8Array {
    const view = this.#chunk.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    this.#position += length;
    return view;
  }

  async #fill(): Promise<boolean> {
    while (!this.#ended) {
      const step = await this.#iterator.next();
      if (step.done) {
        this.#ended = true;
        break;
      }
      this.#received += step.value.length;
      if (this.#received > this.#maxTotalBytes) {
        throw new LayerkitError(
          'TAR_TOO_LARGE',
          `tar stream exceeds the limit of ${this.#maxTotalBytes} bytes at offset ${this.#position}`,
          { offset: this.#position, limit: this.#maxTotalBytes },
        );
      }
      if (step.value.length > 0) {
        this.#chunk = step.value;
        this.#offset = 0;
        return true;
      }
    }
    return false;
  }
}
