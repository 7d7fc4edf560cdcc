/**
 * Sorted, synchronous tree walks (readdirSync + lstatSync, the fast way on this machine): used to
 * describe inputs and to pick the files a workload changes, identically for every tool.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every entry below `root` (not `root` itself), parents before children, names sorted by bytes.
 * @param {string} root
 * @param {string} [rel]
 * @returns {Generator<{rel: string, stat: import('node:fs').Stats}>}
 */
export function* walkTree(root, rel = '') {
  const names = readdirSync(join(root, rel)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    const child = rel === '' ? name : `${rel}/${name}`;
    const stat = lstatSync(join(root, child));
    yield { rel: child, stat };
    if (stat.isDirectory()) yield* walkTree(root, child);
  }
}

/**
 * Counts of a tree: all entries, regular files, and bytes of regular-file content.
 * @param {string} root
 * @returns {{entries: number, files: number, bytes: number}}
 */
export function describeTree(root) {
  const summary = { entries: 0, files: 0, bytes: 0 };
  for (const { stat } of walkTree(root)) {
    summary.entries++;
    if (stat.isFile()) {
      summary.files++;
      summary.bytes += stat.size;
    }
  }
  return summary;
}

/**
 * Relative paths of the regular files below `root`, in walk order.
 * @param {string} root
 * @returns {string[]}
 */
export function regularFiles(root) {
  const files = [];
  for (const { rel, stat } of walkTree(root)) if (stat.isFile()) files.push(rel);
  return files;
}
