/**
 * Property: the strict reader never crashes or hangs on hostile bytes. Any mutation or truncation
 * of a valid layer, in any chunking, either reads to the end or throws a LayerkitError.
 */
import { layerEntriesFromTar, readTar, writeLayerTar } from '@layerkit/diff';
import { isLayerkitError } from '@layerkit/digest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedWork } from '../fixtures/bounded-work.js';
import { fixtureEntries } from '../fixtures/fixture-layer.js';
import { checkProperty } from '../fixtures/property.js';
import { chunked, collect } from '../fixtures/tar-helpers.js';

const valid = await collect(writeLayerTar(fixtureEntries()));

/**
 * Reads everything (bodies included); resolves to 'ok' or the error; rejects on a hang or on more
 * than 5 s of CPU (bounded-work.ts: a wall-clock limit could fire on a loaded machine).
 */
async function outcome(bytes: Uint8Array, sizes: number[], layered: boolean): Promise<unknown> {
  const read = async () => {
    if (layered) {
      for await (const item of layerEntriesFromTar(chunked(bytes, sizes))) {
        if (item.kind === 'entry' && item.entry.content)
          await collect(item.entry.content() as AsyncIterable<Uint8Array>);
      }
    } else {
      for await (const { body } of readTar(chunked(bytes, sizes), { maxTotalBytes: 1 << 20 }))
        await collect(body);
    }
    return 'ok';
  };
  return boundedWork(() => read().catch((error: unknown) => error), { cpuMs: 5000 });
}

const mutation = fc.oneof(
  fc.record({ at: fc.nat({ max: valid.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }),
  // Hit the header fields that matter most: sizes, typeflags, checksums, magic.
  fc.record({
    at: fc
      .tuple(
        fc.nat({ max: valid.length / 512 - 1 }),
        fc.constantFrom(124, 130, 135, 148, 156, 257, 263, 345, 0, 99),
      )
      .map(([block, field]) => block * 512 + field),
    value: fc.constantFrom(0, 0x20, 0x30, 0x37, 0x38, 0x78, 0x4c, 0x53, 0x80, 0xff),
  }),
);

describe('readTar on mutated archives', () => {
  it('either succeeds or throws a LayerkitError, never anything else, never hangs', async () => {
    await checkProperty(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat({ max: valid.length }), { nil: undefined }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (mutations, cut, sizes, layered) => {
          const bytes = valid.slice(0, cut ?? valid.length);
          for (const { at, value } of mutations) if (at < bytes.length) bytes[at] = value;
          const result = await outcome(bytes, sizes, layered);
          if (result !== 'ok') expect(isLayerkitError(result), String(result)).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('handles arbitrary bytes the same way', async () => {
    await checkProperty(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 4096 }),
        fc.integer({ min: 1, max: 600 }),
        async (bytes, size) => {
          const result = await outcome(bytes, [size], false);
          if (result !== 'ok') expect(isLayerkitError(result), String(result)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
