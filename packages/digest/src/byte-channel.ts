/**
 * A bounded pipe from a producer that pushes chunks (a blob writer's `write`) to a consumer that
 * pulls them (an HTTP request body, a parser checking bytes on their way elsewhere): the
 * producer waits while more than `highWaterBytes` are queued, so a fast compressor cannot
 * outrun a slow upload by more than that. Once the consumer stops reading, pushes are dropped:
 * its owner learns why from the consumer itself.
 */

/** One producer, one consumer; `end` or `fail` closes it. */
export class ByteChannel {
  readonly #highWater: number;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #failure: { error: unknown } | undefined;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducers: Array<() => void> = [];
  #consumerGone = false;

  constructor(highWaterBytes: number) {
    this.#highWater = highWaterBytes;
  }

  /** Queues `chunk`; resolves once the queue is below the high-water mark, rejects once failed. */
  async push(chunk: Uint8Array): Promise<void> {
    this.#throwIfFailed();
    if (this.#consumerGone) return;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.#wake();
    while (this.#queued > this.#highWater && !this.#consumerGone) {
      await new Promise<void>((resolve) => this.#wakeProducers.push(resolve));
      this.#throwIfFailed();
    }
  }

  /** Queues chunks without waiting (what was held back before the consumer started). */
  enqueue(...chunks: Uint8Array[]): void {
    for (const chunk of chunks) {
      this.#queue.push(chunk);
      this.#queued += chunk.length;
    }
    this.#wake();
  }

  /** No more chunks: the consumer ends after the queued ones. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Stops both sides: pending and later pushes reject with `error`, the consumer throws it. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#wake();
  }

  /** The chunks, in order, as they arrive. */
  async *chunks(): AsyncIterable<Uint8Array> {
    try {
      yield* this.#drain();
    } finally {
      this.#consumerGone = true;
      this.#queue = [];
      this.#queued = 0;
      this.#wake();
    }
  }

  async *#drain(): AsyncIterable<Uint8Array> {
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure.error;
      const chunk = this.#queue.shift();
      if (chunk !== undefined) {
        this.#queued -= chunk.length;
        this.#wake();
        yield chunk;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wakeConsumer = resolve;
      });
    }
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  #wake(): void {
    this.#wakeConsumer?.();
    this.#wakeConsumer = undefined;
    if (this.#queued <= this.#highWater || this.#failure !== undefined || this.#consumerGone) {
      const producers = this.#wakeProducers;
      this.#wakeProducers = [];
      for (const wake of producers) wake();
    }
  }
}
