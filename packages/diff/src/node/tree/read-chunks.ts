/**
 * The fast way to read a file (docs/design.md#perf-read): `readSync` into one reused buffer, no
 * promise per file or chunk. A walked file's content is read only through {@link readFileChunks},
 * which also refuses a file that is no longer what the walk saw.
 */
import { closeSync, readSync } from 'node:fs';
import { LayerkitError } from '@layerkit/digest';
import { openRegularFile } from '@layerkit/digest/internal/node';
import type { FsPath } from './walk-stats.js';

/**
 * Yields the rest of open file `fd` as views of `buffer`; each chunk is valid only until the
 * next step. The caller owns (and closes) `fd`.
 */
export function* readChunks(fd: number, buffer: Buffer): Generator<Buffer> {
  for (
    let n = readSync(fd, buffer, 0, buffer.length, null);
    n > 0;
    n = readSync(fd, buffer, 0, buffer.length, null)
  ) {
    yield buffer.subarray(0, n);
  }
}

/**
 * Yields the content of the regular file at `path`, whose lstat said `size` bytes, as views of
 * `buffer` (each valid only until the next step; the file is opened on the first step and closed
 * when the iteration ends). Never follows a symlink at `path` itself. Throws `LayerkitError` naming the path:
 * `NOT_A_REGULAR_FILE` when it is no longer a regular file, `CONTENT_SIZE_MISMATCH` when it no
 * longer holds `size` bytes or grows or shrinks while read (no byte past `size` is yielded),
 * `FILE_NOT_FOUND`, `PERMISSION_DENIED`.
 */
export function* readFileChunks(path: FsPath, size: number, buffer: Buffer): Generator<Buffer> {
  const fd = openWalkedFile(path, size);
  try {
    let read = 0;
    for (const chunk of readChunks(fd, buffer)) {
      read += chunk.length;
      if (read > size) throw sizeChanged(path, size, read, 'grew while being read');
      yield chunk;
    }
    if (read < size) throw sizeChanged(path, size, read, 'shrank while being read');
  } finally {
    closeSync(fd);
  }
}

/** Opens `path`, checking with one `fstat` that it is still a regular file of `size` bytes. */
function openWalkedFile(path: FsPath, size: number): number {
  const file = openRegularFile(path, { note: '(replaced since it was walked)' });
  if (file.size !== size) {
    closeSync(file.fd);
    throw sizeChanged(path, size, file.size, 'changed size since it was walked');
  }
  return file.fd;
}

function sizeChanged(path: FsPath, expected: number, actual: number, what: string): LayerkitError {
  const name = path.toString();
  return new LayerkitError(
    'CONTENT_SIZE_MISMATCH',
    `${name} ${what}: expected ${expected} bytes, got ${actual}`,
    {
      path: name,
      expected,
      actual,
    },
  );
}
