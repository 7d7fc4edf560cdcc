/**
 * `mkdir -p` that always ends. Node's own `mkdirSync(path, { recursive: true })` spins forever
 * where `mkdir` says ENOENT although the parent exists (procfs, sysfs: `/proc/x`), and reports a
 * read-only parent as `ENOENT … mkdir`. Here each directory is created at most twice (before and
 * after its parents), and every failure is a `LayerkitError` naming the directory.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { LayerkitError } from '../errors.js';
import { fileSystemError } from './file-system-error.js';

const ACTION = 'creating a directory';

/**
 * Creates `path` and its missing parents (an existing directory, or a symlink to one, is fine).
 * Throws `LayerkitError` naming the path: `NOT_A_DIRECTORY` when it (or a parent) is something
 * else, `DIRECTORY_NOT_FOUND` when the file system refuses to create it, `READ_ONLY_FILE_SYSTEM`,
 * `PERMISSION_DENIED`, `NO_SPACE`.
 */
export function ensureDirectory(path: string): void {
  if (tryMkdir(path)) return;
  const parent = dirname(path);
  if (parent === path) throw refused(path);
  ensureDirectory(parent);
  if (!tryMkdir(path)) throw refused(path);
}

/** Makes one directory: true when it exists now, false on ENOENT (a parent is missing). */
function tryMkdir(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'EEXIST' && statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) return true;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      const what = code === 'EEXIST' ? 'exists and is not a directory' : 'a parent is not a directory';
      throw new LayerkitError('NOT_A_DIRECTORY', `${path}: ${what}`, { path }, { cause: error });
    }
    throw fileSystemError(path, error, ACTION);
  }
}

function refused(path: string): LayerkitError {
  return new LayerkitError(
    'DIRECTORY_NOT_FOUND',
    `${path}: cannot be created (the file system refuses a directory there)`,
    { path },
  );
}
