/**
 * zstd on node:zlib, where the runtime has it (Node ≥ 22.15 / 23.8), else read through fzstd
 * (Node 20). Detected by feature, not by version number, so any runtime that ships the API gets it.
 *
 * Output is deterministic: fixed 128 KiB writes, level 3 unless told otherwise, single-threaded (`nbWorkers` 0), a
 * content checksum (XXH64) in every frame, no content size (a stream's size is not known when its
 * frame header is written), no dictionary id, nothing time-dependent in the format; the bytes
 * depend on the input, the level and the libzstd that the Node release bundles.
 */
import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { corruptCompressedData } from '../codec-errors.js';
import { decodeOnlyZstdCodec } from '../codec-zstd-portable.js';
import { resolveLevel } from '../compression-level.js';
import type { Codec } from '../contracts.js';
import { fixedBlocks } from '../fixed-blocks.js';
import { throughZlib, ZLIB_CHUNK_SIZE } from './zlib-stream.js';

/**
 * libzstd's streaming output depends on how its input is split (measured: 977- and 3-byte writes
 * give 13 more bytes than 64 KiB ones): fixed writes make the bytes depend on the input alone.
 */
const ZSTD_WRITE_BYTES = 128 * 1024;

/** The zstd part of node:zlib, absent from Node 20 (and from its type definitions). */
interface ZstdApi {
  createZstdCompress(options: { params: Record<number, number> }): Transform;
  createZstdDecompress(options: { chunkSize: number }): Transform;
  constants: { ZSTD_c_compressionLevel: number; ZSTD_c_checksumFlag: number };
}

function zstdApi(): ZstdApi | undefined {
  const api = zlib as unknown as Partial<ZstdApi>;
  return typeof api.createZstdCompress === 'function' && typeof api.createZstdDecompress === 'function'
    ? (api as ZstdApi)
    : undefined;
}

/**
 * The zstd codec: node:zlib's (frames carry a content checksum) where Node has it; else fzstd's
 * decoder, whose `compress` throws `UNSUPPORTED_COMPRESSION` naming the Node version needed.
 */
export function nodeZstdCodec(): Codec {
  const api = zstdApi();
  if (api === undefined) {
    return decodeOnlyZstdCodec(
      `node:zlib in Node ${process.versions.node} has no zstd encoder (added in Node 22.15); ` +
        'layerkit reads zstd here but writes it only on Node ≥ 22.15: use gzip or none',
    );
  }
  return {
    name: 'zstd',
    compress: (source, options) => {
      const level = resolveLevel('zstd', options?.level);
      const params = {
        [api.constants.ZSTD_c_compressionLevel]: level,
        [api.constants.ZSTD_c_checksumFlag]: 1,
      };
      return throughZlib(
        fixedBlocks(source, ZSTD_WRITE_BYTES),
        api.createZstdCompress({ params }),
        (e) => e as Error,
      );
    },
    decompress: (source) =>
      throughZlib(source, api.createZstdDecompress({ chunkSize: ZLIB_CHUNK_SIZE }), (e) =>
        corruptCompressedData('zstd', e),
      ),
  };
}
