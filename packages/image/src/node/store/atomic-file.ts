/**
 * Crash-safe file replacement: readers see the old bytes or the new bytes, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A unique sibling name for a temp file (same directory, so the final rename is atomic). */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** fsyncs a directory so a rename inside it survives a crash. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `bytes` to `path` atomically: temp file in the same directory, fsync, rename,
 * fsync of the directory. On failure the temp file is removed and `path` is untouched.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, mode = 0o644): void {
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirectory(dirname(path));
}
