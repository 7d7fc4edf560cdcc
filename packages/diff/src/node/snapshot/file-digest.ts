/**
 * Hashing many files in a row, the fast way (perf-primitives §6): `openSync`/`readSync` into one
 * reused 1 MiB buffer and node:crypto, no promise per file or chunk.
 */
import { closeSync, constants, openSync } from 'node:fs';
import type { Digest } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import { readChunks } from '../tree/read-chunks.js';

const BUFFER_BYTES = 1024 * 1024;

/** Hashes files one after another, reusing one read buffer. */
export class FileDigester {
  readonly #buffer = Buffer.allocUnsafe(BUFFER_BYTES);

  /** The sha256 of the regular file at `path` (raw bytes), never following a symlink. */
  digest(path: Buffer): Digest {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const hash = createNativeSha256();
      for (const chunk of readChunks(fd, this.#buffer)) hash.update(chunk);
      return hash.digest();
    } finally {
      closeSync(fd);
    }
  }
}
