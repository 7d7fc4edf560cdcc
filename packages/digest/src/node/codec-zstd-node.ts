/**
 * zstd on node:zlib, where the runtime has it (Node ≥ 22.15 / 23.8). Detected by feature,
 * not by version number, so any runtime that ships the API gets it.
 */
import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { corruptCompressedData, unsupportedCompression } from '../codec-errors.js';
import { resolveLevel } from '../compression-level.js';
import type { Codec } from '../contracts.js';
import { throughZlib, ZLIB_CHUNK_SIZE } from './zlib-stream.js';

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
 * The zstd codec (frames carry a content checksum).
 * @throws LayerkitError `UNSUPPORTED_COMPRESSION` when node:zlib has no zstd (Node 20).
 */
export function nodeZstdCodec(): Codec {
  const api = zstdApi();
  if (api === undefined) {
    throw unsupportedCompression(
      'zstd',
      `node:zlib in Node ${process.versions.node} has no zstd (added in Node 22.15); use gzip or none`,
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
      return throughZlib(source, api.createZstdCompress({ params }), (e) => e as Error);
    },
    decompress: (source) =>
      throughZlib(source, api.createZstdDecompress({ chunkSize: ZLIB_CHUNK_SIZE }), (e) =>
        corruptCompressedData('zstd', e),
      ),
  };
}
