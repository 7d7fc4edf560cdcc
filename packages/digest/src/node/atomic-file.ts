/**
 * Crash-safe file writes, the one way layerkit writes a file others read (blobs, `index.json`,
 * archives, snapshots, layer files): a temporary sibling, every byte written (short writes
 * looped), fsync, rename over the target, fsync of the directory. Readers see the old file or the
 * new one, never a mix; a failure removes the temporary file.
 *
 * Temporary names carry their writer (`<target>.tmp-<pid>.<start>-<random>`, the process id and
 * its start time, see process-owner.ts), so a later `gc`, or the next writer of the same target,
 * can tell a dead writer's leftover from a file still being written, even after the process id
 * has been reused.
 */
import {
  closeSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileSystemError } from './file-system-error.js';
import { isStaleOwnedName, ownedName } from './process-owner.js';

/** The infix of every temporary name. */
export const TEMPORARY_INFIX = '.tmp-';

/** A unique temporary sibling of `target` (same directory: the rename is atomic), owned by this process. */
export function temporaryPath(target: string): string {
  return ownedName(target, TEMPORARY_INFIX);
}

/**
 * True when the temporary file named `name` was left by a process that no longer runs: its
 * process id is gone, or now belongs to a process started at another time. Names that are not
 * layerkit's temporaries are never called stale.
 */
export function isStaleTemporary(name: string): boolean {
  return isStaleOwnedName(name, TEMPORARY_INFIX);
}

/** A dead writer's temporary file, as {@link removeStaleTemporaries} removed it. */
export interface StaleTemporary {
  /** Where it was. */
  readonly path: string;
  /** Its size in bytes when removed. */
  readonly size: number;
}

/** Removes the stale temporaries (see {@link isStaleTemporary}) directly in `dir`: files only. */
export function removeStaleTemporaries(dir: string): StaleTemporary[] {
  return removeStale(dir, TEMPORARY_INFIX, () => true, false);
}

/**
 * Removes the stale temporaries of one `target` (`<target><infix><owner>-…` beside it, `infix`
 * `.tmp-` unless given), files and directories (a dead unpack's work directory): what a writer
 * of `target` does before it starts, since no `gc` of a layout ever looks beside an archive or
 * a rootfs.
 */
export function removeStaleTemporariesOf(target: string, infix: string = TEMPORARY_INFIX): StaleTemporary[] {
  const prefix = `${basename(target)}${infix}`;
  return removeStale(dirname(target), infix, (name) => name.startsWith(prefix), true);
}

function removeStale(
  dir: string,
  infix: string,
  wanted: (name: string) => boolean,
  directories: boolean,
): StaleTemporary[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: StaleTemporary[] = [];
  for (const name of names) {
    if (!name.includes(infix) || !wanted(name) || !isStaleOwnedName(name, infix)) continue;
    const path = join(dir, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined || !(stat.isFile() || (directories && stat.isDirectory()))) continue;
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      continue; // another user's, say: a leftover that cannot go stays, and fails nothing
    }
    removed.push({ path, size: stat.size });
  }
  return removed;
}

/** fsyncs a directory so a rename inside it survives a crash. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes all of `bytes` to `fd` (a write may take fewer bytes than given), at `position` when
 * given, else at the file's current offset.
 */
export function writeFully(fd: number, bytes: Uint8Array, position?: number): void {
  let written = 0;
  while (written < bytes.length) {
    const at = position === undefined ? null : position + written;
    written += writeSync(fd, bytes, written, bytes.length - written, at);
  }
}

/** A file being written under a temporary name; `commit` puts it in place, `abort` removes it. */
export class AtomicFileWriter {
  /** The file the writer replaces at `commit`. */
  readonly target: string;
  /** Where the bytes go until then. */
  readonly temporary: string;
  #fd: number | undefined;

  /**
   * Creates the temporary file (`mode` applies to the final file too). Every failure of the
   * writer is a `LayerkitError` naming the file (see `fileSystemError`): `NO_SPACE`,
   * `READ_ONLY_FILE_SYSTEM`, `NOT_A_REGULAR_FILE` (the target is a directory), ….
   */
  constructor(target: string, mode = 0o644) {
    this.target = target;
    this.temporary = temporaryPath(target);
    try {
      this.#fd = openSync(this.temporary, 'wx', mode);
    } catch (error) {
      throw fileSystemError(this.temporary, error, 'creating a file');
    }
  }

  /** The open descriptor of the temporary file (for positioned writes). */
  get fd(): number {
    if (this.#fd === undefined) throw new Error(`${this.temporary}: already closed`);
    return this.#fd;
  }

  /** Appends `bytes`, or writes them at `position` when given. */
  write(bytes: Uint8Array, position?: number): void {
    try {
      writeFully(this.fd, bytes, position);
    } catch (error) {
      throw fileSystemError(this.temporary, error, 'writing');
    }
  }

  /**
   * fsyncs the bytes and renames the file over its target (`options.target` when the name was
   * not known at the start, a blob's digest say), then fsyncs that directory. When
   * `options.keepExisting()` says an equal file is already there, the temporary file is dropped;
   * when the rename fails, it is removed too.
   */
  commit(options: { target?: string; keepExisting?: () => boolean } = {}): void {
    const fd = this.fd;
    try {
      fsyncSync(fd);
    } catch (error) {
      throw fileSystemError(this.temporary, error, 'writing');
    }
    this.#fd = undefined;
    closeSync(fd);
    if (options.keepExisting?.()) {
      rmSync(this.temporary, { force: true });
      return;
    }
    const target = options.target ?? this.target;
    try {
      renameSync(this.temporary, target);
    } catch (error) {
      // Remove it here: a caller that meets this error need not remember to abort.
      rmSync(this.temporary, { force: true });
      throw fileSystemError(target, error);
    }
    fsyncDirectory(dirname(target));
  }

  /** Closes and removes the temporary file; safe after any failure and after `commit`. */
  abort(): void {
    let closeError: unknown;
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch (error) {
        closeError = error;
      }
      this.#fd = undefined;
    }
    rmSync(this.temporary, { force: true });
    if (closeError !== undefined) throw closeError;
  }
}

/** Writes `bytes` to `path` atomically; on failure `path` is untouched and nothing is left behind. */
export function writeFileAtomic(path: string, bytes: Uint8Array, mode = 0o644): void {
  const writer = new AtomicFileWriter(path, mode);
  try {
    writer.write(bytes);
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
}
