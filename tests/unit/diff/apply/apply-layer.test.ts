/**
 * applyLayer's stream handling: compression sniffing, DiffID over the decompressed bytes for any
 * chunking, DiffID verification, empty layers, and releasing the source after a failure.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { applyLayer } from '@layerkit/diff/node';
import type { Digest } from '@layerkit/digest';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { checkProperty } from '../../../fixtures/property.js';
import { chunks, rawTar } from '../../../fixtures/raw-tar.js';
import { testScratchDir } from '../../../fixtures/scratch.js';

function freshRoot(): string {
  return testScratchDir('apply');
}

const TAR = rawTar([
  { name: 'a/b', body: 'x'.repeat(5000) },
  { name: 'c', type: '2', linkName: 'a/b' },
]);
const DIFF_ID = `sha256:${createHash('sha256').update(TAR).digest('hex')}` as Digest;

test('the DiffID is the sha256 of the decompressed stream, for plain and gzip input and any chunking', async () => {
  const gzip = gzipSync(TAR);
  await checkProperty(
    fc.asyncProperty(fc.boolean(), fc.integer({ min: 1, max: 4096 }), async (compressed, chunkSize) => {
      const report = await applyLayer(freshRoot(), chunks(compressed ? gzip : TAR, chunkSize));
      expect(report).toMatchObject({ diffID: DIFF_ID, bytes: TAR.length, entries: 2 });
    }),
    { numRuns: 25 },
  );
});

test('expectedDiffID: a match applies, a mismatch is DIFFID_MISMATCH naming the layer', async () => {
  const root = freshRoot();
  await applyLayer(root, chunks(TAR), { expectedDiffID: DIFF_ID });
  expect(readFileSync(join(root, 'a/b'), 'utf8')).toHaveLength(5000);
  const wrong = `sha256:${'0'.repeat(64)}` as Digest;
  const error = await applyLayer(freshRoot(), chunks(TAR), {
    expectedDiffID: wrong,
    layerName: 'layer 3',
  }).catch((e: unknown) => e);
  expect(error).toMatchObject({
    code: 'DIFFID_MISMATCH',
    details: { layer: 'layer 3', expected: wrong, actual: DIFF_ID },
  });
  expect((error as Error).message).toContain(wrong);
});

test('a zero-byte layer is an empty layer', async () => {
  const report = await applyLayer(freshRoot(), chunks(new Uint8Array(0)));
  expect(report).toMatchObject({
    entries: 0,
    bytes: 0,
    diffID: `sha256:${createHash('sha256').digest('hex')}`,
  });
});

test('the source is closed when the apply fails', async () => {
  let closed = false;
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      yield rawTar([{ name: '../escape', body: 'x' }], { trailer: false });
      yield new Uint8Array(1 << 20);
    } finally {
      closed = true;
    }
  }
  await expect(applyLayer(freshRoot(), source())).rejects.toMatchObject({ code: 'TAR_PATH_ESCAPE' });
  expect(closed).toBe(true);
});
