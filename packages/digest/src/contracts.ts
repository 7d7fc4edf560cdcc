/**
 * The public contracts of @layerkit/digest: the shapes every other package codes against.
 * Implementations live in their own files; this file holds types only.
 */

/** A validated content digest, `algorithm:encoded` (for sha256: 64 lowercase hex). */
export type Digest = string & {
  /** A compile-time brand only (no string has it): `parseDigest` and hashers make digests. */
  readonly __digest: unique symbol;
};

/** A streaming hash: `update` any number of times, then `digest` exactly once. */
export interface Hasher {
  /** Feeds bytes; returns the hasher for chaining. Throws after `digest()`. */
  update(data: Uint8Array): Hasher;
  /** Finishes and returns `sha256:<hex>`. Throws if called twice. */
  digest(): Digest;
}

/** Creates a fresh SHA-256 hasher (native in Node, @noble/hashes elsewhere). */
export type HasherFactory = () => Hasher;

/** Layer compression formats layerkit writes and reads. */
export type CompressionName = 'gzip' | 'zstd' | 'none';

/** A byte source: the universal stream shape between packages (chunks are never reused by producers). */
export type ByteSource = AsyncIterable<Uint8Array>;

/** Compression options common to every codec. */
export interface CompressOptions {
  /** Codec-specific level (gzip 1–9). Omitted: the codec's documented default. */
  level?: number | undefined;
}

/** One compression format, streaming in both directions. */
export interface Codec {
  /** The format this codec reads and writes. */
  readonly name: CompressionName;
  /** Compresses a byte stream; deterministic for equal input and options. */
  compress(source: ByteSource, options?: CompressOptions): ByteSource;
  /** Decompresses a byte stream of this format (all gzip members, all zstd frames). */
  decompress(source: ByteSource): ByteSource;
}

/** Size and digest of stored content: the core of an OCI descriptor. */
export interface BlobRef {
  /** The content's digest. */
  digest: Digest;
  /** The content's length in bytes. */
  size: number;
}

/** An in-progress blob write; nothing is visible under a digest name until `commit`. */
export interface BlobWriter {
  /**
   * Appends bytes (hashed, or counted against a known ref, as they pass). Throws once committed or aborted.
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Finishes the write. With `expected`, fails (and discards) when the content differs. */
  commit(expected?: BlobRef): Promise<BlobRef>;
  /** Discards everything written. Safe to call after a failure. */
  abort(): Promise<void>;
}

/** Content-addressed blob storage (an OCI layout's `blobs/`, or memory). */
export interface BlobStore {
  /** True when the store holds the blob `digest` (its content is not checked). */
  has(digest: Digest): Promise<boolean>;
  /** Reads a whole (small) blob, verifying size then digest. */
  get(ref: BlobRef): Promise<Uint8Array>;
  /** Streams a blob, verifying size and digest as it ends (the last chunk throws on mismatch). */
  stream(ref: BlobRef): ByteSource;
  /** Stores bytes (a no-op when already present) and returns their ref. */
  put(bytes: Uint8Array): Promise<BlobRef>;
  /**
   * A writer for one blob. `known`: the ref of content the caller verifies itself as it writes
   * (a copy from a verified read); the writer then counts the bytes instead of hashing them again.
   */
  writer(known?: BlobRef): BlobWriter;
}

/** The result of turning an uncompressed layer tar into a stored blob, in one pass. */
export interface LayerBlob extends BlobRef {
  /** sha256 of the uncompressed tar stream (the config's `rootfs.diff_ids` entry). */
  diffID: Digest;
  /** Length in bytes of the uncompressed tar stream. */
  uncompressedSize: number;
  /** `application/vnd.oci.image.layer.v1.tar`, `…+gzip` or `…+zstd`. */
  mediaType: string;
}

/**
 * The platform services other packages pass around instead of importing Node directly:
 * `portableRuntime` (any JS runtime) or `nodeRuntime` from `@layerkit/digest/node` (fast paths).
 */
export interface DigestRuntime {
  /** Creates SHA-256 hashers. */
  readonly sha256: HasherFactory;
  /** The codec for a format; throws `UNSUPPORTED_COMPRESSION` when this runtime lacks it. */
  codec(name: CompressionName): Codec;
}
