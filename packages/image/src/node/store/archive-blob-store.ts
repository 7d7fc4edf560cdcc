/**
 * The blob side of an archive sink: each new blob becomes a `blobs/sha256/<hex>` member the
 * moment it is committed, written straight into the archive (no staging copy). Duplicates
 * are cut back out, so every blob appears once.
 */
import {
  type BlobRef,
  type BlobWriter,
  type Digest,
  type DigestRuntime,
  hashingBlobWriter,
} from '@layerkit/digest';
import { blobMemberName } from '../../store/archive-member.js';
import type { BlobWriteStore } from '../../store/blob-reader.js';
import type { ArchiveFileWriter } from './archive-file-writer.js';

/** A write-only blob store appending to `archive`; one streamed writer at a time. */
export class ArchiveBlobStore implements BlobWriteStore {
  readonly #archive: ArchiveFileWriter;
  readonly #runtime: DigestRuntime;
  readonly #stored = new Set<Digest>();

  constructor(archive: ArchiveFileWriter, runtime: DigestRuntime) {
    this.#archive = archive;
    this.#runtime = runtime;
  }

  /** True when the blob is already in the archive. */
  async has(digest: Digest): Promise<boolean> {
    return this.#stored.has(digest);
  }

  /** Adds a small blob (a no-op when present). */
  async put(bytes: Uint8Array): Promise<BlobRef> {
    const digest = this.#runtime.sha256().update(bytes).digest();
    if (!this.#stored.has(digest)) {
      this.#archive.file(blobMemberName(digest), bytes);
      this.#stored.add(digest);
    }
    return { digest, size: bytes.length };
  }

  /** Streams a blob into the archive; its header is filled in on commit. */
  writer(known?: BlobRef): BlobWriter {
    const member = this.#archive.stream();
    return hashingBlobWriter(
      {
        write: (chunk) => member.write(chunk),
        publish: (ref) => {
          if (this.#stored.has(ref.digest)) {
            member.discard();
          } else {
            member.finish(blobMemberName(ref.digest));
            this.#stored.add(ref.digest);
          }
        },
        discard: () => member.discard(),
      },
      this.#runtime.sha256,
      known,
    );
  }
}
