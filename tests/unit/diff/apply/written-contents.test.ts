/**
 * Hashing files while unpacking them: the snapshot `unpackImageLayers` records (reusing those
 * digests) must equal the one recorded by reading every file again, across overwrites,
 * whiteouts, opaque directories and hardlinks; and a digest is reused only for a file whose
 * lstat still shows it as written.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  futimesSync,
  linkSync,
  openSync,
  readFileSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { TreeEntry } from '@layerkit/diff';
import {
  applyLayer,
  directoryTree,
  readSnapshot,
  recordSnapshot,
  type UnpackLayer,
  unpackImageLayers,
  WrittenContents,
} from '@layerkit/diff/node';
import type { Digest } from '@layerkit/digest';
import { describe, expect, it } from 'vitest';
import { waitForFsClockTick } from '../../../fixtures/fs-clock.js';
import { chunks, type RawEntry, rawTar } from '../../../fixtures/raw-tar.js';
import { testScratchDir } from '../../../fixtures/scratch.js';

/** A temporary directory that lives as long as the current test. */
function scratch(): string {
  return testScratchDir('written');
}

function sha256(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
}

function layer(entries: RawEntry[]): UnpackLayer {
  const tar = rawTar(entries);
  const blob = gzipSync(tar);
  return { open: () => chunks(blob, 4096), diffID: sha256(tar) };
}

/** Bytes read by this process so far (`rchar`: every read(2), page-cached or not). */
function bytesRead(): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'latin1'))![1]);
}

// Same size and mtime in every layer: only the content tells the versions apart.
const MTIME = 1_700_000_000;
const file = (name: string, body: string | Uint8Array): RawEntry => ({ name, body, mtime: MTIME });

const LAYERS = [
  layer([
    { name: 'a/', type: '5', mtime: MTIME },
    file('a/same', 'AAAA'),
    file('a/gone', 'gone'),
    file('a/keep', 'keep'),
    file('a/src', 'link'),
    { name: 'a/dst', type: '1', linkName: 'a/src', mtime: MTIME },
    { name: 'a/opaque/', type: '5', mtime: MTIME },
    file('a/opaque/old', 'old!'),
    file('a/to-dir', 'file'),
    file('a/to-link', 'file'),
  ]),
  layer([
    file('a/same', 'BBBB'),
    { name: 'a/.wh.gone', body: '' },
    file('a/new', 'new!'), // may get the inode a/gone had
    { name: 'a/keep2', type: '1', linkName: 'a/keep', mtime: MTIME },
    { name: 'a/.wh.src', body: '' }, // a/dst is left with one link
    { name: 'a/opaque/.wh..wh..opq', body: '' },
    file('a/opaque/fresh', 'new!'),
    { name: 'a/to-dir/', type: '5', mtime: MTIME },
    { name: 'a/to-link', type: '2', linkName: 'same', mtime: MTIME },
  ]),
  layer([file('a/same', 'CCCC'), { name: 'a/.wh.keep2', body: '' }, file('a/to-dir/inner', 'DDDD')]),
];

describe('the snapshot recorded by unpackImageLayers', () => {
  it('equals the one recorded by reading every file again, and holds each file’s real digest', async () => {
    const parent = scratch();
    const result = await unpackImageLayers(join(parent, 'rootfs'), LAYERS);
    const reread = join(parent, 'reread.snapshot');
    recordSnapshot(result.rootfs, reread);
    const recorded = [...readSnapshot(result.snapshotFile)];
    expect(recorded).toEqual([...readSnapshot(reread)]);
    const digests = recorded
      .filter((record) => record.metadata?.contentDigest !== undefined)
      .map((record) => [record.path, record.metadata?.contentDigest]);
    const actual = (path: string) => sha256(readFileSync(join(result.rootfs, path)));
    expect(digests).toEqual([
      ['a/dst', actual('a/dst')],
      ['a/keep', actual('a/keep')],
      ['a/new', actual('a/new')],
      ['a/opaque/fresh', actual('a/opaque/fresh')],
      ['a/same', sha256(Buffer.from('CCCC'))],
      ['a/to-dir/inner', actual('a/to-dir/inner')],
    ]);
  });

  it('comes from the digests hashed while writing, for every file never hardlinked since', async () => {
    const root = scratch();
    const contents = new WrittenContents();
    const [first, ...later] = LAYERS;
    await applyLayer(root, first!.open(), { writtenContents: contents });
    // a/dst's premise: removing its other name a/src (layer 2) moves its ctime past the record.
    waitForFsClockTick(tmpdir());
    for (const { open } of later) await applyLayer(root, open(), { writtenContents: contents });
    linkSync(join(root, 'a/keep'), join(root, 'keep-link'));
    const known = [...directoryTree(root).entriesSync()]
      .filter((entry) => entry.type === 'file')
      .map((entry) => [entry.path, contents.digestOf(entry)]);
    const actual = (path: string) => sha256(readFileSync(join(root, path)));
    // a/keep gained a link after the apply; its digest must not be trusted either.
    expect(known).toEqual([
      ['a/dst', undefined], // its other name a/src was removed: one link again, but a new ctime
      ['a/keep', undefined],
      ['a/new', actual('a/new')],
      ['a/opaque/fresh', actual('a/opaque/fresh')],
      ['a/same', sha256(Buffer.from('CCCC'))],
      ['a/to-dir/inner', actual('a/to-dir/inner')],
      ['keep-link', undefined],
    ]);
  });

  it('reads back only the files it cannot prove unchanged: here, the hardlinked one', async () => {
    const size = 8 * 1024 * 1024;
    const [plain, linked] = [randomBytes(size), randomBytes(size)];
    const parent = scratch();
    const before = bytesRead();
    const result = await unpackImageLayers(join(parent, 'rootfs'), [
      layer([file('plain', plain), file('linked', linked), { name: 'link', type: '1', linkName: 'linked' }]),
    ]);
    expect(bytesRead() - before).toBeLessThan(size * 1.5);
    const digests = [...readSnapshot(result.snapshotFile)].map((r) => [r.path, r.metadata?.contentDigest]);
    expect(digests).toEqual([
      ['link', sha256(linked)],
      ['linked', sha256(linked)],
      ['plain', sha256(plain)],
    ]);
  });
});

describe('WrittenContents', () => {
  /** Writes `body` to a new file (mtime `MTIME`) and records `digest` for it, as the applier does. */
  function written(contents: WrittenContents, path: string, body: string, digest: Digest): void {
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, body);
      futimesSync(fd, MTIME, MTIME);
      contents.record(fd, digest);
    } finally {
      closeSync(fd);
    }
  }

  function entryOf(dir: string, name: string): TreeEntry {
    return [...directoryTree(dir).entriesSync()].find((entry) => entry.path === name)!;
  }

  const DIGEST = sha256(Buffer.from('abcd'));

  it('gives the digest of an untouched file', () => {
    const dir = scratch();
    const contents = new WrittenContents();
    written(contents, join(dir, 'f'), 'abcd', DIGEST);
    expect(contents.digestOf(entryOf(dir, 'f'))).toBe(DIGEST);
  });

  it('gives none once the file grew, got a second link, or is another inode of the same size', () => {
    const dir = scratch();
    const contents = new WrittenContents();
    for (const name of ['grown', 'linked', 'replaced']) written(contents, join(dir, name), 'abcd', DIGEST);
    appendFileSync(join(dir, 'grown'), 'e');
    linkSync(join(dir, 'linked'), join(dir, 'second'));
    writeFileSync(join(dir, 'other'), 'wxyz');
    for (const name of ['grown', 'linked', 'second', 'other']) {
      expect(contents.digestOf(entryOf(dir, name)), name).toBeUndefined();
    }
  });

  it('gives none once the file was rewritten in place, even with its size and mtime restored', () => {
    const dir = scratch();
    const path = join(dir, 'f');
    const contents = new WrittenContents();
    written(contents, path, 'abcd', DIGEST);
    waitForFsClockTick(dir); // so the rewrite below moves the ctime
    const fd = openSync(path, 'r+');
    writeSync(fd, 'wxyz', 0);
    closeSync(fd);
    utimesSync(path, MTIME, MTIME);
    const entry = entryOf(dir, 'f');
    expect([entry.size, entry.mtimeNs]).toEqual([4, BigInt(MTIME) * 1_000_000_000n]);
    expect(contents.digestOf(entry)).toBeUndefined();
  });
});
