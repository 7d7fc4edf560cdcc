/**
 * Layers made outside layerkit's writer: a tar from tar-stream, and a multi-MiB layer whose
 * gzip blob spans several 1 MiB read chunks, with the offset where one flipped byte makes zlib
 * fail on the first chunk (long before the blob's own digest check at its end).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { appendLayer } from '@layerkit/image/node';
import { pack } from 'tar-stream';
import { expect } from 'vitest';
import { type BaseLayoutContext, bytesOf, EPOCH } from '../../../fixtures/image-ops.js';

/** A layer tar written by tar-stream (an independent writer). */
export async function layerTar(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  for (const [name, content] of Object.entries(files))
    archive.entry({ name, mode: 0o644, mtime: new Date(1_700_000_000_000), uid: 0, gid: 0 }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Tags `big`: the base plus a layer of 3 MiB of compressible text, so its gzip blob spans
 * several read chunks and a corrupt byte near the start reaches zlib long before the blob ends.
 */
export async function bigLayerImage(ctx: BaseLayoutContext): Promise<{ digest: string }> {
  const text = Buffer.from(bytesOf(7, 3 << 20).map((byte) => 0x61 + (byte % 16)));
  const tar = await layerTar({ 'opt/big.txt': text.toString('latin1') });
  const file = join(ctx.dir, 'big.tar');
  writeFileSync(file, tar);
  const result = await appendLayer({
    base: ctx.base,
    layer: file,
    dest: `oci:${ctx.layout}:big`,
    sourceDateEpoch: EPOCH,
  });
  expect(result.layer!.size).toBeGreaterThan(1 << 20);
  return { digest: result.layer!.digest };
}

/**
 * The first offset (from 100 kB, in prime steps) where one flipped byte makes zlib reject the
 * blob's first read chunk (1 MiB) by itself: not just a bad CRC at the very end.
 */
export function zlibBreakingOffset(blob: Buffer): number {
  const head = Buffer.from(blob.subarray(0, 1 << 20));
  for (let offset = 100_000; offset < head.length; offset += 9_973) {
    head[offset] = head[offset]! ^ 0xff;
    try {
      gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return offset;
    }
    head[offset] = head[offset]! ^ 0xff;
  }
  return expect.fail('no single byte flip breaks the deflate stream early');
}
