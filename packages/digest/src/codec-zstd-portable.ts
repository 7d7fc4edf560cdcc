/**
 * zstd decoding in pure JavaScript (fzstd): the portable runtime's zstd, and Node's where
 * node:zlib has none (Node 20). fzstd only decodes, so this codec cannot compress.
 */
import { Decompress } from 'fzstd';
import { corruptCompressedData, unsupportedCompression } from './codec-errors.js';
import type { ByteSource, Codec } from './contracts.js';
import { outputQueue, pumpPushStream } from './push-stream.js';
import { ZstdFrameScanner } from './zstd-frame-scanner.js';

/**
 * fzstd recurses once per frame within a push: small pushes bound the stack depth (as for
 * fflate's Gunzip); a whole block (≤ 128 KiB) is buffered until it can be decoded.
 */
const ZSTD_PUSH_BYTES = 16 * 1024;

/**
 * Decodes every frame of a zstd stream (skippable frames are skipped), streaming: memory stays
 * at one window (≤ 128 MiB, libzstd's limit) and one block. The frame scanner refuses what
 * libzstd refuses by default and what would make fzstd allocate without bound. The content
 * checksum is not checked (the blob digest and the DiffID are), as for fflate's gzip.
 */
export function decompressZstdPortable(source: ByteSource): ByteSource {
  const [output, enqueue] = outputQueue();
  const scanner = new ZstdFrameScanner();
  const decoder = new Decompress((chunk) => {
    scanner.produced(chunk.length);
    enqueue(chunk);
  });
  return pumpPushStream(
    source,
    decoder,
    output,
    ZSTD_PUSH_BYTES,
    (error) => corruptCompressedData('zstd', error),
    (block, final) => {
      const parts = scanner.scan(block);
      if (final) scanner.end();
      return parts;
    },
  );
}

/**
 * zstd via fzstd: decompression only. `compress` throws `UNSUPPORTED_COMPRESSION` at once
 * (before reading anything), with `reason` saying what would write zstd.
 */
export function decodeOnlyZstdCodec(reason: string): Codec {
  return {
    name: 'zstd',
    compress: () => {
      throw unsupportedCompression('zstd', reason);
    },
    decompress: decompressZstdPortable,
  };
}

/** The portable runtime's zstd: reads through fzstd, cannot write. */
export const portableZstdCodec: Codec = decodeOnlyZstdCodec(
  'the portable runtime only decodes zstd (fzstd has no encoder); write gzip or none, or use nodeRuntime on Node ≥ 22.15',
);
