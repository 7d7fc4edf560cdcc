/**
 * The hostile layer corpus (T1–T28 of docs/threat-model.md): one case per malicious input,
 * each with real tar bytes (written by `raw-tar.ts`, never by layerkit's own writer) and the exact
 * outcome layerkit guarantees. Cases that need a link target outside the root point into the
 * sandbox's parent, so an escape would show up as a change there.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SPECIAL_FILES_OFF } from '@layerkit/diff';
import type { ApplyOptions, ApplyReport } from '../../../packages/diff/src/node/apply/apply-layer.js';
import { paxPayload, type RawEntry, rawEntry, rawTar } from '../../fixtures/raw-tar.js';
import { skippableFrame, type ZstdBlock, zstdFrame, zstdStored } from '../../fixtures/zstd-frames.js';
import type { Sandbox } from './sandbox.js';

/** What a case must produce: a typed error code, or a state checked by `check`. */
export type Outcome =
  | { error: string; after?: (box: Sandbox) => void }
  | { check: (box: Sandbox, reports: ApplyReport[]) => void };

/** One hostile input. */
export interface HostileCase {
  /** Reference row (`T1` … `T28`). */
  id: string;
  title: string;
  /** The layers, bottom first; the last one is the hostile one unless said otherwise. */
  layers: (box: Sandbox) => Uint8Array[];
  options?: ApplyOptions;
  outcome: Outcome;
}

/** Asserts a condition with a message naming what was wrong. */
function ensure(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

function file(box: Sandbox, path: string): string {
  return readFileSync(join(box.root, path), 'latin1');
}

/** A regular file that holds `text`. */
function reg(name: string, text = `${name}\n`, extra: Partial<RawEntry> = {}): RawEntry {
  return { name, body: text, ...extra };
}

const JUNK_AFTER_TAR = rawTar([reg('x')], { after: new Uint8Array(1024 * 1024).fill(0x41) });

const ZERO_MEMBER = gzipSync(new Uint8Array(16 * 1024 * 1024), { level: 9 });

/** A gzip stream of a tar holding one file that claims 10 GiB, built from repeated members. */
/**
 * A tar header declaring a 10 GiB file, then zeros as 128 KiB RLE blocks of 4 bytes each (zstd
 * at 32768:1, about 320 KiB): what every zstd decoder expands, written without an encoder.
 */
function zstdBomb(): Uint8Array {
  const header = Buffer.concat(rawEntry({ name: 'bomb', sizeField: `${(10 * 1024 ** 3).toString(8)}\0` }));
  const blocks: ZstdBlock[] = [{ raw: header }];
  for (let left = 10 * 1024 ** 3; left > 0; left -= 128 * 1024) blocks.push({ rle: 0, size: 128 * 1024 });
  return zstdFrame(blocks);
}

function gzipBomb(): Uint8Array {
  const header = gzipSync(
    Buffer.concat(rawEntry({ name: 'bomb', sizeField: `${(10 * 1024 ** 3).toString(8)}\0` })),
  );
  return Buffer.concat([header, ...Array.from({ length: 640 }, () => ZERO_MEMBER)]);
}

/** Checks that the failed apply left no `path` in the root. */
function notWritten(path: string): (box: Sandbox) => void {
  return (box) => ensure(!exists(join(box.root, path)), `${path} was written`);
}

/** PAX records of a GNU sparse 1.0 file named `s` of `realSize` bytes. */
function sparse10(realSize: number): Record<string, string> {
  return {
    'GNU.sparse.major': '1',
    'GNU.sparse.minor': '0',
    'GNU.sparse.name': 's',
    'GNU.sparse.realsize': String(realSize),
  };
}

/** A sparse 1.0 map block: one region of one byte at offset 0 (the data byte follows it). */
const SPARSE_MAP_ONE_BYTE = '1\n0\n1\n'.padEnd(512, '\0');

/** Every case of the corpus. */
export const HOSTILE_CASES: HostileCase[] = [
  {
    id: 'T1',
    title: 'name climbing out of the root (`../../escape.txt`)',
    layers: () => [rawTar([reg('../../escape.txt')])],
    outcome: { error: 'TAR_PATH_ESCAPE' },
  },
  {
    id: 'T1',
    title: 'name climbing out after a descent (`a/../../escape.txt`)',
    layers: () => [rawTar([reg('a/../../escape.txt')])],
    outcome: { error: 'TAR_PATH_ESCAPE' },
  },
  {
    id: 'T2',
    title: 'absolute names (`////abs.txt`, `/etc/passwd`) are made relative',
    layers: () => [rawTar([reg('////abs.txt'), reg('/etc/passwd', 'fake\n')])],
    outcome: {
      check: (box) => {
        ensure(file(box, 'abs.txt') === '////abs.txt\n', 'abs.txt lands in the root');
        ensure(file(box, 'etc/passwd') === 'fake\n', 'etc/passwd lands in the root');
      },
    },
  },
  {
    id: 'T2',
    title: 'Windows-style names (`C:..\\x`, `a\\..\\..\\x`) are ordinary Linux names',
    layers: () => [rawTar([reg('C:..\\x'), reg('a\\..\\..\\x')])],
    outcome: {
      check: (box) => {
        ensure(
          readdirSync(box.root).sort().join(',') === 'C:..\\x,a\\..\\..\\x',
          'two files with backslashes',
        );
      },
    },
  },
  {
    id: 'T2',
    title: 'NUL byte in a PAX path',
    layers: () => [rawTar([reg('x', 'x', { pax: { path: 'a\0/../../b' } })])],
    outcome: { error: 'TAR_NUL_IN_PATH' },
  },
  {
    id: 'T3',
    title: 'write through an absolute symlink parent (`evil -> <outside>`, `evil/pwn`)',
    layers: (box) => [
      rawTar([{ name: 'evil', type: '2', linkName: join(box.parent, 'tmp/outside') }, reg('evil/pwn')]),
    ],
    outcome: {
      check: (box) => {
        ensure(
          file(box, join(box.parent, 'tmp/outside/pwn')) === 'evil/pwn\n',
          'pwn resolved inside the root',
        );
      },
    },
  },
  {
    id: 'T3',
    title: 'write through a relative symlink climbing out (`evil -> ../../../..`, `evil/pwn`)',
    layers: () => [rawTar([{ name: 'evil', type: '2', linkName: '../../../..' }, reg('evil/pwn')])],
    outcome: { check: (box) => ensure(file(box, 'pwn') === 'evil/pwn\n', '.. stops at the root') },
  },
  {
    id: 'T4',
    title: 'symlink entry named `.` (replacing the root) then `x`',
    layers: (box) => [
      rawTar([
        { name: '.', type: '2', linkName: box.parent },
        { name: './', type: '5', mode: 0o777 },
        reg('x'),
      ]),
    ],
    outcome: {
      check: (box, [report]) => {
        ensure(lstatSync(box.root).isDirectory(), 'the root is still a directory');
        ensure((lstatSync(box.root).mode & 0o777) === 0o755, 'root mode untouched');
        ensure(file(box, 'x') === 'x\n', 'x lands in the root');
        ensure(report?.skipped.length === 2, 'both root entries are reported as skipped');
        // Only the directory's metadata is handed to the root's owner (unpackImageLayers).
        ensure(report?.root?.mode === 0o777, 'the `./` directory metadata is reported');
      },
    },
  },
  {
    id: 'T5',
    title: 'directory, then a symlink with the same name, then a file below it',
    layers: (box) => [
      rawTar([{ name: 'a/', type: '5' }, { name: 'a', type: '2', linkName: box.parent }, reg('a/x')]),
    ],
    outcome: {
      check: (box) => {
        ensure(lstatSync(join(box.root, 'a')).isSymbolicLink(), 'a is now a symlink');
        ensure(file(box, join(box.parent, 'x')) === 'a/x\n', 'x follows a inside the root');
      },
    },
  },
  {
    id: 'T7',
    title: 'hardlink to an absolute host path (`/etc/hostname`)',
    layers: () => [rawTar([{ name: 'h', type: '1', linkName: '/etc/hostname' }])],
    outcome: {
      error: 'APPLY_HARDLINK_TARGET',
      after: () => ensure(lstatSync('/etc/hostname').nlink === 1, 'host file not linked'),
    },
  },
  {
    id: 'T7',
    title: 'hardlink to a file outside the root by absolute sandbox path',
    layers: (box) => [rawTar([{ name: 'h', type: '1', linkName: join(box.parent, 'victim.txt') }])],
    outcome: { error: 'APPLY_HARDLINK_TARGET' },
  },
  {
    id: 'T7',
    title: 'hardlink climbing out (`../../../etc/hostname`)',
    layers: () => [rawTar([{ name: 'h', type: '1', linkName: '../../../etc/hostname' }])],
    outcome: { error: 'TAR_PATH_ESCAPE' },
  },
  {
    id: 'T7',
    title: 'hardlink to a directory',
    layers: () => [
      rawTar([
        { name: 'd/', type: '5' },
        { name: 'h', type: '1', linkName: 'd' },
      ]),
    ],
    outcome: { error: 'APPLY_HARDLINK_TARGET' },
  },
  {
    id: 'T7',
    title: 'hardlink through a symlinked parent to the outside (`s -> <outside>`, `h` → `s/victim.txt`)',
    layers: (box) => [
      rawTar([
        { name: 's', type: '2', linkName: box.parent },
        { name: 'h', type: '1', linkName: 's/victim.txt' },
      ]),
    ],
    outcome: { error: 'APPLY_HARDLINK_TARGET' },
  },
  {
    id: 'T7',
    title: 'a file written over a hardlink does not write through the old inode',
    layers: () => [
      rawTar([reg('x', 'lower\n'), { name: 'h', type: '1', linkName: 'x' }]),
      rawTar([reg('h', 'upper\n')]),
    ],
    outcome: {
      check: (box) => {
        ensure(file(box, 'x') === 'lower\n', 'x keeps its content');
        ensure(file(box, 'h') === 'upper\n', 'h is a new file');
      },
    },
  },
  {
    id: 'T7',
    title: 'absolute hardlink target inside the layer (kaniko style `/a/f`)',
    layers: () => [rawTar([reg('a/f'), { name: 'a/g', type: '1', linkName: '/a/f' }])],
    outcome: { check: (box) => ensure(lstatSync(join(box.root, 'a/g')).nlink === 2, 'a/g links a/f') },
  },
  {
    id: 'T8',
    title: 'hardlink into a directory that is then replaced by a symlink to `..`',
    layers: () => [
      rawTar([
        reg('victim'),
        { name: 'door/escaped', type: '1', linkName: 'victim' },
        { name: 'door', type: '2', linkName: '..' },
        reg('door/after'),
      ]),
    ],
    outcome: {
      check: (box) => {
        ensure(readlinkSync(join(box.root, 'door')) === '..', 'door is the symlink');
        ensure(file(box, 'after') === 'door/after\n', 'door/.. is clamped to the root');
      },
    },
  },
  {
    id: 'T9',
    title: 'symlink to a host file with mode 0777, then a hardlink to it with mode 0777',
    layers: (box) => [
      rawTar([
        { name: 'l', type: '2', linkName: join(box.parent, 'victim.txt'), mode: 0o777, mtime: 1 },
        { name: 'h', type: '1', linkName: 'l', mode: 0o777, mtime: 1 },
      ]),
    ],
    outcome: {
      check: (box) =>
        ensure(lstatSync(join(box.root, 'h')).isSymbolicLink(), 'h is another name of the symlink'),
    },
  },
  {
    id: 'T10',
    title: 'bare whiteout `etc/.wh.`',
    layers: () => [rawTar([reg('etc/keep')]), rawTar([reg('etc/.wh.', '')])],
    outcome: {
      error: 'INVALID_WHITEOUT',
      after: (box) => ensure(file(box, 'etc/keep') === 'etc/keep\n', 'etc intact'),
    },
  },
  {
    id: 'T10',
    title: 'whiteout of the parent `etc/.wh..`',
    layers: () => [rawTar([reg('etc/keep')]), rawTar([reg('etc/.wh..', '')])],
    outcome: {
      error: 'INVALID_WHITEOUT',
      after: (box) => ensure(file(box, 'etc/keep') === 'etc/keep\n', 'etc intact'),
    },
  },
  {
    id: 'T10',
    title: 'whiteout of `..` at the top (`.wh...`)',
    layers: () => [rawTar([reg('.wh...', '')])],
    outcome: { error: 'INVALID_WHITEOUT' },
  },
  {
    id: 'T10',
    title: 'a whiteout used as a directory (`.wh.a/b`)',
    layers: () => [rawTar([reg('.wh.a/b')])],
    outcome: { error: 'INVALID_WHITEOUT' },
  },
  {
    id: 'T11',
    title: 'opaque marker below a lower-layer symlink to `/` (two layers)',
    layers: () => [
      rawTar([reg('keep'), { name: 'evil', type: '2', linkName: '/' }]),
      rawTar([reg('evil/.wh..wh..opq', '')]),
    ],
    outcome: {
      check: (box) =>
        ensure(
          readdirSync(box.root).length === 0,
          'the opaque marker resolved to the root of the rootfs only',
        ),
    },
  },
  {
    id: 'T11',
    title: 'whiteout below a lower-layer symlink to the outside (two layers)',
    layers: (box) => [
      rawTar([{ name: 'evil', type: '2', linkName: box.parent }]),
      rawTar([reg('evil/.wh.victim.txt', '')]),
    ],
    outcome: { check: (box) => ensure(exists(join(box.root, 'evil')), 'nothing to delete inside the root') },
  },
  {
    id: 'T11',
    title: 'whiteout of a lower-layer symlink to an outside file unlinks only the symlink',
    layers: (box) => [
      rawTar([{ name: 'evil', type: '2', linkName: join(box.parent, 'victim.txt') }]),
      rawTar([reg('.wh.evil', '')]),
    ],
    outcome: { check: (box) => ensure(!exists(join(box.root, 'evil')), 'the symlink is gone') },
  },
  {
    id: 'T12',
    title: 'whiteout after an entry of the same layer (`foo`, `.wh.foo`)',
    layers: () => [rawTar([reg('foo'), reg('.wh.foo', '')])],
    outcome: {
      check: (box, [report]) => {
        ensure(file(box, 'foo') === 'foo\n', 'foo survives (spec)');
        ensure(report?.skipped[0]?.reason === 'whiteout of an entry of the same layer', 'reported');
      },
    },
  },
  {
    id: 'T12',
    title: 'opaque marker after a new child of the same layer',
    layers: () => [rawTar([reg('a/old')]), rawTar([reg('a/new'), reg('a/.wh..wh..opq', '')])],
    outcome: {
      check: (box) => {
        ensure(file(box, 'a/new') === 'a/new\n', 'a/new survives');
        ensure(!exists(join(box.root, 'a/old')), 'a/old is hidden');
      },
    },
  },
  {
    id: 'T13',
    title: 'character device 0:0 (an overlayfs whiteout)',
    layers: () => [rawTar([{ name: 'x', type: '3' }])],
    outcome: { error: 'APPLY_WHITEOUT_DEVICE' },
  },
  {
    id: 'T14',
    title: 'block device and FIFO with `devices: false`',
    layers: () => [
      rawTar([
        { name: 'dev/sda', type: '4', devMajor: 8 },
        { name: 'p', type: '6' },
      ]),
    ],
    options: { devices: false },
    outcome: {
      check: (box, [report]) => {
        ensure(
          !exists(join(box.root, 'dev')) && !exists(join(box.root, 'p')),
          'nothing created, no parent either',
        );
        ensure(
          report?.skipped.length === 2 && report.skipped.every((s) => s.reason === SPECIAL_FILES_OFF),
          'both reported',
        );
      },
    },
  },
  {
    id: 'T14',
    title: 'block device and FIFO are created by default as root',
    layers: () => [
      rawTar([
        { name: 'dev/sda', type: '4', devMajor: 8, mode: 0o660 },
        { name: 'p', type: '6', mode: 0o600 },
      ]),
    ],
    outcome: {
      check: (box) => {
        const device = lstatSync(join(box.root, 'dev/sda'));
        ensure(
          device.isBlockDevice() && device.rdev === 8 * 256 && (device.mode & 0o777) === 0o660,
          'block 8:0, 0660',
        );
        ensure(lstatSync(join(box.root, 'p')).isFIFO(), 'fifo');
      },
    },
  },
  {
    id: 'T15',
    title: 'setuid binary with a file capability is kept as is (runtime rootfs)',
    layers: () => [
      rawTar([
        reg('bin/su', 'su', {
          mode: 0o4755,
          pax: {
            'SCHILY.xattr.security.capability': Buffer.from(
              '0100000200200000000000000000000000000000',
              'hex',
            ),
          },
        }),
      ]),
    ],
    outcome: {
      check: (box) => ensure((lstatSync(join(box.root, 'bin/su')).mode & 0o7777) === 0o4755, 'setuid kept'),
    },
  },
  {
    id: 'T16',
    title: 'overlay and SELinux xattrs are dropped, user xattrs kept',
    layers: () => [
      rawTar([
        {
          name: 'd/',
          type: '5',
          pax: {
            'SCHILY.xattr.trusted.overlay.opaque': 'y',
            'SCHILY.xattr.security.selinux': 'system_u:object_r:shadow_t:s0',
            'SCHILY.xattr.user.ok': '1',
          },
        },
      ]),
    ],
    outcome: {
      check: (_box, [report]) => {
        const dropped = report?.droppedXattrs.map((x) => x.name).sort();
        ensure(
          JSON.stringify(dropped) === '["security.selinux","trusted.overlay.opaque"]',
          `dropped ${JSON.stringify(dropped)}`,
        );
      },
    },
  },
  {
    id: 'T16',
    title: 'xattrs on a symlink to an outside file are never set on the file',
    layers: (box) => [
      rawTar([
        {
          name: 'l',
          type: '2',
          linkName: join(box.parent, 'victim.txt'),
          pax: {
            'SCHILY.xattr.user.evil': '1',
            'SCHILY.xattr.security.capability': Buffer.from(
              '0000000201000000000000000000000000000000',
              'hex',
            ),
          },
        },
      ]),
    ],
    outcome: {
      check: (_box, [report]) =>
        ensure(
          report?.droppedXattrs[0]?.name === 'user.evil',
          'the kernel refuses user.* on a symlink: reported',
        ),
    },
  },
  {
    id: 'T17',
    title: 'PAX header of 16 MiB',
    layers: () => [rawTar([reg('x', 'x', { pax: { comment: 'A'.repeat(16 * 1024 * 1024) } })])],
    outcome: { error: 'TAR_HEADER_TOO_LARGE' },
  },
  {
    id: 'T18',
    title: 'GNU sparse 1.0 with realsize 2^40 and no map in its body',
    layers: () => [rawTar([reg('s', '', { pax: sparse10(2 ** 40) })])],
    outcome: { error: 'TAR_SPARSE', after: notWritten('s') },
  },
  {
    id: 'T18',
    title: 'old GNU sparse typeflag `S` in a header that is not GNU',
    layers: () => [rawTar([{ name: 's', type: 'S' }])],
    outcome: { error: 'TAR_SPARSE' },
  },
  {
    id: 'T18',
    title: 'GNU sparse 0.1 map with overlapping regions',
    layers: () => [
      rawTar([
        reg('s', 'x'.repeat(20), {
          pax: {
            'GNU.sparse.major': '0',
            'GNU.sparse.minor': '1',
            'GNU.sparse.size': '100',
            'GNU.sparse.numblocks': '2',
            'GNU.sparse.map': '0,10,5,10',
          },
        }),
      ]),
    ],
    outcome: { error: 'TAR_SPARSE', after: notWritten('s') },
  },
  {
    id: 'T28',
    title: 'sparse bomb: a 2 KiB layer declaring a 1 TiB file of holes',
    layers: () => [rawTar([reg('s', `${SPARSE_MAP_ONE_BYTE}x`, { pax: sparse10(2 ** 40) })])],
    outcome: {
      error: 'TAR_TOO_LARGE',
      after: notWritten('s'),
    },
  },
  {
    id: 'T28',
    title: 'sparse bomb stops at maxDecompressedBytes',
    layers: () => [gzipSync(rawTar([reg('s', `${SPARSE_MAP_ONE_BYTE}x`, { pax: sparse10(1024 ** 3) })]))],
    options: { limits: { maxDecompressedBytes: 64 * 1024 * 1024 } },
    outcome: {
      error: 'TAR_TOO_LARGE',
      after: notWritten('s'),
    },
  },
  {
    id: 'T19',
    title: 'gzip bomb: 10 GiB of zeros stops at maxDecompressedBytes',
    layers: () => [gzipBomb()],
    options: { limits: { maxDecompressedBytes: 64 * 1024 * 1024 } },
    outcome: { error: 'LAYER_TOO_LARGE' },
  },
  {
    id: 'T19',
    title: 'gzip bomb stops at the compression-ratio limit',
    layers: () => [gzipBomb()],
    options: { limits: { maxCompressionRatio: 100 } },
    outcome: { error: 'LAYER_RATIO_EXCEEDED' },
  },
  {
    id: 'T19',
    title: 'zstd bomb: 10 GiB of zeros in RLE blocks stops at maxDecompressedBytes',
    layers: () => [zstdBomb()],
    options: { limits: { maxDecompressedBytes: 64 * 1024 * 1024 } },
    outcome: { error: 'LAYER_TOO_LARGE' },
  },
  {
    id: 'T19',
    title: 'zstd bomb stops at the compression-ratio limit',
    layers: () => [zstdBomb()],
    outcome: { error: 'LAYER_RATIO_EXCEEDED' },
  },
  {
    id: 'T19',
    title: '50,000 skippable zstd frames before a tar',
    layers: () => {
      const skip = skippableFrame(new Uint8Array(0));
      return [Buffer.concat([...Array.from({ length: 50_000 }, () => skip), zstdStored(rawTar([reg('x')]))])];
    },
    outcome: { check: (box) => ensure(file(box, 'x') === 'x\n', 'the tar after the frames applies') },
  },
  {
    id: 'T19',
    title: '100,000 empty gzip members before a tar',
    layers: () => {
      const empty = gzipSync(new Uint8Array(0));
      return [Buffer.concat([...Array.from({ length: 100_000 }, () => empty), gzipSync(rawTar([reg('x')]))])];
    },
    outcome: { check: (box) => ensure(file(box, 'x') === 'x\n', 'the tar after the members applies') },
  },
  {
    id: 'T19',
    title: 'more entries than maxEntries',
    layers: () => [rawTar(Array.from({ length: 11 }, (_, i) => reg(`f${i}`)))],
    options: { limits: { maxEntries: 10 } },
    outcome: { error: 'TAR_TOO_MANY_ENTRIES' },
  },
  {
    id: 'T20',
    title: 'path 2,000 components deep',
    layers: () => [rawTar([reg('x', 'x', { pax: { path: `${'a/'.repeat(2000)}x` } })])],
    outcome: { error: 'TAR_PATH_TOO_DEEP' },
  },
  {
    id: 'T20',
    title: 'name of 100,000 bytes',
    layers: () => [rawTar([reg('x', 'x', { pax: { path: 'n'.repeat(100_000) } })])],
    outcome: { error: 'TAR_PATH_TOO_LONG' },
  },
  {
    id: 'T20',
    title: 'symlink loop in a parent (`loop -> loop`, `loop/x`)',
    layers: () => [rawTar([{ name: 'loop', type: '2', linkName: 'loop' }, reg('loop/x')])],
    outcome: { error: 'APPLY_TOO_MANY_LINKS' },
  },
  {
    id: 'T21',
    title: 'bad header checksum',
    layers: () => [rawTar([reg('x', 'x', { badChecksum: true })])],
    outcome: { error: 'TAR_BAD_CHECKSUM' },
  },
  {
    id: 'T21',
    title: 'size field `-1`',
    layers: () => [rawTar([reg('x', '', { sizeField: '-1' })])],
    outcome: { error: 'TAR_BAD_NUMBER' },
  },
  {
    id: 'T21',
    title: 'archive truncated inside a body',
    layers: () => [rawTar([reg('x', 'y'.repeat(2000))]).subarray(0, 1024)],
    outcome: { error: 'TAR_TRUNCATED' },
  },
  {
    id: 'T22',
    title: 'duplicate path (`x` file, then `x/` dir) in strict mode',
    layers: () => [rawTar([reg('x'), { name: 'x/', type: '5' }])],
    options: { strict: true },
    outcome: { error: 'APPLY_DUPLICATE_ENTRY' },
  },
  {
    id: 'T22',
    title: 'duplicate path applied in order by default, a later hardlink sees the second',
    layers: () => [
      rawTar([reg('x', 'first\n'), reg('x', 'second\n'), { name: 'h', type: '1', linkName: 'x' }]),
    ],
    outcome: { check: (box) => ensure(file(box, 'h') === 'second\n', 'h links the second x') },
  },
  {
    id: 'T23',
    title: '1 MiB of junk after the end-of-archive blocks',
    layers: () => [JUNK_AFTER_TAR],
    outcome: {
      check: (box, [report]) => {
        ensure(file(box, 'x') === 'x\n', 'applied');
        ensure(report?.bytes === JUNK_AFTER_TAR.length, 'every byte counted');
        ensure(
          report?.diffID === `sha256:${createHash('sha256').update(JUNK_AFTER_TAR).digest('hex')}`,
          'DiffID covers the junk',
        );
      },
    },
  },
  {
    id: 'T23',
    title: 'missing end-of-archive blocks',
    layers: () => [rawTar([reg('x')], { trailer: false })],
    outcome: { check: (box) => ensure(file(box, 'x') === 'x\n', 'applied') },
  },
  {
    id: 'T24',
    title: 'mtimes beyond 2^63 ns and before 1970 clamp to the epoch',
    layers: () => [
      rawTar([
        reg('far', 'x', { pax: { mtime: '99999999999999999' } }),
        reg('early', 'x', { pax: { mtime: '-100' } }),
      ]),
    ],
    outcome: {
      check: (box) => {
        ensure(lstatSync(join(box.root, 'far')).mtimeMs === 0, 'far clamps to 0');
        ensure(lstatSync(join(box.root, 'early')).mtimeMs === 0, 'early clamps to 0');
      },
    },
  },
  {
    id: 'T24',
    title: 'uid 4294967295 ("don\'t change" to chown)',
    layers: () => [rawTar([reg('x', 'x', { pax: { uid: '4294967295' } })])],
    outcome: { error: 'TAR_ID_OUT_OF_RANGE' },
  },
  {
    id: 'T25',
    title: 'unknown typeflag `V`',
    layers: () => [rawTar([{ name: 'v', type: 'V' }])],
    outcome: { error: 'TAR_UNKNOWN_TYPE' },
  },
  {
    id: 'T25',
    title: 'global PAX header carrying `path=` is ignored',
    layers: () => [
      Buffer.concat([
        ...rawEntry({ name: 'g', type: 'g', body: paxPayload({ path: '../../escape' }) }),
        rawTar([reg('x')]),
      ]),
    ],
    outcome: { check: (box) => ensure(readdirSync(box.root).join(',') === 'x', 'only x') },
  },
  {
    id: 'T26',
    title: 'AUFS metadata (`.wh..wh.plnk/…`, `.wh..wh.aufs`) is skipped',
    layers: () => [rawTar([reg('.wh..wh.plnk/123.456'), reg('.wh..wh.aufs', ''), reg('x')])],
    outcome: {
      check: (box, [report]) => {
        ensure(readdirSync(box.root).join(',') === 'x', 'only x');
        ensure(report?.skipped.length === 2, 'both reported');
      },
    },
  },
  {
    id: 'T27',
    title: 'a file replaces a lower directory of 5,000 files',
    layers: () => [rawTar(Array.from({ length: 5000 }, (_, i) => reg(`d/${i}`))), rawTar([reg('d')])],
    outcome: { check: (box) => ensure(file(box, 'd') === 'd\n', 'd is a file') },
  },
];
