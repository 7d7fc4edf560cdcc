import { isLayerkitError } from '@layerkit/digest';
import { describe, expect, it } from 'vitest';
import { classifyWhiteout } from '../../../../packages/diff/src/tar/classify-whiteout.js';
import { normalizeEntryName } from '../../../../packages/diff/src/tar/normalize-entry-name.js';

describe('normalizeEntryName', () => {
  it.each([
    ['etc/passwd', 'etc/passwd'],
    ['./etc/passwd', 'etc/passwd'],
    ['/etc/passwd', 'etc/passwd'],
    ['////etc//passwd', 'etc/passwd'],
    ['/./etc/./x/', 'etc/x'],
    ['etc/../usr/bin', 'usr/bin'],
    ['.hidden/..dots/...', '.hidden/..dots/...'],
    ['a\\..\\..\\x', 'a\\..\\..\\x'],
    ['./', ''],
    ['.', ''],
    ['/', ''],
    ['a/..', ''],
  ])('%j → %j', (name, expected) => {
    expect(normalizeEntryName(name)).toBe(expected);
  });

  it.each(['..', '../escape.txt', '/../etc/passwd', 'a/../../x', './..', 'a/b/../../../c'])(
    '%j escapes the root → null',
    (name) => {
      expect(normalizeEntryName(name)).toBeNull();
    },
  );
});

describe('classifyWhiteout', () => {
  it.each([
    ['etc/.wh.passwd', { kind: 'whiteout', target: 'etc/passwd' }],
    ['.wh.top', { kind: 'whiteout', target: 'top' }],
    ['a/b/.wh..wh..opq', { kind: 'opaque', dir: 'a/b' }],
    ['.wh..wh..opq', { kind: 'opaque', dir: '' }],
    ['.wh..wh.plnk/123.456', { kind: 'aufs-metadata' }],
    ['.wh..wh.aufs', { kind: 'aufs-metadata' }],
    ['etc/passwd', null],
    ['etc/x.wh.y', null],
    ['etc/.whx', null],
  ])('%j → %j', (path, expected) => {
    expect(classifyWhiteout(path)).toEqual(expected);
  });

  it.each(['etc/.wh.', 'etc/.wh..', '.wh...', '.wh.a/b'])('rejects %j (T10)', (path) => {
    let error: unknown;
    try {
      classifyWhiteout(path);
    } catch (e) {
      error = e;
    }
    expect(isLayerkitError(error, 'INVALID_WHITEOUT')).toBe(true);
    expect((error as Error).message).toContain(JSON.stringify(path));
  });
});
