import { pathFromUtf8 } from '@layerkit/diff';
import { describe, expect, it } from 'vitest';
import {
  classifyEntryName,
  localLinkTarget,
  normalizeEntryName,
} from '../../../../packages/diff/src/tar/entry-name.js';
import { errorOf } from '../../../fixtures/error-of.js';

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

describe('classifyEntryName', () => {
  it.each([
    ['etc/.wh.passwd', { kind: 'whiteout', path: 'etc/passwd' }],
    ['.wh.top', { kind: 'whiteout', path: 'top' }],
    ['a/b/.wh..wh..opq', { kind: 'opaque', path: 'a/b' }],
    ['.wh..wh..opq', { kind: 'opaque', path: '' }],
    ['.wh..wh.plnk/123.456', { kind: 'aufs-metadata', path: '.wh..wh.plnk/123.456' }],
    ['.wh..wh.aufs', { kind: 'aufs-metadata', path: '.wh..wh.aufs' }],
    ['etc/passwd', { kind: 'plain', path: 'etc/passwd' }],
    ['etc/x.wh.y', { kind: 'plain', path: 'etc/x.wh.y' }],
    ['etc/.whx', { kind: 'plain', path: 'etc/.whx' }],
    ['./etc/.wh.passwd', { kind: 'whiteout', path: 'etc/passwd' }],
    ['/a//.wh..wh..opq', { kind: 'opaque', path: 'a' }],
    ['./', { kind: 'root' }],
    ['/', { kind: 'root' }],
    ['a/..', { kind: 'root' }],
  ])('%j → %j', (name, expected) => {
    expect(classifyEntryName(pathFromUtf8(name))).toEqual(expected);
  });

  it.each(['etc/.wh.', 'etc/.wh..', '.wh...', '.wh.a/b'])('rejects %j (T10)', (name) => {
    const error = errorOf(() => classifyEntryName(pathFromUtf8(name)));
    expect(error.code).toBe('INVALID_WHITEOUT');
    expect(error.message).toContain(JSON.stringify(name));
  });

  it.each(['../escape.txt', 'a/../../x', '/../.wh.x'])('rejects %j with TAR_PATH_ESCAPE (T1)', (name) => {
    const error = errorOf(() => classifyEntryName(pathFromUtf8(name)));
    expect(error.code).toBe('TAR_PATH_ESCAPE');
    expect(error.details).toEqual({ name });
    expect(error.message).toContain(JSON.stringify(name));
  });
});

describe('localLinkTarget', () => {
  it.each([
    ['a/f', 'a/f'],
    ['/a/f', 'a/f'],
    ['./a/../b', 'b'],
    ['/', ''],
  ])('%j → %j', (linkName, expected) => {
    expect(localLinkTarget(pathFromUtf8(linkName), pathFromUtf8('h'))).toBe(expected);
  });

  it('rejects a target climbing above the root with TAR_PATH_ESCAPE naming both (T7)', () => {
    const error = errorOf(() => localLinkTarget(pathFromUtf8('../../etc/shadow'), pathFromUtf8('h')));
    expect(error.code).toBe('TAR_PATH_ESCAPE');
    expect(error.details).toEqual({ name: 'h', linkName: '../../etc/shadow' });
    expect(error.message).toContain(JSON.stringify('h'));
    expect(error.message).toContain(JSON.stringify('../../etc/shadow'));
  });
});
