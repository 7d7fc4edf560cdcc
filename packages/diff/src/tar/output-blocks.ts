/**
 * Batching tar output into large fresh blocks: few yields, and every yielded chunk is owned by
 * the consumer (the `ByteSource` contract: producers never reuse chunks).
 */

/** Default output block: 1 MiB, a multiple of the tar block size so padding never splits. */
const OUTPUT_BLOCK_BYTES = 1024 * 1024;

/** A zero-filled output block being filled front to back. */
export class OutputBlocks {
  #block = new Uint8Array(OUTPUT_BLOCK_BYTES);
  #used = 0;

  /** The current block; bytes from `used` on are zero. */
  get block(): Uint8Array {
    return this.#block;
  }

  /** Bytes filled in the current block. */
  get used(): number {
    return this.#used;
  }

  /** True when the current block has no room left. */
  get full(): boolean {
    return this.#used === this.#block.length;
  }

  /**
   * Makes room for `length` contiguous bytes. Returns the filled part of the current block when
   * a new block had to be started (the caller yields it), else undefined.
   */
  reserve(length: number): Uint8Array | undefined {
    if (this.#used + length <= this.#block.length) return undefined;
    const filled = this.take(length);
    return filled.length > 0 ? filled : undefined;
  }

  /** Marks `length` bytes (already written, or zero padding) as filled. */
  advance(length: number): void {
    this.#used += length;
  }

  /** Copies `chunk` in, yielding each block that fills up (the consumer owns it). */
  *copy(chunk: Uint8Array): Generator<Uint8Array> {
    for (let done = 0; done < chunk.length; ) {
      if (this.full) yield this.take();
      const count = Math.min(chunk.length - done, this.#block.length - this.#used);
      this.#block.set(count === chunk.length ? chunk : chunk.subarray(done, done + count), this.#used);
      this.#used += count;
      done += count;
    }
  }

  /** Hands the filled part of the block to the caller and starts a block with room for `length`. */
  take(length = 0): Uint8Array {
    const filled = this.#block.subarray(0, this.#used);
    this.#block = new Uint8Array(Math.max(OUTPUT_BLOCK_BYTES, length));
    this.#used = 0;
    return filled;
  }

  /** Hands the filled part of the block to the caller; the writer is done with it. */
  finish(): Uint8Array {
    return this.#block.subarray(0, this.#used);
  }
}
