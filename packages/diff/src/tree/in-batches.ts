/**
 * Groups a tree's entries into the batches `Tree.entryBatches` hands over.
 */

/** Entries per batch: enough to make one wait per batch cheap, few enough to start early. */
export const ENTRY_BATCH_SIZE = 256;

/** `items` mapped by `map`, in order, as arrays of {@link ENTRY_BATCH_SIZE} (the last shorter). */
export function* inBatches<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U[]> {
  let batch: U[] = [];
  for (const item of items) {
    batch.push(map(item));
    if (batch.length === ENTRY_BATCH_SIZE) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
