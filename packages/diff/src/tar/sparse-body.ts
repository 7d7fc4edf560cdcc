/**
 * Expanding a sparse file: its data regions, as the archive holds them one after another, put
 * at their offsets with zeros between them (T18, docs/threat-model.md#t18).
 */
import type { SparseRegion } from './sparse-map.js';

// Holes are yielded as views of this one block of zeros (callers never write into chunks).
const ZEROS = new Uint8Array(64 * 1024);

/**
 * Yields the `realSize` bytes of the expanded file: `data` (exactly the regions' bytes, in
 * order) placed per `map` (checked by `checkSparseMap`), every gap and the tail as zeros.
 */
export async function* expandSparse(
  data: AsyncIterable<Uint8Array>,
  map: readonly SparseRegion[],
  realSize: number,
): AsyncGenerator<Uint8Array> {
  const source = data[Symbol.asyncIterator]();
  let held: Uint8Array = ZEROS.subarray(0, 0);
  let position = 0;
  for (const { offset, length } of map) {
    yield* zeros(offset - position);
    for (let left = length; left > 0; ) {
      if (held.length === 0) {
        const step = await source.next();
        // The map was checked against the body's size, and the body fails when truncated.
        if (step.done === true) throw new Error('sparse data ended before its map');
        held = step.value;
      }
      const piece = held.subarray(0, left);
      held = held.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
    position = offset + length;
  }
  yield* zeros(realSize - position);
}

function* zeros(count: number): Generator<Uint8Array> {
  for (let left = count; left > 0; left -= ZEROS.length)
    yield ZEROS.subarray(0, Math.min(left, ZEROS.length));
}
