/**
 * Opening a file layerkit reads by path (a layout's `oci-layout` and `index.json`, a blob, an
 * archive, a lock, an auth or certificate file, a walked tree's file) so that whatever sits at
 * the path cannot hang the process: the open never blocks (`O_NONBLOCK`: a FIFO with no writer,
 * a device), one `fstat` of the opened file refuses anything but a regular file, and a symlink
 * at the path itself is refused unless the caller follows it on purpose (R12,
 * docs/threat-model.md#r12).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { LayerkitError } from '../errors.js';
import { fileSystemError } from './file-system-error.js';

/** Options of {@link openRegularFile} and {@link readRegularFile}. */
export interface OpenRegularFileOptions {
  /** Follow a symlink at the path itself (a path the user named); default false (`O_NOFOLLOW`). */
  followSymlinks?: boolean | undefined;
  /** Appended to the `NOT_A_REGULAR_FILE` message, e.g. `(replaced since it was walked)`. */
  note?: string | undefined;
}

/** A regular file opened for reading: its descriptor (the caller closes it) and its size. */
export interface OpenedRegularFile {
  readonly fd: number;
  readonly size: number;
}

/**
 * Opens the regular file at `path` for reading without blocking (see the module comment).
 * Throws `LayerkitError` naming the path: `NOT_A_REGULAR_FILE` for a FIFO, device, socket,
 * directory or (unless followed) symlink, else what {@link fileSystemError} makes of the failure
 * (`FILE_NOT_FOUND`, `PERMISSION_DENIED`, …).
 */
export function openRegularFile(
  path: string | Buffer,
  options: OpenRegularFileOptions = {},
): OpenedRegularFile {
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlinks === true ? 0 : constants.O_NOFOLLOW);
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    // ELOOP: a symlink (O_NOFOLLOW); ENXIO: a Unix socket, or a device with no driver.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw notRegular(path, 'a symlink', options.note, error);
    if (code === 'ENXIO') throw notRegular(path, 'a socket or device', options.note, error);
    throw fileSystemError(path.toString(), error);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(path, kindOf(stat), options.note);
    return { fd, size: stat.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * The whole content of the regular file at `path`, opened as {@link openRegularFile} does.
 * `checkSize` sees the file's size before anything is read (to refuse one over a limit).
 */
export function readRegularFile(
  path: string,
  options: OpenRegularFileOptions & { checkSize?: ((size: number) => void) | undefined } = {},
): Uint8Array {
  const { fd, size } = openRegularFile(path, options);
  try {
    options.checkSize?.(size);
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < bytes.length) {
      const read = readSync(fd, bytes, done, bytes.length - done, done);
      if (read === 0) break;
      done += read;
    }
    return bytes.subarray(0, done);
  } catch (error) {
    throw error instanceof LayerkitError ? error : fileSystemError(path, error);
  } finally {
    closeSync(fd);
  }
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

function notRegular(
  path: string | Buffer,
  kind: string,
  note: string | undefined,
  cause?: unknown,
): LayerkitError {
  const name = path.toString();
  const message = `${name}: ${kind}, not a regular file${note === undefined ? '' : ` ${note}`}`;
  return new LayerkitError(
    'NOT_A_REGULAR_FILE',
    message,
    { path: name },
    cause === undefined ? {} : { cause },
  );
}
