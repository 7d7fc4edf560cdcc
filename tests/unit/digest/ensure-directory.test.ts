/**
 * ensureDirectory, `mkdir -p` that always ends: where the file system refuses a directory
 * (procfs says ENOENT with the parent there, on which Node's recursive mkdir spins forever) or is
 * read-only (which Node reports as `ENOENT … mkdir`), a typed error names the directory.
 */
import { existsSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirectory } from '@layerkit/digest/internal/node';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../fixtures/error-of.js';
import { useScratchDir } from '../../fixtures/scratch.js';
import { mountTmpfs, unmountAll } from '../../fixtures/tmpfs.js';

const scratch = useScratchDir('ensure-directory', { per: 'test', beforeRemove: unmountAll });

describe('ensureDirectory', () => {
  it('creates the missing parents, and accepts an existing directory or a symlink to one', () => {
    const deep = join(scratch.path, 'a', 'b', 'c');
    ensureDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    ensureDirectory(deep);
    symlinkSync(join(scratch.path, 'a'), join(scratch.path, 'link'));
    ensureDirectory(join(scratch.path, 'link', 'b', 'd'));
    expect(existsSync(join(scratch.path, 'a', 'b', 'd'))).toBe(true);
  });

  it('ends with DIRECTORY_NOT_FOUND naming a directory procfs refuses (/proc/x)', () => {
    const error = errorOf(() => ensureDirectory('/proc/x/blobs/sha256'));
    expect(error.code).toBe('DIRECTORY_NOT_FOUND');
    expect(error.message).toBe('/proc/x: cannot be created (the file system refuses a directory there)');
  });

  it('is NOT_A_DIRECTORY naming a file in the way', () => {
    const file = join(scratch.path, 'file');
    writeFileSync(file, '');
    expect(errorOf(() => ensureDirectory(file)).message).toBe(`${file}: exists and is not a directory`);
    const below = join(file, 'x', 'y');
    const error = errorOf(() => ensureDirectory(below));
    expect(error.code).toBe('NOT_A_DIRECTORY');
    expect(error.message).toBe(`${below}: a parent is not a directory`);
  });

  it('is READ_ONLY_FILE_SYSTEM naming the directory on a read-only mount, not ENOENT', () => {
    const readOnly = mountTmpfs(join(scratch.path, 'ro'), { readOnly: true });
    const error = errorOf(() => ensureDirectory(join(readOnly, 'layout', 'blobs', 'sha256')));
    expect(error.code).toBe('READ_ONLY_FILE_SYSTEM');
    expect(error.message).toBe(
      `${join(readOnly, 'layout')}: read-only file system while creating a directory`,
    );
    expect(error.details).toMatchObject({ path: join(readOnly, 'layout'), errno: 'EROFS' });
  });
});
