/**
 * Incompressible blocks are stored, not searched: random data gzips to about its own size and
 * round-trips, text still compresses, and the choice depends only on the bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parallelGzip } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import { looksIncompressible } from '../../../packages/digest/src/incompressible.js';

async function gzip(data: Uint8Array): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of parallelGzip(
    (async function* () {
      yield data;
    })(),
  ))
    parts.push(chunk);
  return Buffer.concat(parts);
}

const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog\n'.repeat(100_000));

describe('incompressible blocks', () => {
  it('random bytes look incompressible; text, zeros and tiny inputs do not', () => {
    expect(looksIncompressible(randomBytes(1 << 20))).toBe(true);
    expect(looksIncompressible(text.subarray(0, 1 << 20))).toBe(false);
    expect(looksIncompressible(new Uint8Array(1 << 20))).toBe(false);
    expect(looksIncompressible(randomBytes(1024))).toBe(false);
  });

  it('random data is stored (≈ its own size plus framing) and decompresses to itself', async () => {
    const data = randomBytes(3 * (1 << 20) + 123);
    const out = await gzip(data);
    expect(out.length).toBeLessThan(data.length * 1.001 + 64);
    expect(gunzipSync(out).equals(data)).toBe(true);
  });

  it('a mix stays one valid member; the same input gives the same bytes', async () => {
    const mix = Buffer.concat([text.subarray(0, 1 << 20), randomBytes(2 << 20), text.subarray(0, 1 << 20)]);
    const a = await gzip(mix);
    const b = await gzip(mix);
    expect(createHash('sha256').update(a).digest('hex')).toBe(createHash('sha256').update(b).digest('hex'));
    expect(gunzipSync(a).equals(mix)).toBe(true);
    expect(a.length).toBeLessThan((2 << 20) + (1 << 19));
  });
});
