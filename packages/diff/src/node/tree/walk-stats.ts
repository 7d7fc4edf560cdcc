/**
 * The directory walk itself: names, lstat and symlink targets in the global order. It is
 * self-contained (no imports; the fs calls come in as a parameter) because the same source also
 * runs inside a worker thread, passed there as text (see `walk-worker.ts`).
 */
import type { BigIntStats } from 'node:fs';

/** A path as the fs calls take it: an ASCII string (its UTF-8 bytes are its bytes), else raw bytes. */
export type FsPath = string | Buffer;

/** The lstat facts a tree entry is made of (a `BigIntStats` has them all). */
export type WalkedStat = Pick<
  BigIntStats,
  'mode' | 'uid' | 'gid' | 'size' | 'dev' | 'ino' | 'ctimeNs' | 'mtimeNs' | 'nlink' | 'rdev'
>;

/** One walked entry: its byte-string path below the root, where it is, and what lstat said. */
export interface WalkedEntry {
  path: string;
  absolute: FsPath;
  stat: WalkedStat;
  /** The symlink target as a byte string (symlinks only). */
  linkTarget: string | undefined;
}

/** The fs calls the walk makes (node:fs's). */
export interface WalkFs {
  lstatSync(path: FsPath, options: { bigint: true }): BigIntStats;
  readdirSync(path: FsPath, options: { encoding: 'latin1' }): string[];
  readlinkSync(path: FsPath, options: { encoding: 'latin1' }): string;
}

/**
 * Walks `root` (never following symlinks) in the global order: each directory's children
 * sorted by name bytes ('latin1' names are byte strings, so the default sort is byte order), a
 * directory right before its subtree. Memory holds one sorted name list per open directory.
 * Paths stay strings while ASCII (the cheaper kind for Node's fs) and become bytes otherwise.
 */
export function* walkStats(root: FsPath, fs: WalkFs): Generator<WalkedEntry> {
  const S_IFMT = 0o170000;
  const S_IFDIR = 0o040000;
  const S_IFLNK = 0o120000;
  const nonAscii = /[^\x00-\x7f]/;
  const childPath = (dir: FsPath, name: string): FsPath => {
    if (typeof dir === 'string' && !nonAscii.test(name)) return `${dir}/${name}`;
    const parent = typeof dir === 'string' ? Buffer.from(dir, 'latin1') : dir;
    return Buffer.concat([parent, Buffer.from('/'), Buffer.from(name, 'latin1')]);
  };
  const open = (dir: FsPath, prefix: string) => ({
    dir,
    prefix,
    names: fs.readdirSync(dir, { encoding: 'latin1' }).sort(),
    next: 0,
  });
  const stack = [open(root, '')];
  for (let frame = stack[0]; frame !== undefined; frame = stack[stack.length - 1]) {
    const name = frame.names[frame.next++];
    if (name === undefined) {
      stack.pop();
      continue;
    }
    const absolute = childPath(frame.dir, name);
    const path = frame.prefix + name;
    const stat = fs.lstatSync(absolute, { bigint: true });
    const format = Number(stat.mode) & S_IFMT;
    const linkTarget = format === S_IFLNK ? fs.readlinkSync(absolute, { encoding: 'latin1' }) : undefined;
    yield { path, absolute, stat, linkTarget };
    if (format === S_IFDIR) stack.push(open(absolute, `${path}/`));
  }
}
