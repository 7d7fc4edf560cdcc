/**
 * One pass from an uncompressed layer tar to a stored blob: the tar bytes are hashed (DiffID)
 * and counted as they flow into the compressor, whose output flows into the store's writer,
 * which hashes and counts it (the blob digest). Never two passes, never the whole layer in memory.
 */

import { unsupportedCompression } from './codec-errors.js';
import type {
  BlobStore,
  ByteSource,
  CompressionName,
  Digest,
  DigestRuntime,
  Hasher,
  LayerBlob,
} from './contracts.js';
import { portableRuntime } from './runtime.js';

const LAYER_MEDIA_TYPES: Readonly<Record<CompressionName, string>> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

/** The OCI layer media type for a compression format. */
export function mediaTypeFor(compression: CompressionName): string {
  const mediaType = Object.hasOwn(LAYER_MEDIA_TYPES, compression)
    ? LAYER_MEDIA_TYPES[compression]
    : undefined;
  if (mediaType === undefined)
    throw unsupportedCompression(String(compression), 'unknown compression format');
  return mediaType;
}

/** Options of `writeLayerBlob`. */
export interface WriteLayerBlobOptions {
  /** Receives the blob; nothing appears in it unless the whole pass succeeds. */
  store: Pick<BlobStore, 'writer'>;
  /** Default `gzip`. */
  compression?: CompressionName | undefined;
  /** Codec level; default: the codec's default (gzip 6). */
  level?: number | undefined;
  /** Hashing and codecs; default `portableRuntime` (pass `nodeRuntime` in Node: ~15× faster hashing). */
  runtime?: DigestRuntime | undefined;
}

/** Passes a stream through unchanged while hashing and counting it. */
async function* measured(source: ByteSource, hasher: Hasher, count: (bytes: number) => void): ByteSource {
  for await (const chunk of source) {
    hasher.update(chunk);
    count(chunk.length);
    yield chunk;
  }
}

/**
 * Compresses a layer tar into `store` in one pass and returns its descriptor facts and DiffID.
 * Memory stays bounded by the codec's window; the source is pulled only as fast as the store
 * accepts output. On any failure the blob writer is aborted, so no partial blob is left.
 */
export async function writeLayerBlob(tar: ByteSource, options: WriteLayerBlobOptions): Promise<LayerBlob> {
  const compression = options.compression ?? 'gzip';
  const runtime = options.runtime ?? portableRuntime;
  const mediaType = mediaTypeFor(compression);
  const codec = runtime.codec(compression);
  // Uncompressed: the blob is the tar, and the writer's own digest is the DiffID.
  const diffHasher = compression === 'none' ? undefined : runtime.sha256();
  let uncompressedSize = 0;
  const tarBytes =
    diffHasher === undefined
      ? tar
      : measured(tar, diffHasher, (bytes) => {
          uncompressedSize += bytes;
        });
  const blob = codec.compress(tarBytes, { level: options.level });
  const writer = options.store.writer();
  try {
    for await (const chunk of blob) await writer.write(chunk);
    const ref = await writer.commit();
    const diffID: Digest = diffHasher === undefined ? ref.digest : diffHasher.digest();
    return {
      ...ref,
      diffID,
      uncompressedSize: diffHasher === undefined ? ref.size : uncompressedSize,
      mediaType,
    };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
