/** Joining chunks into one buffer: what every "read the whole (small) thing" needs. */

/** A new buffer holding `chunks` in order (always a copy: the caller owns it). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.length;
  }
  return whole;
}

/**
 * Reads `source` to the end into one buffer. With `maxBytes`, more stops the read at once by
 * throwing `tooLarge()`, so a hostile source cannot fill memory.
 */
export async function collectBytes(
  source: AsyncIterable<Uint8Array>,
  maxBytes = Number.POSITIVE_INFINITY,
  tooLarge: () => Error = () => new RangeError(`more than ${maxBytes} bytes`),
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return concatBytes(chunks);
}
