import { type DigestRuntime, decompressAuto, portableRuntime } from '@layerkit/digest';
import { nodeRuntime, parallelGzip } from '@layerkit/digest/node';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { chunked, collect } from '../fixtures/digest-helpers.js';
import { checkProperty } from '../fixtures/property.js';

/** Compressible, incompressible and mixed inputs up to ~200 KB. */
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 70_000 }),
  fc
    .tuple(fc.stringMatching(/^[a-e \n]{1,40}$/), fc.nat(5000))
    .map(([word, times]) => new TextEncoder().encode(word.repeat(times))),
  fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 60 }).map((parts) => Buffer.concat(parts)),
);
const chunking = fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 1, maxLength: 6 });
const runtimes: [string, DigestRuntime][] = [
  ['portable', portableRuntime],
  ['node', nodeRuntime],
];

it('gzip output depends only on the bytes, and every decoder restores them', async () => {
  await checkProperty(
    fc.asyncProperty(
      payload,
      chunking,
      chunking,
      fc.integer({ min: 1, max: 9 }),
      async (bytes, chunksA, chunksB, level) => {
        for (const [, compressor] of runtimes) {
          const gzip = compressor.codec('gzip');
          const a = await collect(gzip.compress(chunked(bytes, chunksA), { level }));
          const b = await collect(gzip.compress(chunked(bytes, chunksB), { level }));
          expect(a.equals(b)).toBe(true);
          for (const [, decompressor] of runtimes) {
            const { compression, stream } = await decompressAuto(chunked(a, chunksB), decompressor);
            expect(compression).toBe('gzip');
            expect((await collect(stream)).equals(Buffer.from(bytes))).toBe(true);
          }
        }
      },
    ),
    { numRuns: 60 },
  );
});

it('parallel gzip is byte-identical across concurrency and block-aligned chunkings', async () => {
  await checkProperty(
    fc.asyncProperty(
      payload,
      chunking,
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom(32 * 1024, 40_000, 64 * 1024),
      async (bytes, chunks, concurrency, blockSize) => {
        const serial = await collect(
          parallelGzip(chunked(bytes, [bytes.length || 1]), { concurrency: 1, blockSize }),
        );
        const parallel = await collect(parallelGzip(chunked(bytes, chunks), { concurrency, blockSize }));
        expect(parallel.equals(serial)).toBe(true);
      },
    ),
    { numRuns: 80 },
  );
});
