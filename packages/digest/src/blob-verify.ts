/**
 * Blob verification (OCI descriptor.md; R2, docs/threat-model.md#r2): size first, then the digest, never
 * more than `size + 1` bytes consumed. Every store read and every checked write goes through here.
 */
import type { BlobRef, Digest, HasherFactory } from './contracts.js';
import { digestAlgorithm, parseDigest, quoteForMessage } from './digest.js';
import { LayerkitError } from './errors.js';

/** The error for content whose size or digest differs from its ref. */
export function blobCorrupt(ref: BlobRef, detail: string): LayerkitError {
  return new LayerkitError('BLOB_CORRUPT', `blob ${ref.digest} is corrupt (${detail})`, {
    digest: ref.digest,
    size: ref.size,
  });
}

/** The error for a blob a store does not hold. */
export function blobMissing(digest: Digest): LayerkitError {
  return new LayerkitError('BLOB_MISSING', `blob ${digest} is missing`, { digest });
}

/**
 * Checks a ref from untrusted input: a valid sha256 digest (the only algorithm stores hash
 * with) and a size that is a non-negative safe integer.
 */
export function checkBlobRef(ref: BlobRef): BlobRef {
  const digest = requireSha256(ref.digest);
  if (!Number.isSafeInteger(ref.size) || ref.size < 0) {
    throw new LayerkitError(
      'INVALID_SIZE',
      `blob ${digest} has an invalid size ${quoteForMessage(String(ref.size))}`,
      {
        digest,
        size: ref.size,
      },
    );
  }
  return { digest, size: ref.size };
}

/**
 * Validates `digest` and requires sha256: other algorithms pass the grammar but are never
 * hashed or turned into file names here (R1: unsupported, not a filename).
 */
export function requireSha256(digest: string): Digest {
  const valid = parseDigest(digest);
  if (digestAlgorithm(valid) !== 'sha256') {
    throw new LayerkitError(
      'UNSUPPORTED_DIGEST',
      `digest ${valid} uses an unsupported algorithm (only sha256)`,
      {
        digest: valid,
      },
    );
  }
  return valid;
}

/**
 * Checks content of `size` bytes against `expected`: the size first, and only when it matches
 * the digest (computed lazily by `digest`, so a wrong size costs no hash).
 * @throws `BLOB_CORRUPT` naming the expected digest.
 */
export function assertMatchesRef(expected: BlobRef, size: number, digest: () => Digest): void {
  if (size !== expected.size) throw blobCorrupt(expected, `size ${size}, expected ${expected.size}`);
  const actual = digest();
  if (actual !== expected.digest) throw blobCorrupt(expected, `content hashes to ${actual}`);
}

/** Hashes and counts content as it arrives and checks it against a ref. */
export class BlobVerifier {
  readonly #ref: BlobRef;
  readonly #hasher;
  #size = 0;

  /** Starts verifying content expected to match `ref` (checked with `checkBlobRef` first). */
  constructor(ref: BlobRef, sha256: HasherFactory) {
    this.#ref = checkBlobRef(ref);
    this.#hasher = sha256();
  }

  /** Bytes accepted so far. */
  get size(): number {
    return this.#size;
  }

  /** Accepts the next chunk. @throws `BLOB_CORRUPT` as soon as the content exceeds the expected size. */
  add(chunk: Uint8Array): void {
    this.#size += chunk.length;
    if (this.#size > this.#ref.size) {
      throw blobCorrupt(this.#ref, `size exceeds ${this.#ref.size}, expected ${this.#ref.size}`);
    }
    this.#hasher.update(chunk);
  }

  /** Ends the content. @throws `BLOB_CORRUPT` when it is short or hashes to another digest. */
  finish(): BlobRef {
    assertMatchesRef(this.#ref, this.#size, () => this.#hasher.digest());
    return this.#ref;
  }
}
