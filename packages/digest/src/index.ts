/**
 * @layerkit/digest — content addressing for OCI images (portable core: no `node:` imports).
 * Node's native fast paths are in `@layerkit/digest/node`.
 */

export {
  assertMatchesRef,
  BlobVerifier,
  blobCorrupt,
  blobMissing,
  checkBlobRef,
  requireSha256,
} from './blob-verify.js';
export { type BlobSink, hashingBlobWriter } from './blob-writer.js';
export { ByteChannel } from './byte-channel.js';
export { collectBytes, concatBytes } from './bytes.js';
export { decompressAuto, type SniffedStream, sniffCompression } from './compression-sniff.js';
export type * from './contracts.js';
export { digestAlgorithm, digestHex, EMPTY_TAR_DIFF_ID, isDigest, parseDigest } from './digest.js';
export * from './errors.js';
export { mediaTypeFor, type WriteLayerBlobOptions, writeLayerBlob } from './layer-blob.js';
export { MemoryBlobStore } from './memory-blob-store.js';
export { portableRuntime } from './runtime.js';
export { createPortableSha256, sha256Bytes } from './sha256-hasher.js';
