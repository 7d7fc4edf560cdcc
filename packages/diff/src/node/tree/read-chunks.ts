/**
 * The fast way to read a file (docs/design.md#perf-read): `readSync` into one reused buffer.
 */
import { readSync } from 'node:fs';

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
