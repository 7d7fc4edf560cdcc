/**
 * Where a ready-made layer tar comes from: a file path (a regular file, a FIFO, `/dev/stdin`),
 * bytes in memory, a Node `Readable`, a web `ReadableStream` or any `AsyncIterable<Uint8Array>`.
 * Whatever it is, it is read exactly once, front to back.
 */
import { createReadStream } from 'node:fs';
import { fileSystemError } from '@layerkit/digest/internal/node';

/** A layer tar (plain, gzip or zstd) from anywhere; see the module comment. */
export type LayerSource = string | Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  const iterator = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw fileSystemError(path, error);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    stream.destroy();
  }
}

async function* webStreamChunks(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The bytes of `source`, read once. */
export function layerSourceBytes(source: LayerSource): AsyncIterable<Uint8Array> {
  if (typeof source === 'string') return fileChunks(source);
  if (source instanceof Uint8Array)
    return (async function* () {
      yield source;
    })();
  if (typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    return webStreamChunks(source as ReadableStream<Uint8Array>);
  }
  return source as AsyncIterable<Uint8Array>;
}
