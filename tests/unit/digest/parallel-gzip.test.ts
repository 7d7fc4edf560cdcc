import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type ByteSource, isLayerkitError } from '@layerkit/digest';
import { parallelGzip } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import { chunked, collect, mixedBytes } from '../../fixtures/digest-helpers.js';
import { useScratchDir } from '../../fixtures/scratch.js';

const MiB = 1024 * 1024;
const data = mixedBytes(6 * MiB + 12_345, 5);
const scratch = useScratchDir('pgzip');

describe('parallelGzip', () => {
  it('gives identical bytes for concurrency 1, 2 and 4 and any input chunking', async () => {
    const outputs = await Promise.all([
      collect(parallelGzip(chunked(data, [MiB]), { concurrency: 1 })),
      collect(parallelGzip(chunked(data, [3, 1_000_000, 77_777]), { concurrency: 2 })),
      collect(parallelGzip(chunked(data, [5 * MiB]), { concurrency: 4 })),
    ]);
    for (const out of outputs) expect(out.equals(outputs[0]!)).toBe(true);
    expect(gunzipSync(outputs[0]!).equals(data)).toBe(true);
  });

  it('writes a fixed header: mtime 0, XFL by level, OS 255, no flags', async () => {
    for (const [level, xfl] of [
      [1, 4],
      [6, 0],
      [9, 2],
    ] as const) {
      const out = await collect(parallelGzip(chunked(data.subarray(0, 100_000)), { level }));
      expect([...out.subarray(0, 10)]).toEqual([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, xfl, 255]);
    }
  });

  it('compresses as well as a single zlib stream (dictionary priming)', async () => {
    const out = await collect(parallelGzip(chunked(data)));
    const single = gzipSync(data, { level: 6 });
    expect(Math.abs(out.length - single.length) / single.length).toBeLessThan(0.005);
  });

  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['exactly one block', MiB],
    ['exactly three blocks', 3 * MiB],
    ['one block and one byte', MiB + 1],
  ])('round-trips %s input', async (_label, length) => {
    const input = data.subarray(0, length);
    const out = await collect(parallelGzip(chunked(input, [65_536])));
    expect(gunzipSync(out).equals(input)).toBe(true);
  });

  it('passes `gzip -t`, and `gzip -dc` restores the input', async () => {
    const file = join(scratch.path, 'out.gz');
    writeFileSync(file, await collect(parallelGzip(chunked(data), { blockSize: 100_000 })));
    execFileSync('gzip', ['-t', file]);
    expect(execFileSync('gzip', ['-dc', file], { maxBuffer: 64 * MiB }).equals(data)).toBe(true);
  });

  it('pulls the source at most `concurrency` blocks ahead of the consumer', async () => {
    let produced = 0;
    async function* counting(): ByteSource {
      for (let i = 0; i < 24; i++) {
        produced += 1;
        yield data.subarray(0, MiB);
      }
    }
    const concurrency = 3;
    let received = 0;
    let maxAhead = 0;
    for await (const _ of parallelGzip(counting(), { concurrency, level: 1 })) {
      // Chunks: header, then one per block; produced blocks minus delivered blocks is the look-ahead.
      maxAhead = Math.max(maxAhead, produced - Math.max(0, received - 1));
      received += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(maxAhead).toBeLessThanOrEqual(concurrency + 1);
    expect(maxAhead).toBeGreaterThanOrEqual(concurrency);
  });

  it('rejects bad options before reading anything', () => {
    let read = false;
    async function* source(): ByteSource {
      read = true;
      yield data;
    }
    for (const options of [{ level: 0 }, { concurrency: 0 }, { blockSize: 1000 }, { concurrency: 1.5 }]) {
      let error: unknown;
      try {
        parallelGzip(source(), options);
      } catch (caught) {
        error = caught;
      }
      expect(isLayerkitError(error)).toBe(true);
    }
    expect(read).toBe(false);
  });
});
