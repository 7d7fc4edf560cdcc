/**
 * Write-behind for a file written front to back: each chunk goes to the libuv thread pool as a
 * positioned write, one write at a time and in order, while the caller prepares the next chunk.
 * A synchronous write of a large blob blocks the event loop for as long as the kernel takes to
 * copy (and, past the dirty limit, to flush) the bytes; hashing and compressing the next chunks
 * can run in that time instead. The bytes queued are bounded, so memory stays bounded.
 *
 * A large file also gets an `fdatasync` on the pool every `flushEvery` bytes, beside the writes:
 * below the kernel's background dirty threshold (10% of RAM) nothing is written back until the
 * final fsync, which would then wait for the whole file (seconds for a GiB on these disks) after
 * everything else is done. Flushing as it goes overlaps the disk with the hashing and compression.
 */
import { fdatasync, write } from 'node:fs';
import { fileSystemError } from './file-system-error.js';

/** Bytes queued before `write` waits for the oldest write: a few compressed blocks. */
const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/** Bytes written between two flushes: files below this are flushed only by their final fsync. */
const DEFAULT_FLUSH_EVERY = 64 * 1024 * 1024;

/** Options of {@link WriteBehind}. */
export interface WriteBehindOptions {
  /** Bytes queued before `write` waits for the oldest write; default 4 MiB. */
  maxQueuedBytes?: number | undefined;
  /** Bytes written between two `fdatasync`s started beside the writes; default 64 MiB. */
  flushEvery?: number | undefined;
}

/** Writes all of `bytes` at `position` (a write may take fewer bytes than given). */
function writeAt(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number) => {
      if (done === bytes.length) {
        resolve();
        return;
      }
      write(fd, bytes, done, bytes.length - done, position + done, (error, written) =>
        error === null ? step(done + written) : reject(error),
      );
    };
    step(0);
  });
}

/** Appends chunks to an open file behind the caller's back; `drain` reports the first failure. */
export class WriteBehind {
  readonly #fd: number;
  /** The file's name, for errors. */
  readonly #path: string;
  readonly #maxQueuedBytes: number;
  readonly #flushEvery: number;
  #position = 0;
  /** Bytes written (not only queued) since the last flush started. */
  #unflushed = 0;
  /** The running flush, if any; it never rejects (a failure is kept in `#failure`). */
  #flush: Promise<void> | undefined;
  /** The last queued write; it never rejects (a failure is kept in `#failure`). */
  #tail: Promise<void> = Promise.resolve();
  /** Queued writes, oldest first, with their sizes. */
  readonly #queued: { done: Promise<void>; bytes: number }[] = [];
  #queuedBytes = 0;
  #failure: { error: unknown } | undefined;

  /** `fd` is open for writing at offset 0; `path` names it in errors. */
  constructor(fd: number, path: string, options: WriteBehindOptions = {}) {
    this.#fd = fd;
    this.#path = path;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#flushEvery = options.flushEvery ?? DEFAULT_FLUSH_EVERY;
  }

  /**
   * Queues `chunk` after the bytes queued before. `chunk` must not change until `drain` resolves
   * (a `ByteSource` chunk never does: its consumer owns it). Waits while more than the bound is
   * queued, and throws the failure of an earlier write (a `LayerkitError` naming the file).
   */
  async write(chunk: Uint8Array): Promise<void> {
    this.#throwFailure();
    if (chunk.length === 0) return;
    const position = this.#position;
    this.#position += chunk.length;
    const done = this.#tail.then(() =>
      this.#failure === undefined
        ? writeAt(this.#fd, chunk, position).then(
            () => this.#written(chunk.length),
            (error: unknown) => this.#fail(error),
          )
        : undefined,
    );
    this.#tail = done;
    this.#queued.push({ done, bytes: chunk.length });
    this.#queuedBytes += chunk.length;
    while (this.#queuedBytes > this.#maxQueuedBytes) {
      const oldest = this.#queued.shift()!;
      await oldest.done;
      this.#queuedBytes -= oldest.bytes;
    }
    this.#throwFailure();
  }

  /** Waits for every queued write (and flush); throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.#queued.length = 0;
    this.#queuedBytes = 0;
    this.#throwFailure();
  }

  /** Waits for every queued write to end, successful or not (before the file is closed). */
  async settle(): Promise<void> {
    await this.#tail;
    await this.#flush;
  }

  /** Counts written bytes and starts a flush when enough are unflushed and none is running. */
  #written(bytes: number): void {
    this.#unflushed += bytes;
    if (this.#unflushed < this.#flushEvery || this.#flush !== undefined) return;
    this.#unflushed = 0;
    this.#flush = new Promise<void>((resolve) => {
      fdatasync(this.#fd, (error) => {
        if (error !== null) this.#fail(error);
        this.#flush = undefined;
        resolve();
      });
    });
  }

  #fail(error: unknown): void {
    this.#failure ??= { error: fileSystemError(this.#path, error, 'writing') };
  }

  #throwFailure(): void {
    if (this.#failure !== undefined) throw this.#failure.error;
  }
}
