/** SHA-256 through node:crypto (OpenSSL, SHA-NI where the CPU has it): the fast path in Node. */
import { createHash } from 'node:crypto';
import type { Hasher } from '../contracts.js';
import { sha256Hasher } from '../sha256-hasher.js';

/** A SHA-256 hasher backed by `node:crypto`. */
export function createNativeSha256(): Hasher {
  const state = createHash('sha256');
  return sha256Hasher({
    update: (data) => {
      state.update(data);
    },
    finishHex: () => state.digest('hex'),
  });
}
