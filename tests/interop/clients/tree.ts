import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { decodeOctalEscapes } from './octal-escapes.js';
import { runTool } from './tools.js';

/** File type of a tree entry, as `lstat` sees it. */
export type TreeEntryType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/**
 * What an unpacker produced at one path, in a form two trees can be compared with `toEqual`.
 * Fields that do not apply to the type are `null`; mtimes are left out (unpackers differ).
 */
export interface TreeFact {
  /** `/` for the root, `/a/b` below it; bytes that are not UTF-8 appear as `\xNN`, `\` as `\\`. */
  readonly path: string;
  readonly type: TreeEntryType;
  /** Permission bits including setuid/setgid/sticky (`mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Regular files: size in bytes; otherwise 0. */
  readonly size: number;
  /** Regular files: hex sha256 of the content. */
  readonly sha256: string | null;
  readonly linkTarget: string | null;
  /** Character and block devices: `major,minor`. */
  readonly rdev: string | null;
  /** `security.capability` and `user.*` extended attributes, values in hex. */
  readonly xattrs: Readonly<Record<string, string>>;
  /** For a file with several links: the first path (in walk order) that is the same inode. */
  readonly hardlinkOf: string | null;
}

const COMPARED_XATTRS = '^(security\\.capability|user\\..*)$';

/** Readable, injective rendering of a path's bytes. */
function displayPath(bytes: Buffer): string {
  const utf8 = bytes.toString('utf8');
  if (Buffer.from(utf8, 'utf8').equals(bytes)) return utf8.replaceAll('\\', '\\\\');
  return [...bytes]
    .map((byte) =>
      byte === 0x5c
        ? '\\\\'
        : byte >= 0x20 && byte < 0x7f
          ? String.fromCharCode(byte)
          : `\\x${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

function entryType(stats: Stats): TreeEntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'char';
  if (stats.isBlockDevice()) return 'block';
  if (stats.isFIFO()) return 'fifo';
  return 'socket';
}

/** `major,minor` of a Linux dev_t (glibc's gnu_dev_major/minor bit layout). */
function deviceNumbers(rdev: number): string {
  const major = (Math.floor(rdev / 0x100) & 0xfff) | (Math.floor(rdev / 0x100000000) & ~0xfff);
  const minor = (rdev & 0xff) | (Math.floor(rdev / 0x1000) & 0xfff00);
  return `${major},${minor}`;
}

const hashBuffer = Buffer.allocUnsafe(1 << 20);

function sha256File(path: Buffer): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, hashBuffer); n > 0; n = readSync(fd, hashBuffer))
      hash.update(hashBuffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Extended attributes of the whole tree from one `getfattr -R` (an independent reader: the
 * harness does not use layerkit's own xattr code). Keyed by the path relative to `root`, as
 * bytes in latin1 so names that are not UTF-8 survive.
 */
async function readXattrs(root: string): Promise<Map<string, Record<string, string>>> {
  const { stdoutBytes } = await runTool(
    'getfattr',
    [
      '--recursive',
      '--physical',
      '--no-dereference',
      '--dump',
      '--encoding=hex',
      `--match=${COMPARED_XATTRS}`,
      '.',
    ],
    { cwd: root },
  );
  const byPath = new Map<string, Record<string, string>>();
  let current: Record<string, string> = {};
  for (const line of stdoutBytes.toString('latin1').split('\n')) {
    if (line.startsWith('# file: ')) {
      const name = decodeOctalEscapes(line.slice('# file: '.length));
      current = {};
      byPath.set(name === '.' ? '' : name.replace(/^\.\//, ''), current);
      continue;
    }
    const attribute = /^([^=]+)=0x([0-9a-f]*)$/.exec(line);
    if (attribute?.[1] !== undefined)
      current[Buffer.from(attribute[1], 'latin1').toString('utf8')] = attribute[2] ?? '';
  }
  return byPath;
}

/**
 * Walks a root filesystem (e.g. an unpacked rootfs) without following symlinks and returns one
 * {@link TreeFact} per entry, root first, parents before children, siblings in byte order.
 */
export async function walkTree(root: string): Promise<TreeFact[]> {
  const xattrs = await readXattrs(root);
  const facts: TreeFact[] = [];
  const inodes = new Map<string, string>();
  const visit = (relative: Buffer) => {
    const absolute = Buffer.concat([
      Buffer.from(root),
      relative.length > 0 ? Buffer.from('/') : Buffer.alloc(0),
      relative,
    ]);
    const stats = lstatSync(absolute);
    const type = entryType(stats);
    const path = `/${displayPath(relative)}`;
    let hardlinkOf: string | null = null;
    if (type !== 'dir' && stats.nlink > 1) {
      const inode = `${stats.dev}:${stats.ino}`;
      hardlinkOf = inodes.get(inode) ?? null;
      if (hardlinkOf === null) inodes.set(inode, path);
    }
    facts.push({
      path,
      type,
      mode: stats.mode & 0o7777,
      uid: stats.uid,
      gid: stats.gid,
      size: type === 'file' ? stats.size : 0,
      sha256: type === 'file' ? sha256File(absolute) : null,
      linkTarget: type === 'symlink' ? displayPath(readlinkSync(absolute, { encoding: 'buffer' })) : null,
      rdev: type === 'char' || type === 'block' ? deviceNumbers(stats.rdev) : null,
      xattrs: xattrs.get(relative.toString('latin1')) ?? {},
      hardlinkOf,
    });
    if (type !== 'dir') return;
    const children = readdirSync(absolute, { encoding: 'buffer' }).sort(Buffer.compare);
    for (const child of children) {
      visit(relative.length > 0 ? Buffer.concat([relative, Buffer.from('/'), child]) : child);
    }
  };
  visit(Buffer.alloc(0));
  return facts;
}
