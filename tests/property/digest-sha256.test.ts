import { createPortableSha256, type Hasher } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { checkProperty } from '../fixtures/property.js';

/** Feeds `bytes` to `hasher` cut at the given (sorted, deduplicated) offsets. */
function hashSplit(hasher: Hasher, bytes: Uint8Array, cuts: number[]): string {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    hasher.update(bytes.subarray(start, cut));
    start = cut;
  }
  return hasher.digest();
}

const splitInput = fc.uint8Array({ maxLength: 4096 }).chain((bytes) =>
  fc.tuple(
    fc.constant(bytes),
    fc.uniqueArray(fc.nat(bytes.length), { maxLength: 12 }).map((cuts) => cuts.sort((a, b) => a - b)),
    fc.uniqueArray(fc.nat(bytes.length), { maxLength: 12 }).map((cuts) => cuts.sort((a, b) => a - b)),
  ),
);

it('portable and native sha256 agree for any input under any two chunkings', async () => {
  await checkProperty(
    fc.property(splitInput, ([bytes, portableCuts, nativeCuts]) => {
      const portable = hashSplit(createPortableSha256(), bytes, portableCuts);
      const native = hashSplit(createNativeSha256(), bytes, nativeCuts);
      expect(portable).toBe(native);
      expect(portable).toBe(createNativeSha256().update(bytes).digest());
    }),
    { numRuns: 300 },
  );
});
