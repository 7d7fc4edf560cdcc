/**
 * The changes workloads make to an unpacked tree before a commit. Files are picked by their
 * position in sorted order, so every tool sees the same change on the same paths.
 */
import { appendFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { regularFiles } from './walk.mjs';

const CHANGE = 'layerkit-bench: changed\n';

/**
 * Appends a line to the regular file in the middle of the sorted list (one changed file).
 * @param {string} root
 * @returns {number} files changed
 */
export function changeOneFile(root) {
  const files = regularFiles(root);
  const middle = files[Math.floor(files.length / 2)];
  if (middle === undefined) throw new Error(`${root}: no regular file to change`);
  appendFileSync(join(root, middle), CHANGE);
  return 1;
}

/**
 * Appends a line to every tenth regular file (10% of the files changed).
 * @param {string} root
 * @returns {number} files changed
 */
export function changeTenPercent(root) {
  const files = regularFiles(root).filter((_, index) => index % 10 === 0);
  for (const file of files) appendFileSync(join(root, file), CHANGE);
  return files.length;
}

/**
 * Sets the mtime and atime of every regular file to now: `touch`, content unchanged.
 * @param {string} root
 * @returns {number} files touched
 */
export function touchEveryFile(root) {
  const files = regularFiles(root);
  const now = new Date();
  for (const file of files) utimesSync(join(root, file), now, now);
  return files.length;
}
