/**
 * @layerkit/digest/node — Node fast paths: native SHA-256, block-parallel gzip, zlib gunzip,
 * zstd where node:zlib has it, and the file-system blob store of an OCI layout.
 */

export { FsBlobStore, type FsBlobStoreOptions } from './fs-blob-store.js';
export { createNativeSha256 } from './native-sha256.js';
export { type ParallelGzipOptions, parallelGzip } from './parallel-gzip.js';
export { nodeRuntime } from './runtime.js';
