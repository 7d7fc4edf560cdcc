/**
 * The benchmark corpus: a real tar of files picked deterministically from this machine
 * (/usr/share, /usr/lib), mixing text, ELF binaries and already-compressed files like a real
 * layer. Built once and cached under bench/.cache/.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeFileSync,
} from 'node:fs';
import { extname, join } from 'node:path';

const MiB = 1024 * 1024;
const CACHE = new URL('../.cache/', import.meta.url).pathname;
export const CORPUS_TAR = join(CACHE, 'digest-corpus.tar');
const MANIFEST = join(CACHE, 'digest-corpus.json');

/** Category budgets (bytes of file content); the tar adds headers on top. */
const BUDGETS = { text: 90 * MiB, elf: 75 * MiB, compressed: 15 * MiB };
const MAX_FILE = 8 * MiB;
const ROOTS = ['/usr/share', '/usr/lib'];
const TEXT = new Set([
  '.h',
  '.hpp',
  '.c',
  '.py',
  '.json',
  '.js',
  '.ts',
  '.txt',
  '.md',
  '.html',
  '.xml',
  '.pl',
  '.pm',
  '.css',
  '.sh',
  '.rst',
  '.yaml',
  '.yml',
  '.conf',
  '.cfg',
  '.ini',
  '.tcl',
  '.rb',
  '.lua',
  '.svg',
  '.po',
  '.pot',
  '.map',
  '.mjs',
  '.cjs',
]);
const COMPRESSED = new Set([
  '.gz',
  '.png',
  '.xz',
  '.zst',
  '.jpg',
  '.jpeg',
  '.bz2',
  '.zip',
  '.whl',
  '.woff',
  '.woff2',
  '.gif',
  '.ico',
]);

function isElf(path) {
  const fd = openSync(path, 'r');
  try {
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    closeSync(fd);
  }
}

function category(path) {
  const ext = extname(path).toLowerCase();
  if (TEXT.has(ext)) return 'text';
  if (COMPRESSED.has(ext)) return 'compressed';
  return isElf(path) ? 'elf' : undefined;
}

/** Depth-first, name-sorted walk of regular files (symlinks and unreadable entries skipped). */
function* walk(dir) {
  let names;
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined) continue;
    if (stat.isDirectory()) yield* walk(path);
    else if (stat.isFile() && stat.size > 0 && stat.size <= MAX_FILE) yield { path, size: stat.size };
  }
}

function pick() {
  const used = { text: 0, elf: 0, compressed: 0 };
  const files = [];
  for (const root of ROOTS) {
    for (const file of walk(root)) {
      if (Object.entries(used).every(([kind, bytes]) => bytes >= BUDGETS[kind])) return { files, used };
      let kind;
      try {
        kind = category(file.path);
      } catch {
        continue;
      }
      if (kind === undefined || used[kind] + file.size > BUDGETS[kind]) continue;
      used[kind] += file.size;
      files.push(file.path);
    }
  }
  return { files, used };
}

/** Builds (or reuses) the corpus tar; returns its path and description. */
export function ensureCorpus() {
  if (existsSync(CORPUS_TAR) && existsSync(MANIFEST)) return JSON.parse(readFileSync(MANIFEST, 'utf8'));
  mkdirSync(CACHE, { recursive: true });
  const { files, used } = pick();
  const list = join(CACHE, 'digest-corpus.files');
  writeFileSync(list, `${files.join('\0')}\0`);
  execFileSync(
    'tar',
    [
      '-c',
      '-f',
      CORPUS_TAR,
      '--format=gnu',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--no-recursion',
      '--null',
      '-T',
      list,
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const description = {
    path: CORPUS_TAR,
    files: files.length,
    bytes: lstatSync(CORPUS_TAR).size,
    contentBytes: used,
    roots: ROOTS,
  };
  writeFileSync(MANIFEST, `${JSON.stringify(description, null, 2)}\n`);
  return description;
}
