/**
 * The blob side of a layer stream: the (maybe compressed) bytes a decompressor pulls, counted,
 * with the source's own failure kept. The decompressor gets a view it cannot close, so that after
 * it fails the rest of the blob can still be read: a blob reader checks size and digest as its
 * stream ends (R2, docs/threat-model.md#r2), and that verdict is the cause to report, not the
 * decompressor's complaint about the same corrupt bytes.
 */
import type { ByteSource } from '@layerkit/digest';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** A byte source only its owner closes, pulled one chunk at a time. */
export class HeldSource {
  readonly #iterator: AsyncIterator<Uint8Array>;
  /**
   * The last pull or close: the next one waits for it. A decompressor that failed may still have
   * a pull in flight when the owner reads on or closes, and a source need not allow two at once.
   */
  #last: Promise<unknown> = Promise.resolve();
  #bytes = 0;
  #ended = false;
  #error: unknown;

  /** Holds `source`, which nothing has started reading yet. */
  constructor(source: ByteSource) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** The source as the decompressor reads it: its `return()` leaves the source open. */
  readonly view: ByteSource = {
    [Symbol.asyncIterator]: () => ({ next: () => this.next(), return: async () => DONE }),
  };

  /** Bytes pulled from the source so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** What the source threw, if it failed (a blob reader's `BLOB_CORRUPT`, a network error …). */
  get error(): unknown {
    return this.#error;
  }

  /** The next chunk of the source; done once it ended, failed or was closed. */
  next(): Promise<IteratorResult<Uint8Array>> {
    const step = this.#last.then(() => this.#pull());
    this.#last = step.catch(() => undefined);
    return step;
  }

  /** Reads on to the end of the source, its failure (kept in `error`), or `maxBytes` pulled in all. */
  async drain(maxBytes: number): Promise<void> {
    try {
      while (this.#bytes <= maxBytes && !(await this.next()).done) {}
    } catch {
      // Kept in `error`: the caller decides what it means.
    }
  }

  /** Closes the source (a file, a socket) unless it already ended. */
  async close(): Promise<void> {
    const closing = this.#last.then(async () => {
      if (this.#ended) return;
      this.#ended = true;
      await this.#iterator.return?.();
    });
    this.#last = closing.catch(() => undefined);
    // A source that fails to close changes nothing about the layer.
    await this.#last;
  }

  async #pull(): Promise<IteratorResult<Uint8Array>> {
    if (this.#ended) return DONE;
    try {
      const step = await this.#iterator.next();
      if (step.done) {
        this.#ended = true;
        return DONE;
      }
      this.#bytes += step.value.length;
      return step;
    } catch (error) {
      this.#ended = true;
      this.#error = error;
      throw error;
    }
  }
}
