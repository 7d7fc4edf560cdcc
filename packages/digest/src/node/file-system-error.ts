/**
 * Node's file-system errors as layerkit errors: a typed code and a message naming the path and
 * saying what happened in words, instead of `ENOENT: no such file or directory, open '…'` (or
 * `ENOSPC: no space left on device, write`, which names no path at all). The original error
 * stays as the cause and its errno code as `details.errno`.
 */
import type { LayerkitErrorCode } from '../error-codes.js';
import { LayerkitError } from '../errors.js';

/** What each mapped errno is called, and the code it becomes. */
const MAPPED: Readonly<Record<string, readonly [LayerkitErrorCode, string]>> = {
  ENOENT: ['FILE_NOT_FOUND', 'no such file'],
  EISDIR: ['NOT_A_REGULAR_FILE', 'is a directory, not a file'],
  ENOTDIR: ['FILE_NOT_FOUND', 'a component of the path is not a directory'],
  EACCES: ['PERMISSION_DENIED', 'permission denied'],
  EPERM: ['PERMISSION_DENIED', 'permission denied'],
  ENOSPC: ['NO_SPACE', 'no space left on device'],
  EDQUOT: ['NO_SPACE', 'disk quota exceeded'],
  EROFS: ['READ_ONLY_FILE_SYSTEM', 'read-only file system'],
};

/**
 * The LayerkitError for `error` raised by a file operation on `path`; other errors (and errnos
 * not mapped) unchanged. `action` (`writing`, `creating the directory`) is added to the message
 * when given: `<path>: no space left on device while writing`.
 */
export function fileSystemError(path: string, error: unknown, action?: string | undefined): unknown {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const mapped = errno === undefined ? undefined : MAPPED[errno];
  if (mapped === undefined) return error;
  const [code, what] = mapped;
  const message = `${path}: ${what}${action === undefined ? '' : ` while ${action}`}`;
  return new LayerkitError(code, message, { path, errno }, { cause: error });
}
