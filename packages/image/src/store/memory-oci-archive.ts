/**
 * An oci-archive built in memory: an {@link ImageSink} whose blobs stay in memory until `close`
 * lays them out as the same tar the file sink in `./node` writes (directories, blobs in the order
 * stored, `oci-layout`, `index.json` last). For runtimes without a file system — a browser hands
 * the bytes to a download — and for small images anywhere.
 */
import { TYPEFLAG } from '@layerkit/diff/internal';
import {
  type BlobRef,
  type BlobWriter,
  type Digest,
  type DigestRuntime,
  LayerkitError,
  MemoryBlobStore,
  portableRuntime,
} from '@layerkit/digest';
import { concatBytes } from '@layerkit/digest/internal';
import type { Raw } from '../json/raw.js';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import { ociArchiveFormat } from './archive-format.js';
import { ARCHIVE_END, archiveMemberHeader, archivePadding, blobMemberName } from './archive-member.js';
import { type ArchivePublisher, archivePublisher } from './archive-publisher.js';
import type { BlobWriteStore } from './blob-reader.js';
import type { ImageSink, ImageToPublish, PublishOptions } from './image-sink.js';

/** Options of {@link MemoryOciArchive}. */
export interface MemoryOciArchiveOptions {
  /** The default tag (`org.opencontainers.image.ref.name`) of `publish`. */
  tag?: string | undefined;
  /** Hashing for the blobs (default: the portable runtime). */
  runtime?: DigestRuntime | undefined;
}

/** A MemoryBlobStore that remembers the order blobs were first stored in (the archive's order). */
class OrderedBlobs implements BlobWriteStore {
  readonly store: MemoryBlobStore;
  readonly order: BlobRef[] = [];
  readonly #seen = new Set<Digest>();

  constructor(runtime: DigestRuntime) {
    this.store = new MemoryBlobStore(runtime);
  }

  has(digest: Digest): Promise<boolean> {
    return this.store.has(digest);
  }

  async put(bytes: Uint8Array): Promise<BlobRef> {
    return this.#remember(await this.store.put(bytes));
  }

  writer(known?: BlobRef): BlobWriter {
    const writer = this.store.writer(known);
    return {
      write: (chunk) => writer.write(chunk),
      commit: async (expected) => this.#remember(await writer.commit(expected)),
      abort: () => writer.abort(),
    };
  }

  #remember(ref: BlobRef): BlobRef {
    if (!this.#seen.has(ref.digest)) {
      this.#seen.add(ref.digest);
      this.order.push(ref);
    }
    return ref;
  }
}

/**
 * An oci-archive written into memory. Build or copy an image into it like any sink, `close` it,
 * then take {@link MemoryOciArchive.bytes}: what `skopeo copy oci-archive:F` reads.
 */
export class MemoryOciArchive implements ImageSink {
  /** Where layer blobs go first. */
  readonly blobs: BlobWriteStore;
  readonly #blobs: OrderedBlobs;
  readonly #publisher: ArchivePublisher;
  #archive: Uint8Array<ArrayBuffer> | undefined;
  #aborted = false;

  /** @throws `INVALID_REF_NAME` for a tag that is not a valid ref.name. */
  constructor(options: MemoryOciArchiveOptions = {}) {
    this.#blobs = new OrderedBlobs(options.runtime ?? portableRuntime);
    this.blobs = this.#blobs;
    this.#publisher = archivePublisher(this.#blobs, ociArchiveFormat, options.tag, 'oci-archive in memory');
  }

  /** Stores config and manifest and points the tag at the manifest. */
  publish(image: ImageToPublish, options?: PublishOptions): Promise<Descriptor> {
    return this.#publisher.publish(image, options);
  }

  /** Stores an index over manifests published before it and points the tag at it. */
  publishIndex(index: Raw<ImageIndex>, options?: PublishOptions): Promise<Descriptor> {
    return this.#publisher.publishIndex(index, options);
  }

  /** Lays the archive out: directories, every blob in the order stored, `oci-layout`, `index.json`. */
  async close(): Promise<void> {
    if (this.#aborted) throw new LayerkitError('ARCHIVE_CLOSED', 'the in-memory oci-archive was aborted');
    const parts: Uint8Array[] = [
      archiveMemberHeader('blobs/', 0, TYPEFLAG.dir),
      archiveMemberHeader('blobs/sha256/', 0, TYPEFLAG.dir),
    ];
    const file = (name: string, bytes: Uint8Array) => {
      parts.push(archiveMemberHeader(name, bytes.length, TYPEFLAG.file), bytes, archivePadding(bytes.length));
    };
    for (const ref of this.#blobs.order) file(blobMemberName(ref.digest), await this.#blobs.store.get(ref));
    for (const member of ociArchiveFormat.trailer(this.#publisher.images())) file(member.name, member.bytes);
    parts.push(ARCHIVE_END);
    this.#archive = concatBytes(parts);
  }

  /** Drops everything; `bytes` then fails. */
  async abort(): Promise<void> {
    this.#aborted = true;
    this.#archive = undefined;
  }

  /**
   * The archive's bytes, once `close` has run (a `BlobPart` as it is: `new Blob([archive.bytes()])`).
   * @throws `ARCHIVE_BUSY` before `close`, `ARCHIVE_CLOSED` after `abort`.
   */
  bytes(): Uint8Array<ArrayBuffer> {
    if (this.#aborted) throw new LayerkitError('ARCHIVE_CLOSED', 'the in-memory oci-archive was aborted');
    if (this.#archive === undefined) {
      throw new LayerkitError('ARCHIVE_BUSY', 'the in-memory oci-archive is still open: close it first');
    }
    return this.#archive;
  }
}
