/** Shared helpers for the digest tests: byte sources and collectors over real data. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ByteSource, LayerkitError } from '@layerkit/digest';
import { afterAll } from 'vitest';

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

/** Runs `run` and returns the LayerkitError it throws (fails the test if it throws none or another error). */
export async function layerkitFailure(run: () => Promise<unknown>): Promise<LayerkitError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof LayerkitError) return error;
    throw error;
  }
  throw new Error('expected a LayerkitError');
}

/** A temp directory removed after the file's tests, and a maker of fresh layout paths inside it. */
export function scratchLayouts(prefix: string): { dir: string; fresh: () => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  return { dir, fresh: () => join(dir, `layout-${count++}`) };
}
