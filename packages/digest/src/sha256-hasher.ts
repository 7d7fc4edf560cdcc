/**
 * The SHA-256 `Hasher` contract, shared by the portable and native implementations:
 * update any number of times, digest exactly once; misuse is an error, not a wrong digest.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Digest, Hasher, HasherFactory } from './contracts.js';
import { LayerkitError } from './errors.js';

/** The raw operations of one SHA-256 engine. */
export interface Sha256Engine {
  update(data: Uint8Array): void;
  /** Returns the 64 lowercase hex characters of the hash. */
  finishHex(): string;
}

/** Wraps an engine in the `Hasher` contract (no update after digest, no second digest). */
export function sha256Hasher(engine: Sha256Engine): Hasher {
  let finished = false;
  const hasher: Hasher = {
    update(data) {
      if (finished) throw new LayerkitError('HASHER_FINISHED', 'sha256 hasher: update() after digest()');
      engine.update(data);
      return hasher;
    },
    digest() {
      if (finished) throw new LayerkitError('HASHER_FINISHED', 'sha256 hasher: digest() called twice');
      finished = true;
      return `sha256:${engine.finishHex()}` as Digest;
    },
  };
  return hasher;
}

/** A SHA-256 hasher in pure JavaScript (@noble/hashes): runs anywhere, about 15× slower than native. */
export function createPortableSha256(): Hasher {
  const state = sha256.create();
  return sha256Hasher({
    update: (data) => {
      state.update(data);
    },
    finishHex: () => bytesToHex(state.digest()),
  });
}

/** The sha256 digest of `bytes`, computed with `factory` (default: the portable hasher). */
export function sha256Bytes(bytes: Uint8Array, factory: HasherFactory = createPortableSha256): Digest {
  return factory().update(bytes).digest();
}
