/**
 * The tree entry type of an `lstat` result.
 */
import type { BigIntStats, Stats } from 'node:fs';
import type { EntryType } from '../../contracts.js';

/** Maps `lstat` results (plain or bigint) to an {@link EntryType}; never `hardlink`. */
export function entryTypeOf(stat: Stats | BigIntStats): EntryType {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'dir';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'char';
  if (stat.isBlockDevice()) return 'block';
  if (stat.isFIFO()) return 'fifo';
  return 'socket';
}
