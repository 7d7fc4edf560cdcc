import { statSync } from 'node:fs';
import { type ByteSource, writeLayerBlob } from '@layerkit/digest';
import { FsBlobStore, nodeRuntime } from '@layerkit/digest/node';
import { expect, it } from 'vitest';
import { mixedBytes } from '../../fixtures/digest-helpers.js';
import { useScratchDir } from '../../fixtures/scratch.js';

const MiB = 1024 * 1024;
const scratch = useScratchDir('layer-memory');

it('streams a 640 MiB layer with bounded memory', { timeout: 240_000 }, async () => {
  const TOTAL_MIB = 640;
  // Eight distinct 1 MiB patterns, copied fresh for every chunk (producers never reuse chunks).
  const patterns = Array.from({ length: 8 }, (_, i) => mixedBytes(MiB, i + 1));
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  async function* tar(): ByteSource {
    for (let i = 0; i < TOTAL_MIB; i++) {
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
      yield Buffer.from(patterns[i % patterns.length]!);
    }
  }
  const store = new FsBlobStore(scratch.path);
  const layer = await writeLayerBlob(tar(), { store, runtime: nodeRuntime, level: 1 });
  expect(layer.uncompressedSize).toBe(TOTAL_MIB * MiB);
  expect(statSync(store.path(layer.digest)).size).toBe(layer.size);
  // Growth is bounded by the in-flight window and GC slack, far below the 640 MiB streamed.
  expect(peakRss - baseline.rss).toBeLessThan(160 * MiB);
  expect(peakHeap - baseline.heapUsed).toBeLessThan(32 * MiB);
});
