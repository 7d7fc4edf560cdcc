/**
 * The `BlobWriter` contract on top of a blob storage: the writer hashes and counts the bytes
 * (the digest names the blob, so every store needs it) and enforces the call order. Given the
 * ref of content its caller verifies anyway (a copy from a verifying source), it only counts:
 * the same bytes are never hashed twice on their way through.
 */
import { assertMatchesRef, blobCorrupt, checkBlobRef } from './blob-verify.js';
import type { BlobRef, BlobWriter, HasherFactory } from './contracts.js';
import { LayerkitError } from './errors.js';

/** Where a writer's bytes go. The writer calls `publish` or `discard` at most once, at the end. */
export interface BlobStorage {
  /** Stores the next chunk; the writer awaits it before passing on the next one. */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Makes the written content visible under `ref` (a cheap no-op when it already is). */
  publish(ref: BlobRef): void | Promise<void>;
  /** Drops everything written; must tolerate a storage whose `write` failed. */
  discard(): void | Promise<void>;
}

type WriterState = 'open' | 'failed' | 'committed' | 'discarded';

/** Creates a writer that hashes with `sha256` (or trusts `known`) and stores through `storage`. */
export function hashingBlobWriter(storage: BlobStorage, sha256: HasherFactory, known?: BlobRef): BlobWriter {
  const trusted = known === undefined ? undefined : checkBlobRef(known);
  const hasher = trusted === undefined ? sha256() : undefined;
  let size = 0;
  let state: WriterState = 'open';
  const requireOpen = (call: string) => {
    if (state !== 'open')
      throw new LayerkitError('WRITER_CLOSED', `blob writer: ${call}() on a ${state} writer`);
  };
  const discard = async () => {
    if (state === 'committed' || state === 'discarded') return;
    state = 'discarded';
    await storage.discard();
  };
  return {
    async write(chunk) {
      requireOpen('write');
      try {
        hasher?.update(chunk);
        size += chunk.length;
        if (trusted !== undefined && size > trusted.size) {
          throw blobCorrupt(trusted, `size exceeds ${trusted.size}, expected ${trusted.size}`);
        }
        await storage.write(chunk);
      } catch (error) {
        state = 'failed';
        throw error;
      }
    },
    async commit(expected) {
      requireOpen('commit');
      try {
        const ref: BlobRef = { digest: hasher?.digest() ?? trusted!.digest, size };
        if (trusted !== undefined) assertMatchesRef(trusted, size, () => ref.digest);
        if (expected !== undefined) assertMatchesRef(checkBlobRef(expected), size, () => ref.digest);
        await storage.publish(ref);
        state = 'committed';
        return ref;
      } catch (error) {
        state = 'failed';
        await discard();
        throw error;
      }
    },
    abort: discard,
  };
}
