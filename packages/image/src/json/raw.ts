/**
 * A document together with the exact bytes it was read from or written as, and their digest.
 * Digests are always of those bytes: layerkit never re-serializes a parsed document
 * (R21, docs/threat-model.md#r21).
 */
import { type Digest, type HasherFactory, sha256Bytes } from '@layerkit/digest';
import { type CanonicalJsonOptions, canonicalJson } from './canonical.js';

/** A parsed or serialized document, its exact bytes and the sha256 digest of those bytes. */
export interface Raw<T> {
  /** The document as a value. */
  readonly value: T;
  /** The document's exact bytes: what is stored and what is hashed. */
  readonly bytes: Uint8Array;
  /** The sha256 digest of `bytes`. */
  readonly digest: Digest;
}

/** Options of {@link encodeDocument}. */
export interface EncodeDocumentOptions extends CanonicalJsonOptions {
  /** The sha256 implementation (default: the portable one; pass the native one in Node). */
  hasher?: HasherFactory | undefined;
}

/** Serializes a document as canonical JSON and returns it with its bytes and digest, ready to store. */
export function encodeDocument<T>(value: T, options: EncodeDocumentOptions = {}): Raw<T> {
  const bytes = canonicalJson(value, options);
  return { value, bytes, digest: sha256Bytes(bytes, options.hasher) };
}
