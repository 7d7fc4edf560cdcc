/**
 * @layerkit/digest — content addressing for OCI images (portable core: no `node:` imports).
 * Node's native fast paths are in `@layerkit/digest/node`.
 */

export { BlobVerifier } from './blob-verify.js';
export { type BlobStorage, hashingBlobWriter } from './blob-writer.js';
export { type LevelRange, levelRange } from './compression-level.js';
export { decompressAuto, type SniffedStream, sniffCompression } from './compression-sniff.js';
export type {
  BlobRef,
  BlobStore,
  BlobWriter,
  ByteSource,
  Codec,
  CompressionName,
  CompressOptions,
  Digest,
  DigestRuntime,
  Hasher,
  HasherFactory,
  LayerBlob,
} from './contracts.js';
export { digestAlgorithm, digestHex, EMPTY_TAR_DIFF_ID, isDigest, parseDigest } from './digest.js';
export { ERROR_CODES, type LayerkitErrorCode } from './error-codes.js';
export { isLayerkitError, LayerkitError } from './errors.js';
export { mediaTypeFor, type WriteLayerBlobOptions, writeLayerBlob } from './layer-blob.js';
export { MemoryBlobStore } from './memory-blob-store.js';
export { type DeflateChoice, runtimeWithDeflate, withPortableDeflate } from './portable-deflate.js';
export { portableRuntime } from './runtime.js';
export { createPortableSha256, sha256Bytes } from './sha256-hasher.js';
