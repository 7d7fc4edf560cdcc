/**
 * readFileChunks: a walked file is read only while it is still the regular file of the size the
 * walk saw; a file replaced, resized or growing in between fails with a typed error naming it,
 * and the descriptor is closed however the iteration ends.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LayerkitError } from '@layerkit/digest';
import { describe, expect, it } from 'vitest';
import { readFileChunks } from '../../../../packages/diff/src/node/tree/read-chunks.js';
import { errorOf } from '../../../fixtures/error-of.js';
import { useScratchDir } from '../../../fixtures/scratch.js';

const root = useScratchDir('read-chunks', { per: 'test' });

/** The concatenated bytes of a read. */
function readAll(path: string, size: number, bufferBytes = 4): string {
  const parts: string[] = [];
  for (const chunk of readFileChunks(path, size, Buffer.alloc(bufferBytes))) parts.push(chunk.toString());
  return parts.join('');
}

const openDescriptors = () => readdirSync('/proc/self/fd').length;

describe('readFileChunks', () => {
  it('yields the whole file in buffer-sized chunks', () => {
    const file = join(root.path, 'f');
    writeFileSync(file, 'hello, world');
    const chunks = [...readFileChunks(file, 12, Buffer.alloc(5))].map((c) => c.length);
    expect(chunks).toEqual([5, 5, 2]);
    expect(readAll(file, 12)).toBe('hello, world');
  });

  it('refuses a file replaced by a symlink (not followed) with NOT_A_REGULAR_FILE naming it', () => {
    const target = join(root.path, 'target');
    const file = join(root.path, 'f');
    writeFileSync(target, 'abcd');
    symlinkSync(target, file);
    const error = errorOf(() => readAll(file, 4));
    expect(error.code).toBe('NOT_A_REGULAR_FILE');
    expect(error.message).toContain(file);
    expect(error.details).toMatchObject({ path: file });
  });

  it('refuses a file replaced by a FIFO without blocking on the open', () => {
    const file = join(root.path, 'f');
    execFileSync('mkfifo', [file]);
    const error = errorOf(() => readAll(file, 0));
    expect(error.code).toBe('NOT_A_REGULAR_FILE');
    expect(error.message).toContain(file);
  });

  it('refuses a file replaced by a Unix socket (open fails with ENXIO) with NOT_A_REGULAR_FILE', async () => {
    const file = join(root.path, 'f');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(file, resolve));
    try {
      const error = errorOf(() => readAll(file, 0));
      expect(error.code).toBe('NOT_A_REGULAR_FILE');
      expect(error.message).toContain(file);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a file whose size changed since the walk with CONTENT_SIZE_MISMATCH', () => {
    const file = join(root.path, 'f');
    writeFileSync(file, 'abcdef');
    const error = errorOf(() => readAll(file, 4));
    expect(error.code).toBe('CONTENT_SIZE_MISMATCH');
    expect(error.message).toContain(file);
    expect(error.details).toMatchObject({ path: file, expected: 4, actual: 6 });
  });

  it('fails a file that grows while read, yielding no byte past the walked size', () => {
    const file = join(root.path, 'f');
    writeFileSync(file, 'abcdefgh');
    const seen: string[] = [];
    const error = errorOf(() => {
      for (const chunk of readFileChunks(file, 8, Buffer.alloc(4))) {
        seen.push(chunk.toString());
        if (seen.length === 2) appendFileSync(file, 'ij');
      }
    });
    expect(error.code).toBe('CONTENT_SIZE_MISMATCH');
    expect(error.message).toContain(`${file} grew while being read`);
    expect(seen).toEqual(['abcd', 'efgh']);
  });

  it('fails a file that shrinks while read', () => {
    const file = join(root.path, 'f');
    writeFileSync(file, 'abcdefgh');
    const error = errorOf(() => {
      for (const _ of readFileChunks(file, 8, Buffer.alloc(4))) truncateSync(file, 4);
    });
    expect(error.code).toBe('CONTENT_SIZE_MISMATCH');
    expect(error.message).toContain(`${file} shrank while being read`);
  });

  it('reports a missing file as FILE_NOT_FOUND, once (not wrapped twice)', () => {
    const file = join(root.path, 'gone');
    const error = errorOf(() => readAll(file, 1));
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.message).toBe(`${file}: no such file`);
    expect(error.cause).not.toBeInstanceOf(LayerkitError);
  });

  it('opens nothing until the first step and closes the file when the iteration stops early or fails', () => {
    const file = join(root.path, 'f');
    writeFileSync(file, 'abcdefgh');
    const before = openDescriptors();
    const iterator = readFileChunks(file, 8, Buffer.alloc(4));
    expect(openDescriptors()).toBe(before);
    expect(iterator.next().value?.toString()).toBe('abcd');
    expect(openDescriptors()).toBe(before + 1);
    iterator.return(undefined);
    expect(openDescriptors()).toBe(before);

    for (const _ of readFileChunks(file, 8, Buffer.alloc(4))) break;
    expect(openDescriptors()).toBe(before);
    errorOf(() => readAll(file, 7));
    errorOf(() => {
      for (const _ of readFileChunks(file, 8, Buffer.alloc(4))) appendFileSync(file, 'more');
    });
    expect(openDescriptors()).toBe(before);
  });
});
