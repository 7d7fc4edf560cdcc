/**
 * A `BlobStore` over an OCI layout's `blobs/sha256/<hex>` files. Digests are validated before
 * any path is built (R1); writes land under a unique temp name and are fsynced and renamed into
 * place, so a blob name only ever holds complete content; every read checks the size, then
 * the digest, reading at most size + 1 bytes (R2). Threat ids (R1, R2): docs/threat-model.md.
 */
import { closeSync, lstatSync, readdirSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BlobVerifier, blobCorrupt, blobMissing, checkBlobRef, requireSha256 } from '../blob-verify.js';
import { hashingBlobWriter } from '../blob-writer.js';
import type { BlobRef, BlobStore, BlobWriter, ByteSource, Digest, DigestRuntime } from '../contracts.js';
import { digestHex, isDigest } from '../digest.js';
import { isLayerkitError } from '../errors.js';
import { AtomicFileWriter } from './atomic-file.js';
import { ensureDirectory } from './ensure-directory.js';
import { type OpenedRegularFile, openRegularFile } from './regular-file.js';
import { nodeRuntime } from './runtime.js';
import { WriteBehind } from './write-behind.js';

/** Bytes per read when streaming a blob. */
const READ_CHUNK_SIZE = 1024 * 1024;

/** Options of `FsBlobStore`. */
export interface FsBlobStoreOptions {
  /** Hashing for writes and verification; default `nodeRuntime`. */
  runtime?: DigestRuntime | undefined;
  /**
   * Called with a digest before the store relies on that blob being present (`has`, `put`, a
   * writer's commit that may keep an existing copy), so that a garbage collector honouring it
   * keeps the blob: a layout writer records it in its lease. A throw fails the call.
   */
  retain?: ((digest: Digest) => void) | undefined;
}

/** Reads until `buffer` is full or the file ends; returns the bytes read. */
function readFully(fd: number, buffer: Uint8Array): number {
  let filled = 0;
  while (filled < buffer.length) {
    const read = readSync(fd, buffer, filled, buffer.length - filled, null);
    if (read === 0) break;
    filled += read;
  }
  return filled;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The sha256 blobs of an OCI image layout directory. */
export class FsBlobStore implements BlobStore {
  /** The layout directory (the one holding `oci-layout` and `blobs/`). */
  readonly layoutDir: string;
  readonly #runtime: DigestRuntime;
  readonly #retain: (digest: Digest) => void;

  /** @param layoutDir the OCI layout directory; `blobs/` is created on the first write. */
  constructor(layoutDir: string, options: FsBlobStoreOptions = {}) {
    this.layoutDir = layoutDir;
    this.#runtime = options.runtime ?? nodeRuntime;
    this.#retain = options.retain ?? (() => {});
  }

  /**
   * The file of a blob, `<layoutDir>/blobs/sha256/<hex>`.
   * @throws `INVALID_DIGEST` / `UNSUPPORTED_DIGEST` before any path is built.
   */
  path(digest: string): string {
    return join(this.layoutDir, 'blobs', 'sha256', digestHex(requireSha256(digest)));
  }

  /** True when a regular file is stored under `digest` (not verified: reads verify); retains it first. */
  async has(digest: Digest): Promise<boolean> {
    this.#retain(requireSha256(digest));
    return this.#storedSize(digest) !== undefined;
  }

  /** The whole blob, verified. @throws `BLOB_MISSING`, `BLOB_CORRUPT`. */
  async get(ref: BlobRef): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.stream(ref)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /**
   * Streams a blob in 1 MiB chunks. The size is checked before the first chunk; the last chunk
   * is yielded only after the size and digest are confirmed, so corrupt content never completes.
   */
  async *stream(ref: BlobRef): ByteSource {
    const checked = checkBlobRef(ref);
    const fd = this.#openForRead(checked);
    try {
      const verifier = new BlobVerifier(checked, this.#runtime.sha256);
      for (;;) {
        // Ask for one byte more than remains: getting it proves the file grew past its size.
        const wanted = Math.min(READ_CHUNK_SIZE, checked.size - verifier.size + 1);
        const buffer = Buffer.allocUnsafeSlow(wanted);
        const read = readFully(fd, buffer);
        const chunk = buffer.subarray(0, read);
        verifier.add(chunk);
        if (read < wanted) {
          verifier.finish();
          if (read > 0) yield chunk;
          return;
        }
        yield chunk;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Stores `bytes`; when the blob is already present nothing is written. */
  async put(bytes: Uint8Array): Promise<BlobRef> {
    const digest = this.#runtime.sha256().update(bytes).digest();
    this.#retain(digest);
    if (this.#storedSize(digest) === bytes.length) return { digest, size: bytes.length };
    const writer = this.writer({ digest, size: bytes.length }); // hashed just now: not again
    try {
      await writer.write(bytes);
      return await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /**
   * A writer into a temporary file in `blobs/` (named after its writing process, see
   * atomic-file.ts); `commit` fsyncs it and renames it into place (then fsyncs the directory).
   * Concurrent writers of one blob are safe: each rename is atomic and installs identical
   * content. A blob already present with the same size is kept as is. Chunks are written behind
   * the caller on the thread pool (see write-behind.ts), so a chunk must not change once passed
   * to `write` (a `ByteSource` chunk never does); a failed write surfaces at a later `write` or
   * at `commit`.
   */
  writer(known?: BlobRef): BlobWriter {
    const blobsDir = join(this.layoutDir, 'blobs');
    let file: { atomic: AtomicFileWriter; behind: WriteBehind } | undefined;
    const open = () => {
      if (file === undefined) {
        ensureDirectory(blobsDir);
        const atomic = new AtomicFileWriter(join(blobsDir, 'blob'));
        file = { atomic, behind: new WriteBehind(atomic.fd, atomic.temporary) };
      }
      return file;
    };
    return hashingBlobWriter(
      {
        // On the thread pool, so that a large blob's writes overlap its hashing and compression.
        write: (chunk) => open().behind.write(chunk),
        publish: async (ref) => {
          const { atomic, behind } = open();
          await behind.drain();
          const target = this.path(ref.digest);
          this.#retain(ref.digest);
          ensureDirectory(dirname(target));
          atomic.commit({ target, keepExisting: () => this.#storedSize(ref.digest) === ref.size });
        },
        discard: async () => {
          if (file === undefined) return;
          await file.behind.settle();
          file.atomic.abort();
        },
      },
      this.#runtime.sha256,
      known,
    );
  }

  /** The digests of the stored sha256 blobs (directory order; temp files and strays skipped). */
  async *list(): AsyncIterable<Digest> {
    let names: string[];
    try {
      names = readdirSync(join(this.layoutDir, 'blobs', 'sha256'));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const name of names) {
      const digest = `sha256:${name}`;
      if (isDigest(digest)) yield digest;
    }
  }

  /** The size of the regular file (not a symlink) stored under `digest`, or undefined when there is none. */
  #storedSize(digest: Digest): number | undefined {
    try {
      const stat = lstatSync(this.path(digest));
      return stat.isFile() ? stat.size : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Opens a blob for reading after checking it is a regular file of the expected size. */
  #openForRead(ref: BlobRef): number {
    let file: OpenedRegularFile;
    try {
      file = openRegularFile(this.path(ref.digest));
    } catch (error) {
      if (isLayerkitError(error, 'FILE_NOT_FOUND')) throw blobMissing(ref.digest);
      if (isLayerkitError(error, 'NOT_A_REGULAR_FILE')) throw blobCorrupt(ref, error.message);
      throw error;
    }
    if (file.size !== ref.size) {
      closeSync(file.fd);
      throw blobCorrupt(ref, `size ${file.size}, expected ${ref.size}`);
    }
    return file.fd;
  }
}
