/** An in-memory `BlobStore`, for tests and runtimes without a file system. */
import { BlobVerifier, blobMissing, checkBlobRef } from './blob-verify.js';
import { hashingBlobWriter } from './blob-writer.js';
import { concatBytes } from './bytes.js';
import type { BlobRef, BlobStore, BlobWriter, ByteSource, Digest, DigestRuntime } from './contracts.js';
import { portableRuntime } from './runtime.js';

/** Holds blobs in a Map. Reads verify size and digest like the file store, and return copies. */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<Digest, Uint8Array>();
  readonly #runtime: DigestRuntime;

  /** @param runtime supplies the hasher (default: the portable runtime). */
  constructor(runtime: DigestRuntime = portableRuntime) {
    this.#runtime = runtime;
  }

  /** True when the store holds `digest`. */
  async has(digest: Digest): Promise<boolean> {
    return this.#blobs.has(digest);
  }

  /** A verified copy of the blob. @throws `BLOB_MISSING`, `BLOB_CORRUPT`. */
  async get(ref: BlobRef): Promise<Uint8Array> {
    return this.#verifiedCopy(ref);
  }

  /** The blob as a one-chunk stream, verified before it is yielded. */
  async *stream(ref: BlobRef): ByteSource {
    yield this.#verifiedCopy(ref);
  }

  /** Stores a copy of `bytes` (a no-op when present). */
  async put(bytes: Uint8Array): Promise<BlobRef> {
    const writer = this.writer();
    await writer.write(bytes);
    return writer.commit();
  }

  /** A writer whose blob appears only on `commit`. */
  writer(known?: BlobRef): BlobWriter {
    let chunks: Uint8Array[] = [];
    return hashingBlobWriter(
      {
        write: (chunk) => {
          chunks.push(chunk.slice());
        },
        publish: (ref) => {
          if (!this.#blobs.has(ref.digest)) this.#blobs.set(ref.digest, concatBytes(chunks));
          chunks = [];
        },
        discard: () => {
          chunks = [];
        },
      },
      this.#runtime.sha256,
      known,
    );
  }

  #verifiedCopy(ref: BlobRef): Uint8Array {
    const checked = checkBlobRef(ref);
    const bytes = this.#blobs.get(checked.digest);
    if (bytes === undefined) throw blobMissing(checked.digest);
    const verifier = new BlobVerifier(checked, this.#runtime.sha256);
    verifier.add(bytes.subarray(0, checked.size + 1));
    verifier.finish();
    return bytes.slice();
  }
}
