/**
 * Writes an image archive (a plain tar of an OCI layout) straight into a file, member by
 * member, with no staging copy. A streamed member reserves its header block, streams its
 * bytes, and fills the header in place once its name (the digest) and size are known.
 * The archive is built under a temporary name and renamed into place by `commit`; a writer first
 * removes the temporary archives that dead writers (`kill -9`) left beside the same path.
 */
import { ftruncateSync } from 'node:fs';
import { TYPEFLAG } from '@layerkit/diff/internal';
import { LayerkitError } from '@layerkit/digest';
import { AtomicFileWriter, removeStaleTemporariesOf } from '@layerkit/digest/internal/node';
import {
  ARCHIVE_BLOCK,
  ARCHIVE_END,
  archiveMemberHeader,
  archivePadding,
} from '../../store/archive-member.js';

/** A member being streamed: `write` its bytes, then `finish` with its name, or `discard`. */
export interface StreamedMember {
  write(chunk: Uint8Array): void;
  /** Writes the header for `name` in the reserved block; returns the byte count. */
  finish(name: string): number;
  /** Drops the member (the archive is cut back to where it started); a no-op once closed. */
  discard(): void;
}

/** An archive under construction; nothing is visible at `path` until `commit`. */
export class ArchiveFileWriter {
  readonly path: string;
  readonly #file: AtomicFileWriter;
  #closed = false;
  #position = 0;
  #streaming = false;

  /** Starts the temporary archive beside `path`, after removing dead writers' ones left there. */
  constructor(path: string) {
    this.path = path;
    removeStaleTemporariesOf(path);
    this.#file = new AtomicFileWriter(path);
  }

  /** Adds a directory member (`name` ends in `/`). */
  directory(name: string): void {
    this.#requireIdle();
    this.#append(archiveMemberHeader(name, 0, TYPEFLAG.dir));
  }

  /** Adds a regular-file member with the given content. */
  file(name: string, bytes: Uint8Array): void {
    this.#requireIdle();
    this.#append(archiveMemberHeader(name, bytes.length, TYPEFLAG.file));
    this.#append(bytes);
    this.#pad(bytes.length);
  }

  /** Starts a member whose name and size are known only at its end (one at a time). */
  stream(): StreamedMember {
    this.#requireIdle();
    this.#streaming = true;
    const headerAt = this.#position;
    this.#append(new Uint8Array(ARCHIVE_BLOCK));
    let size = 0;
    let open = true;
    const close = () => {
      if (!open)
        throw new LayerkitError('ARCHIVE_MEMBER_CLOSED', `archive member already closed in ${this.path}`);
      open = false;
      this.#streaming = false;
    };
    return {
      write: (chunk) => {
        if (!open)
          throw new LayerkitError('ARCHIVE_MEMBER_CLOSED', `archive member already closed in ${this.path}`);
        this.#append(chunk);
        size += chunk.length;
      },
      finish: (name) => {
        close();
        this.#write(archiveMemberHeader(name, size, TYPEFLAG.file), headerAt);
        this.#pad(size);
        return size;
      },
      discard: () => {
        if (!open) return;
        close();
        ftruncateSync(this.#openFd(), headerAt);
        this.#position = headerAt;
      },
    };
  }

  /**
   * Writes the end-of-archive blocks, fsyncs, and renames the archive into place. When that
   * fails (`path` is a directory, say) the temporary archive stays for `abort` to remove.
   */
  commit(): void {
    this.#append(ARCHIVE_END);
    this.#file.commit();
    this.#closed = true;
  }

  /** Closes and deletes the temp archive; safe after a failure and after `commit`. */
  abort(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.abort();
  }

  /** Members are written strictly one after another: a streamed member blocks everything else. */
  #requireIdle(): void {
    if (this.#streaming) {
      throw new LayerkitError(
        'ARCHIVE_BUSY',
        `a blob is still being streamed into ${this.path}; finish it first`,
        {
          path: this.path,
        },
      );
    }
  }

  #openFd(): number {
    if (this.#closed) throw new LayerkitError('ARCHIVE_CLOSED', `archive ${this.path} is closed`);
    return this.#file.fd;
  }

  /** Writes `bytes` at `position` (a full disk is `NO_SPACE` naming the file). */
  #write(bytes: Uint8Array, position: number): void {
    this.#openFd();
    this.#file.write(bytes, position);
  }

  #append(bytes: Uint8Array): void {
    this.#write(bytes, this.#position);
    this.#position += bytes.length;
  }

  #pad(size: number): void {
    const padding = archivePadding(size);
    if (padding.length > 0) this.#append(padding);
  }
}
