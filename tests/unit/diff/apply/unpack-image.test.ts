/**
 * unpackImageLayers: layers → rootfs + snapshot beside it, all or nothing, DiffIDs verified.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SPECIAL_FILES_OFF } from '@layerkit/diff';
import { readSnapshot, type UnpackLayer, unpackImageLayers } from '@layerkit/diff/node';
import type { Digest } from '@layerkit/digest';
import { expect, test } from 'vitest';
import { deadPid, startTicks } from '../../../fixtures/process-owners.js';
import { chunks, rawTar } from '../../../fixtures/raw-tar.js';
import { testScratchDir } from '../../../fixtures/scratch.js';

function diffIDOf(tar: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(tar).digest('hex')}` as Digest;
}

function layer(tar: Uint8Array, diffID = diffIDOf(tar)): UnpackLayer {
  const blob = gzipSync(tar);
  return { open: () => chunks(blob, 1000), diffID };
}

const BASE = rawTar([
  { name: 'etc/', type: '5' },
  { name: 'etc/os-release', body: 'ID=test\n' },
  { name: 'bin/sh', body: '#!', mode: 0o4755 },
]);
const TOP = rawTar([
  { name: 'etc/.wh.os-release', body: '' },
  { name: 'etc/motd', body: 'hi\n' },
]);

test('unpacks every layer, records the snapshot outside the rootfs, and cleans up', async () => {
  const parent = testScratchDir('unpack');
  const result = await unpackImageLayers(join(parent, 'webserver'), [layer(BASE), layer(TOP)]);
  expect(result.rootfs).toBe(join(parent, 'webserver'));
  expect(readdirSync(result.rootfs).sort()).toEqual(['bin', 'etc']);
  expect(readdirSync(join(result.rootfs, 'etc'))).toEqual(['motd']);
  // No layer describes the root: 0755 as tar, umoci and Docker leave it, not the work dir's 0700.
  expect(lstatSync(result.rootfs).mode & 0o7777).toBe(0o755);
  expect(result.reports.map((r) => r.diffID)).toEqual([diffIDOf(BASE), diffIDOf(TOP)]);
  // Only the rootfs and its metadata remain; the snapshot lists what was unpacked, from lstat.
  expect(readdirSync(parent).sort()).toEqual(['.webserver.layerkit', 'webserver']);
  const records = [...readSnapshot(result.snapshotFile)];
  expect(records.map((r) => r.path)).toEqual(['bin', 'bin/sh', 'etc', 'etc/motd']);
  expect(result.snapshotEntries).toBe(4);
  const motd = lstatSync(join(result.rootfs, 'etc/motd'), { bigint: true });
  expect(records[3]).toMatchObject({ ino: motd.ino, mtimeNs: motd.mtimeNs, ctimeNs: motd.ctimeNs, size: 3n });
});

test('a DiffID mismatch names the layer and leaves nothing behind', async () => {
  const parent = testScratchDir('unpack');
  const wrong = diffIDOf(new Uint8Array(1));
  const error = await unpackImageLayers(join(parent, 'rootfs'), [layer(BASE), layer(TOP, wrong)]).catch(
    (e: unknown) => e,
  );
  expect(error).toMatchObject({
    code: 'DIFFID_MISMATCH',
    details: { layer: `layer 1 (${wrong})`, expected: wrong, actual: diffIDOf(TOP) },
  });
  expect((error as Error).message).toContain(`layer 1 (${wrong})`);
  expect(readdirSync(parent)).toEqual([]);
});

test('a corrupt layer fails with its code, naming the layer, and leaves nothing behind', async () => {
  const parent = testScratchDir('unpack');
  const broken = rawTar([{ name: '../escape', body: 'x' }]);
  const error = await unpackImageLayers(join(parent, 'rootfs'), [layer(BASE), layer(broken)]).catch(
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: 'TAR_PATH_ESCAPE', details: { layer: 1, diffID: diffIDOf(broken) } });
  expect(readdirSync(parent)).toEqual([]);
  expect(existsSync(join(parent, '..', 'escape'))).toBe(false);
});

test('refuses an existing destination', async () => {
  const parent = testScratchDir('unpack');
  mkdirSync(join(parent, 'existing'));
  const error = await unpackImageLayers(join(parent, 'existing'), [layer(BASE)]).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'ROOTFS_EXISTS' });
  expect(readdirSync(parent)).toEqual(['existing']);
});

test('the rootfs gets the topmost `./` entry of the layers: mode, owner and mtime', async () => {
  const parent = testScratchDir('unpack');
  const lower = rawTar([{ name: './', type: '5', mode: 0o700, uid: 7, gid: 7, mtime: 1_000 }]);
  const upper = rawTar([
    { name: './', type: '5', mode: 0o1755, uid: 1000, gid: 100, mtime: 1_700_000_000 },
    { name: 'etc/motd', body: 'hi\n' },
  ]);
  const result = await unpackImageLayers(join(parent, 'rootfs'), [layer(lower), layer(BASE), layer(upper)]);
  const root = lstatSync(result.rootfs);
  expect({ mode: root.mode & 0o7777, uid: root.uid, gid: root.gid, mtime: root.mtimeMs }).toEqual({
    mode: 0o1755,
    uid: 1000,
    gid: 100,
    mtime: 1_700_000_000_000,
  });
});

test('device nodes and FIFOs are created by default (as root) and recorded in the snapshot', async () => {
  const parent = testScratchDir('unpack');
  const devices = rawTar([
    { name: 'dev/', type: '5', mode: 0o755 },
    { name: 'dev/null', type: '3', devMajor: 1, devMinor: 3, mode: 0o666 },
    { name: 'dev/loop0', type: '4', devMajor: 7, devMinor: 0, mode: 0o660, gid: 6 },
    { name: 'run/initctl', type: '6', mode: 0o600 },
  ]);
  const result = await unpackImageLayers(join(parent, 'rootfs'), [layer(devices)]);
  expect(result.reports[0]!.skipped).toEqual([]);
  const nul = lstatSync(join(result.rootfs, 'dev/null'));
  expect([nul.isCharacterDevice(), nul.rdev, nul.mode & 0o7777]).toEqual([true, 0x103, 0o666]);
  const loop = lstatSync(join(result.rootfs, 'dev/loop0'));
  expect([loop.isBlockDevice(), loop.rdev, loop.gid]).toEqual([true, 0x700, 6]);
  expect(lstatSync(join(result.rootfs, 'run/initctl')).isFIFO()).toBe(true);
  const records = [...readSnapshot(result.snapshotFile)];
  expect(records.map((r) => [r.path, r.metadata?.type])).toEqual([
    ['dev', 'dir'],
    ['dev/loop0', 'block'],
    ['dev/null', 'char'],
    ['run', 'dir'],
    ['run/initctl', 'fifo'],
  ]);
});

test('devices: false skips device nodes and FIFOs, reports each, and the snapshot does not list them', async () => {
  const parent = testScratchDir('unpack');
  const devices = rawTar([
    { name: 'dev/null', type: '3', devMajor: 1, devMinor: 3, mode: 0o666 },
    { name: 'run/initctl', type: '6', mode: 0o600 },
  ]);
  const result = await unpackImageLayers(join(parent, 'rootfs'), [layer(devices)], { devices: false });
  expect(result.reports[0]!.skipped).toEqual([
    { path: 'dev/null', reason: SPECIAL_FILES_OFF },
    { path: 'run/initctl', reason: SPECIAL_FILES_OFF },
  ]);
  expect(readdirSync(result.rootfs)).toEqual([]);
  expect([...readSnapshot(result.snapshotFile)]).toEqual([]);
});

test("removes the work directory a killed unpack left beside the destination, never a running one's", async () => {
  const parent = testScratchDir('unpack');
  const dead = join(parent, `.webserver.unpack-${deadPid()}.777-00ff`);
  const live = join(parent, `.webserver.unpack-${process.pid}.${startTicks()}-11ee`);
  for (const dir of [dead, live]) mkdirSync(join(dir, 'rootfs', 'etc'), { recursive: true });
  await unpackImageLayers(join(parent, 'webserver'), [layer(BASE)]);
  expect(existsSync(dead)).toBe(false);
  expect(readdirSync(parent).sort()).toEqual(['.webserver.layerkit', basename(live), 'webserver']);
});
