/**
 * The tree entry type of an `lstat` result.
 */
import { constants } from 'node:fs';
import type { EntryType } from '../../contracts.js';

const { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO } = constants;

/**
 * Maps `lstat` results (plain or bigint) to an {@link EntryType}; never `hardlink`. Reads the
 * format bits once: each `isFile()`-style call on bigint stats allocates BigInts.
 */
export function entryTypeOf(stat: { mode: number | bigint }): EntryType {
  switch (Number(stat.mode) & S_IFMT) {
    case S_IFREG:
      return 'file';
    case S_IFDIR:
      return 'dir';
    case S_IFLNK:
      return 'symlink';
    case S_IFCHR:
      return 'char';
    case S_IFBLK:
      return 'block';
    case S_IFIFO:
      return 'fifo';
    default:
      return 'socket';
  }
}
