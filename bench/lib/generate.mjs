/**
 * Deterministic generated inputs: same options ⇒ same names, sizes and bytes on every machine.
 * Pseudo-random bytes come from an AES-256-CTR keystream (incompressible and fast); text comes
 * from words picked with that keystream (compresses like source code, about 3:1).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const WORDS = (
  'the of and to in is that for it as with was on be by this are or from at which an have not ' +
  'layer image tree file digest config manifest index history commit diff tar gzip sha256 root ' +
  'return const function export import if else while for let value error path size mode uid gid'
).split(' ');

/**
 * A seeded stream of pseudo-random bytes.
 * @param {string} seed
 * @returns {(length: number) => Buffer}
 */
export function randomBytesFrom(seed) {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (length) => cipher.update(Buffer.alloc(length));
}

/**
 * Seeded pseudo-text of exactly `length` bytes: words, spaces and newlines.
 * @param {string} seed
 * @param {number} length
 * @returns {Buffer}
 */
export function pseudoText(seed, length) {
  const random = randomBytesFrom(seed)(length);
  const out = Buffer.alloc(length);
  let at = 0;
  for (let i = 0; at < length; i++) {
    const pick = random[i % length];
    const word = WORDS[pick % WORDS.length];
    at += out.write(`${word}${pick % 11 === 0 ? '\n' : ' '}`, at, 'latin1');
  }
  return out;
}

/**
 * Writes a tree of `dirs` nested directories (fan-out per level) holding `filesPerDir` text
 * files each, with sizes spread evenly over [minSize, maxSize]. With `extras`, adds what a real
 * root file system has too: symlinks, a hardlink, an executable and an empty directory.
 * @param {string} root
 * @param {{fanout: number[], filesPerDir: number, minSize: number, maxSize: number, seed: string, extras?: boolean}} shape
 */
export function generateTree(root, { fanout, filesPerDir, minSize, maxSize, seed, extras = false }) {
  const text = pseudoText(seed, 8 * MiB);
  const random = randomBytesFrom(`${seed}/sizes`);
  const leaves = fanout.reduce(
    (dirs, count, level) => {
      const prefix = String.fromCharCode(97 + level);
      return dirs.flatMap((dir) => Array.from({ length: count }, (_, i) => join(dir, `${prefix}${i}`)));
    },
    [''],
  );
  let fileNumber = 0;
  for (const leaf of leaves) {
    const dir = join(root, leaf);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < filesPerDir; i++, fileNumber++) {
      const draw = random(8);
      const size = minSize + (draw.readUInt32LE(0) % (maxSize - minSize + 1));
      const offset = draw.readUInt32LE(4) % (text.length - size);
      writeFileSync(join(dir, `f${String(i).padStart(3, '0')}.txt`), text.subarray(offset, offset + size));
    }
  }
  if (extras) addRootfsExtras(root, leaves, fileNumber);
}

/** Entry kinds beyond plain files and directories, placed deterministically. */
function addRootfsExtras(root, leaves, fileCount) {
  mkdirSync(join(root, 'empty'), { recursive: true });
  writeFileSync(join(root, 'tool.sh'), '#!/bin/sh\necho layerkit-bench\n', { mode: 0o755 });
  const first = join(leaves[0] ?? '', 'f000.txt');
  symlinkSync(first, join(root, 'link-to-first'));
  symlinkSync('missing-target', join(root, 'dangling'));
  linkSync(join(root, first), join(root, 'hardlink-to-first'));
  writeFileSync(join(root, 'count.txt'), `${fileCount}\n`);
}

/**
 * Writes `count` files of `size` incompressible bytes each, in 16 MiB chunks.
 * @param {string} dir
 * @param {{count: number, size: number, seed: string}} shape
 */
export function generateRandomFiles(dir, { count, size, seed }) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const next = randomBytesFrom(`${seed}/${i}`);
    const fd = openSync(join(dir, `random-${i}.bin`), 'w');
    try {
      for (let left = size; left > 0; left -= 16 * MiB) writeSync(fd, next(Math.min(left, 16 * MiB)));
    } finally {
      closeSync(fd);
    }
  }
}
