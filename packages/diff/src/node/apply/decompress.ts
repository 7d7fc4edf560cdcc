/**
 * Layer input bytes → tar bytes, sniffing the format from magic bytes as containerd does
 * (`1f 8b` gzip, `28 b5 2f fd` zstd), independent of any media type (reference R5).
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LayerkitError } from '@layerkit/digest';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((byte, i) => bytes[i] === byte);
}

/** Counts the bytes a consumer pulls through `source`. */
export function countBytes(source: AsyncIterable<Uint8Array>): {
  source: AsyncIterable<Uint8Array>;
  count: () => number;
} {
  let count = 0;
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const chunk of source) {
      count += chunk.length;
      yield chunk;
    }
  }
  return { source: counted(), count: () => count };
}

/** Yields `head` then the rest of `iterator`. */
async function* rejoin(head: Uint8Array[], iterator: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* head;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
}

/** Decompresses gzip (every member) or passes a plain tar through; zstd needs a newer runtime. */
export async function* decompressSniffed(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLength = 0;
  while (headLength < ZSTD_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    headLength += next.value.length;
  }
  const first = Buffer.concat(head);
  const input = rejoin(head, iterator);
  if (startsWith(first, GZIP_MAGIC)) {
    const gunzip = createGunzip({ chunkSize: 128 * 1024 });
    // pipeline() destroys both streams on any error, so a failing source cannot leave a hang.
    const output = pipeline(Readable.from(input), gunzip, () => {});
    try {
      yield* output;
    } catch (error) {
      if (error instanceof LayerkitError) throw error;
      throw new LayerkitError(
        'CORRUPT_COMPRESSED_DATA',
        `gzip data does not decompress: ${(error as Error).message}`,
        {
          compression: 'gzip',
        },
      );
    }
  } else if (startsWith(first, ZSTD_MAGIC)) {
    throw new LayerkitError(
      'UNSUPPORTED_COMPRESSION',
      'zstd compression is not supported by this Node.js runtime',
      {
        compression: 'zstd',
      },
    );
  } else {
    yield* input;
  }
}
