/**
 * openRegularFile / readRegularFile: whatever sits at a path layerkit reads (R12) cannot hang the
 * process. A FIFO with no writer, a device, a directory or a symlink is refused at once with
 * NOT_A_REGULAR_FILE naming the path; a symlink is followed only when asked.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRegularFile, readRegularFile } from '@layerkit/digest/internal/node';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../fixtures/error-of.js';
import { useScratchDir } from '../../fixtures/scratch.js';

const scratch = useScratchDir('regular-file', { per: 'test' });

describe('readRegularFile', () => {
  it('reads a regular file, after checkSize saw its size', () => {
    const file = join(scratch.path, 'index.json');
    writeFileSync(file, '{"a":1}');
    const sizes: number[] = [];
    expect(new TextDecoder().decode(readRegularFile(file, { checkSize: (size) => sizes.push(size) }))).toBe(
      '{"a":1}',
    );
    expect(sizes).toEqual([7]);
  });

  it('refuses a FIFO with no writer at once instead of blocking in open', () => {
    const fifo = join(scratch.path, 'index.json');
    execFileSync('mkfifo', [fifo]);
    const error = errorOf(() => readRegularFile(fifo));
    expect(error.code).toBe('NOT_A_REGULAR_FILE');
    expect(error.message).toBe(`${fifo}: a FIFO, not a regular file`);
    expect(error.details).toEqual({ path: fifo });
  });

  it.each([
    ['a character device', '/dev/zero'],
    ['a directory', '/'],
  ])('refuses %s', (kind, path) => {
    const error = errorOf(() => readRegularFile(path));
    expect(error.code).toBe('NOT_A_REGULAR_FILE');
    expect(error.message).toBe(`${path}: ${kind}, not a regular file`);
  });

  it('refuses a symlink unless asked to follow it, and follows none to a FIFO', () => {
    const file = join(scratch.path, 'file');
    writeFileSync(file, 'x');
    const link = join(scratch.path, 'link');
    symlinkSync(file, link);
    expect(errorOf(() => readRegularFile(link)).message).toBe(`${link}: a symlink, not a regular file`);
    expect(readRegularFile(link, { followSymlinks: true })).toEqual(new Uint8Array([0x78]));
    const fifo = join(scratch.path, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const toFifo = join(scratch.path, 'to-fifo');
    symlinkSync(fifo, toFifo);
    const error = errorOf(() => readRegularFile(toFifo, { followSymlinks: true }));
    expect(error.message).toBe(`${toFifo}: a FIFO, not a regular file`);
  });

  it('says what else went wrong in words, naming the path', () => {
    const missing = join(scratch.path, 'missing');
    const error = errorOf(() => readRegularFile(missing));
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.message).toBe(`${missing}: no such file`);
  });
});

describe('openRegularFile', () => {
  it('returns the descriptor and size of a regular file, and adds the note to a refusal', () => {
    const file = join(scratch.path, 'blob');
    writeFileSync(file, 'abc');
    const opened = openRegularFile(file);
    expect(opened.size).toBe(3);
    closeSync(opened.fd);
    const error = errorOf(() => openRegularFile('/dev/null', { note: '(replaced since it was walked)' }));
    expect(error.message).toBe(
      '/dev/null: a character device, not a regular file (replaced since it was walked)',
    );
  });
});
