/** gzip on node:zlib: block-parallel compression, streaming multi-member decompression. */
import { createGunzip } from 'node:zlib';
import { corruptCompressedData } from '../codec-errors.js';
import type { Codec } from '../contracts.js';
import { parallelGzip } from './parallel-gzip.js';
import { throughZlib, ZLIB_CHUNK_SIZE } from './zlib-stream.js';

/** gzip via Node's zlib: `parallelGzip` to compress (one member), `createGunzip` (all members, CRC checked) to read. */
export const nodeGzipCodec: Codec = {
  name: 'gzip',
  compress: (source, options) => parallelGzip(source, { level: options?.level }),
  decompress: (source) =>
    throughZlib(source, createGunzip({ chunkSize: ZLIB_CHUNK_SIZE }), (e) =>
      corruptCompressedData('gzip', e),
    ),
};
