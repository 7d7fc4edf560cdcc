/**
 * Long byte pipelines here are mostly synchronous (sync file reads and writes, hashing) and, with
 * no compression, never leave the microtask queue until they end: signal handlers (Ctrl-C),
 * timers and other I/O would wait for a whole multi-GiB layer. These helpers count the bytes for
 * progress and give the event loop one turn every few MiB, which costs nothing measurable.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Bytes between two event-loop turns. */
const BYTES_PER_TURN = 4 * 1024 * 1024;

/**
 * A function to call with a running byte count: it returns a promise that resolves on the next
 * event-loop turn each time another {@link BYTES_PER_TURN} bytes have passed, else undefined.
 */
export function eventLoopTurns(): (bytes: number) => Promise<void> | undefined {
  let next = BYTES_PER_TURN;
  return (bytes) => {
    if (bytes < next) return undefined;
    next = bytes + BYTES_PER_TURN;
    return nextTurn();
  };
}

/**
 * Passes `chunks` through, calling `report` with the running byte count (a throw from it ends
 * the stream with that error) and giving the event loop its turns.
 */
export async function* countedBytes(
  chunks: AsyncIterable<Uint8Array>,
  report?: (bytes: number) => void,
): AsyncIterable<Uint8Array> {
  const turn = eventLoopTurns();
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    report?.(bytes);
    yield chunk;
    await turn(bytes);
  }
}
