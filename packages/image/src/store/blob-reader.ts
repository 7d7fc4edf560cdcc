/**
 * The read side of a blob store, as image sources expose it. Every read is verified
 * (size first, then digest: R2), so a caller never sees bytes that do not match the ref.
 */
import type { BlobStore } from '@layerkit/digest';

/** Verified, read-only access to the blobs of an image source. */
export type BlobReader = Pick<BlobStore, 'has' | 'get' | 'stream'>;

/** Blob storage an image sink writes into (the write half of a {@link BlobStore}). */
export type BlobWriteStore = Pick<BlobStore, 'has' | 'put' | 'writer'>;
