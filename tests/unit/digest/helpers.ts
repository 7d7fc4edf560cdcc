/** Shared helpers for the digest tests: byte sources and collectors over real data. */
import { createHash } from 'node:crypto';
import type { ByteSource } from '@layerkit/digest';

/** Yields `bytes` cut at the given sizes (cycling), each chunk a fresh copy. */
export async function* chunked(bytes: Uint8Array, sizes: readonly number[] = [65_536]): ByteSource {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? 1);
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

/** Reads a whole byte source into one array. */
export async function collect(source: ByteSource): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Reference sha256 via node:crypto directly (independent of the code under test). */
export function referenceSha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Deterministic, mixed-compressibility bytes: text-like runs interleaved with
 * pseudo-random noise, like a real layer (xorshift PRNG, seeded).
 */
export function mixedBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const words = ['layer', 'digest', 'sha256', 'gzip', ' ', '\n', 'tar', 'oci', '{"a":1}', 'usr/lib/'];
  for (let offset = 0; offset < length; ) {
    const run = 1 + (next() % 4096);
    if (next() % 3 === 0) {
      for (let i = 0; i < run && offset < length; i++) out[offset++] = next() & 0xff;
    } else {
      for (let i = 0; i < run && offset < length; ) {
        const word = words[next() % words.length]!;
        offset += out.write(word, offset, 'latin1');
        i += word.length;
      }
    }
  }
  return out;
}
