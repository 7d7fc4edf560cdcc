/**
 * Node's file-system errors as layerkit errors: a typed code and a message naming the path,
 * instead of `ENOENT: no such file or directory, open '…'`. The original stays as the cause.
 */
import { LayerkitError } from '../errors.js';

/** The LayerkitError for `error` raised by a file operation on `path`; other errors unchanged. */
export function fileSystemError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const typed = (kind: ConstructorParameters<typeof LayerkitError>[0], what: string) =>
    new LayerkitError(kind, `${path}: ${what}`, { path }, { cause: error });
  if (code === 'ENOENT') return typed('FILE_NOT_FOUND', 'no such file');
  if (code === 'EISDIR') return typed('NOT_A_REGULAR_FILE', 'is a directory, not a file');
  if (code === 'ENOTDIR') return typed('FILE_NOT_FOUND', 'a component of the path is not a directory');
  if (code === 'EACCES' || code === 'EPERM') return typed('PERMISSION_DENIED', 'permission denied');
  return error;
}
