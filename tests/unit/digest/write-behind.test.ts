import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLayerkitError, type LayerkitError } from '@layerkit/digest';
import { WriteBehind } from '@layerkit/digest/internal/node';
import { FsBlobStore } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import { useScratchDir } from '../../fixtures/scratch.js';
import { mountTmpfs, unmountAll } from '../../fixtures/tmpfs.js';

const scratch = useScratchDir('write-behind', { per: 'test', beforeRemove: unmountAll });

/** Deterministic chunks of varied sizes (0 to ~300 KiB), each filled with its own byte pattern. */
function chunks(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const chunk = new Uint8Array((i * 7919) % (300 * 1024));
    for (let j = 0; j < chunk.length; j++) chunk[j] = (i * 31 + j) & 0xff;
    return chunk;
  });
}

/** The LayerkitError `promise` rejects with, or undefined when it resolves; other errors fail the test. */
async function failureOf(promise: Promise<unknown>): Promise<LayerkitError | undefined> {
  try {
    await promise;
  } catch (error) {
    if (isLayerkitError(error)) return error;
    throw error;
  }
  return undefined;
}

async function rejectionOf(promise: Promise<unknown>): Promise<LayerkitError> {
  try {
    await promise;
  } catch (error) {
    if (isLayerkitError(error)) return error;
    throw error;
  }
  return expect.fail('expected a LayerkitError');
}

describe('WriteBehind', () => {
  it('writes the chunks in order, whatever the bound on queued bytes', async () => {
    const parts = chunks(60);
    for (const bound of [1, 256 * 1024, 64 * 1024 * 1024]) {
      const path = join(scratch.path, `out-${bound}`);
      const fd = openSync(path, 'wx');
      const behind = new WriteBehind(fd, path, { maxQueuedBytes: bound, flushEvery: 512 * 1024 });
      for (const part of parts) await behind.write(part);
      await behind.drain();
      closeSync(fd);
      expect(readFileSync(path).equals(Buffer.concat(parts)), `bound ${bound}`).toBe(true);
    }
  });

  it('reports a failed write as a typed error naming the file, at the next write or at drain', async () => {
    const full = mountTmpfs(join(scratch.path, 'full'), { sizeKiB: 64 });
    const path = join(full, 'blob');
    const fd = openSync(path, 'wx');
    const behind = new WriteBehind(fd, path, { maxQueuedBytes: 1024 * 1024 });
    // 128 KiB queued under a 1 MiB bound: the writes fail behind the caller's back.
    await behind.write(new Uint8Array(128 * 1024));
    const error = await rejectionOf(behind.drain());
    expect(error.code).toBe('NO_SPACE');
    expect(error.message).toBe(`${path}: no space left on device while writing`);
    await expect(behind.write(new Uint8Array(1))).rejects.toBe(error);
    await behind.settle();
    closeSync(fd);
  });
});

describe('FsBlobStore writer (write-behind)', () => {
  it('stores a multi-chunk blob byte for byte under its digest', async () => {
    const store = new FsBlobStore(scratch.path);
    const parts = chunks(40);
    const writer = store.writer();
    for (const part of parts) await writer.write(part);
    const ref = await writer.commit();
    expect(readFileSync(store.path(ref.digest)).equals(Buffer.concat(parts))).toBe(true);
    expect(readdirSync(join(scratch.path, 'blobs'))).toEqual(['sha256']);
  });

  it('fails with NO_SPACE naming the temporary, at a write or at commit, and leaves nothing behind', async () => {
    const full = mountTmpfs(join(scratch.path, 'full'), { sizeKiB: 64 });
    const writer = new FsBlobStore(full).writer();
    // Which call sees the failure depends on when the thread pool gets to the write.
    let error: LayerkitError | undefined;
    for (const part of chunks(8)) {
      error = await failureOf(writer.write(part));
      if (error !== undefined) break;
    }
    if (error === undefined) error = await rejectionOf(writer.commit());
    else await writer.abort();
    expect(error.code).toBe('NO_SPACE');
    expect(error.message).toMatch(/\/full\/blobs\/blob\.tmp-\S+: no space left on device while writing$/);
    expect(readdirSync(join(full, 'blobs'))).toEqual([]);
  });
});
