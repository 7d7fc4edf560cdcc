/**
 * Block-parallel gzip (the pigz design, docs/design.md#perf-gzip): the input is cut into fixed
 * blocks, each compressed as raw deflate on the libuv thread pool with the previous 32 KiB as
 * its dictionary and ended with a sync flush, so the pieces concatenate into ONE ordinary
 * gzip member. Block boundaries depend only on the input, never on timing, so the output is
 * byte-identical for any concurrency; the dictionary keeps the ratio equal to a single stream.
 */
import { constants, crc32, deflateRaw } from 'node:zlib';
import { resolveLevel } from '../compression-level.js';
import type { ByteSource } from '../contracts.js';
import { LayerkitError } from '../errors.js';
import { fixedBlocks } from '../fixed-blocks.js';
import { looksIncompressible } from '../incompressible.js';

/** Options of `parallelGzip`. */
export interface ParallelGzipOptions {
  /** gzip level 1–9; default 6. */
  level?: number | undefined;
  /** Blocks compressing at once (bounds memory to about 2 × blockSize each); default 4. */
  concurrency?: number | undefined;
  /** Uncompressed bytes per block; default 1 MiB (smaller blocks cost ratio and speed). */
  blockSize?: number | undefined;
}

const DEFAULT_BLOCK_SIZE = 1024 * 1024;
const DEFAULT_CONCURRENCY = 4;
/** deflate's window: each block may refer back this far into the previous one. */
const DICTIONARY_SIZE = 32 * 1024;
/** The smallest block that still carries a full dictionary for the next. */
const MIN_BLOCK_SIZE = DICTIONARY_SIZE;
/** "Unknown" OS, as Go's compress/gzip writes: the bytes do not depend on the build host. */
const OS_UNKNOWN = 255;
/** A final, empty fixed-Huffman block: ends the deflate stream after the sync-flushed blocks. */
const FINAL_EMPTY_BLOCK = Uint8Array.of(0x03, 0x00);

/** The 10-byte gzip header: no name, mtime 0, XFL as zlib sets it for the level. */
function gzipHeader(level: number): Uint8Array {
  const extraFlags = level === 9 ? 2 : level === 1 ? 4 : 0;
  return Uint8Array.of(0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, extraFlags, OS_UNKNOWN);
}

/** The 8-byte trailer: CRC-32 and the input length mod 2^32, little-endian. */
function gzipTrailer(crc: number, length: number): Uint8Array {
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc, true);
  view.setUint32(4, length % 2 ** 32, true);
  return trailer;
}

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new LayerkitError(
      'INVALID_OPTION',
      `parallel gzip: ${name} must be an integer ≥ ${min}, got ${value}`,
    );
  }
  return value;
}

/** Compresses one block on the thread pool; the result ends byte-aligned and unterminated. */
function deflateBlock(
  block: Uint8Array,
  dictionary: Uint8Array | undefined,
  level: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    deflateRaw(
      block,
      {
        level,
        finishFlush: constants.Z_SYNC_FLUSH,
        // One output buffer per block: the compressed block is about the size of the input at worst.
        chunkSize: block.length + 1024,
        dictionary,
      },
      (error, result) => (error === null ? resolve(result) : reject(error)),
    );
  });
}

/**
 * gzip-compresses a stream using up to `concurrency` thread-pool threads. The source is
 * pulled only while fewer than `concurrency` blocks are in flight, so memory stays bounded
 * and a slow consumer slows the source. The output is one gzip member.
 * @throws LayerkitError `INVALID_COMPRESSION_LEVEL` / `INVALID_OPTION` at once, before any read.
 */
export function parallelGzip(source: ByteSource, options: ParallelGzipOptions = {}): ByteSource {
  const level = resolveLevel('gzip', options.level);
  const concurrency = positiveInteger('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY, 1);
  const blockSize = positiveInteger('blockSize', options.blockSize ?? DEFAULT_BLOCK_SIZE, MIN_BLOCK_SIZE);
  return compressBlocks(fixedBlocks(source, blockSize), level, concurrency);
}

async function* compressBlocks(blocks: ByteSource, level: number, concurrency: number): ByteSource {
  const inFlight: Promise<Uint8Array>[] = [];
  // Blocks are submitted strictly in input order, so a running CRC needs no crc32_combine.
  let crc = 0;
  let length = 0;
  let previous: Uint8Array | undefined;
  yield gzipHeader(level);
  try {
    for await (const block of blocks) {
      crc = crc32(block, crc);
      length += block.length;
      // Level 0 stores a block deflate cannot shrink, skipping a match search that gains nothing.
      const blockLevel = looksIncompressible(block) ? 0 : level;
      inFlight.push(deflateBlock(block, previous?.subarray(previous.length - DICTIONARY_SIZE), blockLevel));
      // Only the last block can be shorter than the dictionary, and nothing follows it.
      previous = block;
      if (inFlight.length >= concurrency) yield await inFlight.shift()!;
    }
    while (inFlight.length > 0) yield await inFlight.shift()!;
  } finally {
    // On early exit or error, settle the orphans so none becomes an unhandled rejection.
    for (const pending of inFlight) pending.catch(() => undefined);
  }
  yield FINAL_EMPTY_BLOCK;
  yield gzipTrailer(crc, length);
}
