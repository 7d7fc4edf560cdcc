/**
 * The DiffID hasher used by `applyLayer`: node:crypto sha256 behind the `Hasher` contract.
 * Replaced by `@layerkit/digest/node`'s native hasher once that package exports it.
 */
import { createHash } from 'node:crypto';
import type { Digest, Hasher } from '@layerkit/digest';

/** A `Hasher` over node:crypto's sha256. */
export function nativeSha256(): Hasher {
  const hash = createHash('sha256');
  const hasher: Hasher = {
    update(data) {
      hash.update(data);
      return hasher;
    },
    digest: () => `sha256:${hash.digest('hex')}` as Digest,
  };
  return hasher;
}
