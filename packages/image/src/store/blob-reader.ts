/**
 * The read side of a blob store, as image sources expose it. Every read is verified (size first,
 * then digest: R2, docs/threat-model.md#r2), so a caller never sees bytes that do not match the
 * ref.
 */
import type { BlobStore, Digest } from '@layerkit/digest';
import type { RegistryLocation } from './image-source.js';

/** Verified, read-only access to the blobs of an image source. */
export type BlobReader = Pick<BlobStore, 'has' | 'get' | 'stream'>;

/** Blob storage an image sink writes into (the write half of a {@link BlobStore}). */
export interface BlobWriteStore extends Pick<BlobStore, 'has' | 'put' | 'writer'> {
  /**
   * Makes `digest` available from another repository of the same registry without sending it
   * (a registry's cross-repository mount). Resolves false when it cannot; absent outside registries.
   */
  mount?(digest: Digest, from: RegistryLocation): Promise<boolean>;
}
