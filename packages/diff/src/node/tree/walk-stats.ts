/**
 * The directory walk itself: names, lstat and symlink targets in the global order, for the
 * directory tree's streamed entries and its synchronous walk alike.
 */
import { type BigIntStats, constants, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { LayerkitError } from '@layerkit/digest';
import type { BytePath } from '../../contracts.js';
import { asBytePath, EMPTY_PATH, joinPath } from '../../path.js';

/** A path as the fs calls take it: an ASCII string (its UTF-8 bytes are its bytes), else raw bytes. */
export type FsPath = string | Buffer;

/** One walked entry: its byte-string path below the root, where it is, and what lstat said. */
export interface WalkedEntry {
  path: BytePath;
  absolute: FsPath;
  stat: BigIntStats;
  /** The symlink target as a byte string (symlinks only). */
  linkTarget: BytePath | undefined;
}

const NON_ASCII = /[^\x00-\x7f]/;
const SLASH = Buffer.from('/');

/** A walk root as an {@link FsPath}: a string root is a real (UTF-8) path, kept only if ASCII. */
export function walkRoot(root: string | Uint8Array): FsPath {
  if (typeof root !== 'string') return Buffer.from(root);
  const trimmed = root.replace(/\/+$/, '') || '/';
  return NON_ASCII.test(trimmed) ? Buffer.from(trimmed) : trimmed;
}

/** `dir/name` as an fs path; `name` is a byte string (latin1: one char per byte). */
function childPath(dir: FsPath, name: string): FsPath {
  if (typeof dir === 'string' && !NON_ASCII.test(name)) return `${dir}/${name}`;
  const parent = typeof dir === 'string' ? Buffer.from(dir, 'latin1') : dir;
  return Buffer.concat([parent, SLASH, Buffer.from(name, 'latin1')]);
}

/** One directory being walked: where it is, its path below the root, and its sorted names. */
interface Frame {
  dir: FsPath;
  path: BytePath;
  /** Byte strings ('latin1'). */
  names: string[];
  next: number;
}

/** Opens `dir`: 'latin1' names are byte strings, so the default sort is byte order. */
function openFrame(dir: FsPath, path: BytePath): Frame {
  return { dir, path, names: readdirSync(dir, { encoding: 'latin1' }).sort(), next: 0 };
}

/** The root's frame; a root that is missing or not a directory is a typed error naming it. */
function openRoot(root: FsPath): Frame {
  try {
    return openFrame(root, EMPTY_PATH);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const path = root.toString();
    if (code === 'ENOENT') {
      throw new LayerkitError(
        'DIRECTORY_NOT_FOUND',
        `${path}: no such directory`,
        { path },
        { cause: error },
      );
    }
    if (code === 'ENOTDIR') {
      throw new LayerkitError('NOT_A_DIRECTORY', `${path} is not a directory`, { path }, { cause: error });
    }
    throw error;
  }
}

/**
 * Walks `root` (never following symlinks) in the global order: each directory's children
 * sorted by name bytes, a directory right before its subtree. Memory holds one sorted name list
 * per open directory. Paths stay strings while ASCII (the cheaper kind for Node's fs) and
 * become bytes otherwise. A missing root throws `DIRECTORY_NOT_FOUND`, a root that is not a
 * directory `NOT_A_DIRECTORY`.
 */
export function* walkStats(root: FsPath): Generator<WalkedEntry> {
  const stack = [openRoot(root)];
  for (let frame = stack[0]; frame !== undefined; frame = stack[stack.length - 1]) {
    const name = frame.names[frame.next++];
    if (name === undefined) {
      stack.pop();
      continue;
    }
    const absolute = childPath(frame.dir, name);
    const path = joinPath(frame.path, asBytePath(name));
    const stat = lstatSync(absolute, { bigint: true });
    const format = Number(stat.mode) & constants.S_IFMT;
    const linkTarget =
      format === constants.S_IFLNK ? asBytePath(readlinkSync(absolute, { encoding: 'latin1' })) : undefined;
    yield { path, absolute, stat, linkTarget };
    if (format === constants.S_IFDIR) stack.push(openFrame(absolute, path));
  }
}
