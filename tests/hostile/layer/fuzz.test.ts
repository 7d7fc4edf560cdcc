/**
 * Fuzzing applyLayer: byte mutations of valid layers (plain and gzip) either apply or fail with a
 * LayerkitError, within a bound on their work, and never change anything outside the sandbox's
 * root. The bound is CPU time, not wall time (see bounded-work.ts): a case takes ~10 ms, and a
 * wall-clock limit could fire on a loaded machine while the case merely waited for a CPU.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { applyLayer } from '@layerkit/diff/node';
import { isLayerkitError } from '@layerkit/digest';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { boundedWork } from '../../fixtures/bounded-work.js';
import { checkProperty, type PropertyOptions, propertyTimeout } from '../../fixtures/property.js';
import { chunks, fixChecksums, type RawEntry, rawTar } from '../../fixtures/raw-tar.js';
import { createSandbox } from './sandbox.js';

/** CPU time one case may use: a mutated layer of a few KiB must never cost more. */
const CASE_CPU_MS = 5000;
const OPTIONS: PropertyOptions = { numRuns: 400 };

/** Valid layers with every entry kind, links pointing outside the root, whiteouts and PAX records. */
function seeds(outside: string): Uint8Array[] {
  const entries: RawEntry[] = [
    { name: 'dir/', type: '5' },
    { name: 'dir/file', body: 'content of the file\n' },
    { name: 'dir/link', type: '2', linkName: join(outside, 'victim.txt') },
    { name: 'dir/up', type: '2', linkName: '../../..' },
    { name: 'dir/hard', type: '1', linkName: 'dir/file' },
    { name: 'dir/.wh.gone', body: '' },
    { name: 'other/.wh..wh..opq', body: '' },
    {
      name: 'pax',
      body: 'x',
      pax: { path: `${'long/'.repeat(30)}name`, 'SCHILY.xattr.user.a': 'b', mtime: '1.5' },
    },
    { name: 'fifo', type: '6' },
  ];
  const tar = rawTar(entries);
  return [tar, gzipSync(tar), rawTar(entries.slice(0, 5).reverse())];
}

/** A mutation: byte overwrites (checksums fixed or not), then optionally a truncation. */
const mutationArb = fc.record({
  seed: fc.nat(2),
  fix: fc.boolean(),
  writes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
  truncate: fc.option(fc.nat(), { freq: 4 }),
});

function mutate(
  base: Uint8Array,
  writes: Array<[number, number]>,
  fix: boolean,
  truncate: number | null,
): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(base);
  for (const [offset, value] of writes) bytes[offset % bytes.length] = value;
  if (fix) bytes = fixChecksums(bytes);
  return truncate === null ? bytes : bytes.subarray(0, truncate % (bytes.length + 1));
}

// ~12 ms per case idle (a sandbox, two getfattr runs, the apply): 750 ms each only guards a hang.
const timeout = propertyTimeout(OPTIONS, 750);

test('mutated layers apply or fail typed, in bounded time, without touching the outside', {
  timeout,
}, async () => {
  await checkProperty(
    fc.asyncProperty(mutationArb, async ({ seed, fix, writes, truncate }) => {
      const box = createSandbox();
      try {
        const layer = mutate(seeds(box.parent)[seed]!, writes, fix, truncate);
        const outcome = await boundedWork(
          () =>
            applyLayer(box.root, chunks(layer, 700)).then(
              () => 'applied',
              (error: unknown) => error,
            ),
          { cpuMs: CASE_CPU_MS },
        );
        if (outcome !== 'applied') expect(isLayerkitError(outcome), String(outcome)).toBe(true);
        expect(box.outsideChanged()).toEqual([]);
      } finally {
        box.remove();
      }
    }),
    OPTIONS,
  );
});
