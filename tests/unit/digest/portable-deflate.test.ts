/**
 * The portable deflate as a choice: Node's runtime with fflate's gzip writes exactly the bytes
 * the portable runtime writes (what a browser writes), however the input is chunked; hashing and
 * the other codecs stay the runtime's own.
 */

import { gunzipSync } from 'node:zlib';
import { portableRuntime, runtimeWithDeflate, withPortableDeflate } from '@layerkit/digest';
import { collectBytes } from '@layerkit/digest/internal';
import { nodeRuntime } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';

/** Compressible, deterministic bytes spanning several of fflate's 64 KiB pushes. */
function sample(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + (i >> 9)) % 61;
  return bytes;
}

async function* inChunks(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

describe('withPortableDeflate', () => {
  const input = sample(160 * 1024 + 17);

  it('gzips to the portable runtime’s bytes, for any chunking and level', async () => {
    const portable = withPortableDeflate(nodeRuntime).codec('gzip');
    for (const level of [1, 6]) {
      const expected = await collectBytes(
        portableRuntime.codec('gzip').compress(inChunks(input, input.length), { level }),
      );
      for (const size of [1000, 1024 * 1024]) {
        expect(await collectBytes(portable.compress(inChunks(input, size), { level }))).toEqual(expected);
      }
      expect(new Uint8Array(gunzipSync(expected))).toEqual(input);
    }
  });

  it('differs from the native gzip (another compressor), which is why it is a choice', async () => {
    const native = await collectBytes(nodeRuntime.codec('gzip').compress(inChunks(input, 65_536)));
    const portable = await collectBytes(
      withPortableDeflate(nodeRuntime).codec('gzip').compress(inChunks(input, 65_536)),
    );
    expect(portable).not.toEqual(native);
  });

  it('keeps the runtime’s hashing and its other codecs', () => {
    const runtime = withPortableDeflate(nodeRuntime);
    expect(runtime.sha256).toBe(nodeRuntime.sha256);
    expect(runtime.codec('none')).toBe(nodeRuntime.codec('none'));
    expect(runtimeWithDeflate(nodeRuntime, 'native')).toBe(nodeRuntime);
    expect(runtimeWithDeflate(nodeRuntime, undefined)).toBe(nodeRuntime);
    expect(runtimeWithDeflate(nodeRuntime, 'portable').codec('gzip')).toBe(portableRuntime.codec('gzip'));
  });
});
