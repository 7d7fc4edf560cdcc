/**
 * Compression detection from magic bytes, as containerd and moby do regardless of the media
 * type (docs/design.md#compat-compression; R5, docs/threat-model.md#r5): callers compare the result
 * with what the descriptor claims.
 */
import type { ByteSource, CompressionName, DigestRuntime } from './contracts.js';
import { portableRuntime } from './runtime.js';

/** Bytes `sniffCompression` needs to decide (shorter input is judged on what there is). */
export const SNIFF_BYTES = 4;

/**
 * The format of a stream from its first bytes: gzip (`1f 8b 08`), zstd (frame magic
 * `28 b5 2f fd`, or a skippable frame `0x184D2A50`–`5F`, little-endian), otherwise none.
 */
export function sniffCompression(firstBytes: Uint8Array): CompressionName {
  const [b0, b1, b2, b3] = firstBytes;
  if (b0 === 0x1f && b1 === 0x8b && b2 === 0x08) return 'gzip';
  if (b0 === 0x28 && b1 === 0xb5 && b2 === 0x2f && b3 === 0xfd) return 'zstd';
  if (b0 !== undefined && (b0 & 0xf0) === 0x50 && b1 === 0x2a && b2 === 0x4d && b3 === 0x18) return 'zstd';
  return 'none';
}

/** A decompressed stream and the format its magic bytes showed. */
export interface SniffedStream {
  /** The format the magic bytes showed (`none`: no known magic, the bytes are passed through). */
  compression: CompressionName;
  /** The decompressed bytes (the source's bytes as they are for `none`). */
  stream: ByteSource;
}

/** Yields the chunks already read, then the rest of the same iteration (closing it if the consumer stops early). */
async function* replay(head: Uint8Array[], rest: AsyncIterator<Uint8Array>): ByteSource {
  let done = false;
  try {
    yield* head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
    done = true;
  } finally {
    if (!done) await rest.return?.();
  }
}

/**
 * Reads the first bytes of `source`, detects its compression and returns the decompressed
 * stream. The source is read once; nothing is buffered beyond the chunks holding the magic.
 */
export async function decompressAuto(
  source: ByteSource,
  runtime: DigestRuntime = portableRuntime,
): Promise<SniffedStream> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLength = 0;
  while (headLength < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    headLength += next.value.length;
  }
  const magic = new Uint8Array(Math.min(headLength, SNIFF_BYTES));
  let filled = 0;
  for (const chunk of head) {
    if (filled === magic.length) break;
    const part = chunk.subarray(0, magic.length - filled);
    magic.set(part, filled);
    filled += part.length;
  }
  const compression = sniffCompression(magic);
  let codec: ReturnType<DigestRuntime['codec']>;
  try {
    codec = runtime.codec(compression);
  } catch (error) {
    // A format this runtime cannot read: release the source (a download would hold its
    // connection open, and the process with it) before reporting it.
    await iterator.return?.();
    throw error;
  }
  return { compression, stream: codec.decompress(replay(head, iterator)) };
}
