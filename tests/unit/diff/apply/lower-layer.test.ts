/**
 * extractLowerLayer: one layer on its own as an overlayfs lower layer. Whiteouts become 0:0
 * character devices and opaque markers `user.overlay.opaque=y` instead of removals; a directory
 * the layer deletes and makes again is opaque; the hardened apply's checks still hold (T3, T12,
 * T13), and a layer cannot smuggle overlay's own attributes in (T16).
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { extractLowerLayer } from '@layerkit/diff/node';
import { expect, test } from 'vitest';
import { chunks, rawTar } from '../../../fixtures/raw-tar.js';
import { testScratchDir } from '../../../fixtures/scratch.js';

const asRoot = process.getuid?.() === 0;

function newDir(): string {
  return join(testScratchDir('lower-layer'), 'fs');
}

/** The value of the xattr `name` of `path` (getfattr), or undefined when it has none. */
function xattr(path: string, name: string): string | undefined {
  const run = spawnSync('getfattr', ['--only-values', '-n', name, path], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout : undefined;
}

function isWhiteout(path: string): boolean {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  return stats?.isCharacterDevice() === true && stats.rdev === 0;
}

test('whiteouts become 0:0 devices and opaque markers an xattr; nothing is removed', async () => {
  const dir = newDir();
  const report = await extractLowerLayer(
    dir,
    chunks(
      rawTar([
        { name: './', type: '5', mode: 0o750 },
        { name: 'etc/', type: '5', mode: 0o755 },
        { name: 'etc/.wh.gone', body: '' },
        { name: 'etc/.wh.also-gone', body: '' },
        { name: 'etc/kept', body: 'kept\n' },
        { name: 'opt/', type: '5', mode: 0o755 },
        { name: 'opt/.wh..wh..opq', body: '' },
        { name: 'opt/new', body: 'new\n' },
        { name: 'srv/.wh.data', body: '' },
        { name: 'srv/data/', type: '5', mode: 0o755 },
        { name: 'srv/data/x', body: 'x\n' },
      ]),
    ),
  );
  expect(report.entries).toBe(11);
  expect(isWhiteout(join(dir, 'etc/gone'))).toBe(true);
  expect(isWhiteout(join(dir, 'etc/also-gone'))).toBe(true);
  expect(readdirSync(join(dir, 'etc')).sort()).toEqual(['also-gone', 'gone', 'kept']);
  expect(xattr(join(dir, 'opt'), 'user.overlay.opaque')).toBe('y');
  expect(readdirSync(join(dir, 'opt'))).toEqual(['new']);
  // Deleted and made again in one layer: nothing of the lower srv/data may show through.
  expect(xattr(join(dir, 'srv/data'), 'user.overlay.opaque')).toBe('y');
  expect(xattr(join(dir, 'etc'), 'user.overlay.opaque')).toBeUndefined();
  // The root takes the layer's ./ entry.
  expect(lstatSync(dir).mode & 0o7777).toBe(0o750);
});

test("a whiteout of the layer's own entry is skipped, as in a normal apply (T12)", async () => {
  const dir = newDir();
  const report = await extractLowerLayer(
    dir,
    chunks(
      rawTar([
        { name: 'a', body: 'mine\n' },
        { name: '.wh.a', body: '' },
      ]),
    ),
  );
  expect(lstatSync(join(dir, 'a')).isFile()).toBe(true);
  expect(report.skipped.map((s) => s.reason)).toContain('whiteout of an entry of the same layer');
});

test('overlay attributes in a layer are dropped, never set (T16)', async () => {
  const dir = newDir();
  const report = await extractLowerLayer(
    dir,
    chunks(
      rawTar([
        {
          name: 'd/',
          type: '5',
          pax: {
            'SCHILY.xattr.user.overlay.opaque': 'y',
            'SCHILY.xattr.user.overlay.redirect': '/etc',
            'SCHILY.xattr.user.note': 'kept',
          },
        },
      ]),
    ),
  );
  expect(xattr(join(dir, 'd'), 'user.overlay.opaque')).toBeUndefined();
  expect(xattr(join(dir, 'd'), 'user.overlay.redirect')).toBeUndefined();
  expect(xattr(join(dir, 'd'), 'user.note')).toBe('kept');
  expect(report.droppedXattrs.map((x) => x.name).sort()).toEqual([
    'user.overlay.opaque',
    'user.overlay.redirect',
  ]);
});

test('a 0:0 character device in the layer is still refused (T13), and nothing escapes (T3)', async () => {
  await expect(
    extractLowerLayer(newDir(), chunks(rawTar([{ name: 'wh', type: '3', devMajor: 0, devMinor: 0 }]))),
  ).rejects.toMatchObject({ code: 'APPLY_WHITEOUT_DEVICE' });
  const dir = newDir();
  await extractLowerLayer(
    dir,
    chunks(
      rawTar([
        { name: 'evil', type: '2', linkName: '/tmp' },
        { name: 'evil/.wh.x', body: '' },
      ]),
    ),
  );
  // The whiteout under the symlink lands inside the layer (the symlink's in-root target), never in /tmp.
  expect(isWhiteout('/tmp/x')).toBe(false);
  expect(isWhiteout(join(dir, 'tmp/x'))).toBe(true);
});

test.runIf(asRoot)('device nodes of the layer are made as in unpack', async () => {
  const dir = newDir();
  await extractLowerLayer(
    dir,
    chunks(rawTar([{ name: 'null', type: '3', devMajor: 1, devMinor: 3, mode: 0o666 }])),
  );
  expect(lstatSync(join(dir, 'null')).rdev).not.toBe(0);
});
