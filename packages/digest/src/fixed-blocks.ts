/**
 * Re-cutting a byte stream into fixed-size blocks. Compressors whose output depends on how
 * their input is split (fflate's pushes, parallel gzip's blocks) see the same blocks for the
 * same bytes, however the producer chunked them: same input ⇒ same output.
 */
import type { ByteSource } from './contracts.js';

/**
 * Yields `source` as blocks of exactly `size` bytes; only the last may be shorter, and none is
 * empty. Whole blocks inside one chunk are views of it (no copy); blocks that straddle chunks
 * are copied into a fresh buffer, so no yielded block is ever reused.
 */
export async function* fixedBlocks(source: ByteSource, size: number): ByteSource {
  let pending: Uint8Array | undefined;
  let filled = 0;
  for await (const chunk of source) {
    let offset = 0;
    if (pending !== undefined) {
      offset = Math.min(size - filled, chunk.length);
      pending.set(chunk.subarray(0, offset), filled);
      filled += offset;
      if (filled < size) continue;
      yield pending;
      pending = undefined;
    }
    for (; chunk.length - offset >= size; offset += size) yield chunk.subarray(offset, offset + size);
    if (offset < chunk.length) {
      pending = new Uint8Array(size);
      pending.set(chunk.subarray(offset));
      filled = chunk.length - offset;
    }
  }
  if (pending !== undefined) yield pending.subarray(0, filled);
}
