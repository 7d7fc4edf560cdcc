/**
 * The snapshot as the lower tree, on disk: after an unpack-like setup and a change, diffing the
 * recorded snapshot against the directory gives the changes that diffing the original tree (or
 * the image's merged view) gives, and reads only files whose stat moved while their metadata
 * still looks equal.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TreeEntry } from '@layerkit/diff';
import { bytesContent, diffTrees, MemoryTree, mergedTree } from '@layerkit/diff';
import {
  directoryTree,
  readSnapshot,
  readSnapshotTree,
  recordSnapshot,
  snapshotFileVersion,
  unpackImageLayers,
} from '@layerkit/diff/node';
import type { Digest } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import { waitForFsClockTick } from '../../../fixtures/fs-clock.js';
import { chunks, rawTar } from '../../../fixtures/raw-tar.js';
import { scratchDir, useScratchDir } from '../../../fixtures/scratch.js';
import { countingReads, dockerDiff, layerOf, makeRootfs, sh } from '../disk-fixtures.js';

const root = useScratchDir('snapshot-disk');

/** An in-memory copy of a directory as it is now: same metadata and bytes, no stats. */
function memoryCopy(dir: string): MemoryTree {
  const entries: TreeEntry[] = [];
  for (const { stat: _stat, content, ...facts } of directoryTree(dir).entriesSync()) {
    const entry: TreeEntry = facts;
    if (content !== undefined) {
      const copies = [...(content() as Iterable<Uint8Array>)].map((chunk) => Uint8Array.from(chunk));
      entry.content = bytesContent(Buffer.concat(copies));
    }
    entries.push(entry);
  }
  return MemoryTree.fromEntries(entries);
}

/**
 * A rootfs with every file type and a capability, its snapshot, and its original tree; the file
 * system clock has ticked since the snapshot, so any later change moves a ctime.
 */
function unpackLike(name: string) {
  const dir = join(root.path, name);
  mkdirSync(dir);
  makeRootfs(dir);
  sh(dir, 'setcap cap_net_raw+ep bin/ping');
  const file = join(root.path, `${name}.snapshot`);
  recordSnapshot(dir, file);
  const original = memoryCopy(dir);
  waitForFsClockTick(root.path);
  return { dir, file, original };
}

/** The snapshot diff's `docker diff` text and the upper paths whose content it read. */
async function snapshotDiff(file: string, dir: string) {
  const upper = countingReads(directoryTree(dir));
  const text = await dockerDiff(
    diffTrees(readSnapshotTree(file), upper.tree, { hasher: createNativeSha256 }),
  );
  return { text, reads: upper.reads.sort() };
}

const SCENARIOS: Array<[name: string, script: string, expected: string, reads: string[]]> = [
  ['nothing', 'true', '', []],
  ['add a file', 'printf new > etc/new', 'C /etc\nA /etc/new\n', []],
  ['chmod', 'chmod 600 etc/passwd', 'C /etc\nC /etc/passwd\n', []],
  ['chown', 'chown 1000:1000 etc/passwd', 'C /etc\nC /etc/passwd\n', []],
  ['touch only', 'touch etc/passwd', 'C /etc\nC /etc/passwd\n', []],
  ['modify, new mtime', 'printf root:x:0:1 > etc/passwd', 'C /etc\nC /etc/passwd\n', []],
  [
    'delete a file and a dir',
    'rm etc/passwd; rm -r usr/share',
    'C /etc\nD /etc/passwd\nC /usr\nD /usr/share\n',
    [],
  ],
  ['replace a dir by a symlink', 'rm -r usr/lib; ln -s /lib usr/lib', 'C /usr\nC /usr/lib\n', []],
  [
    'a file becomes a dir',
    'rm bin/ping; mkdir bin/ping; printf x > bin/ping/x',
    'C /bin\nC /bin/ping\nA /bin/ping/x\n',
    [],
  ],
  ['change a capability', 'setcap cap_net_admin+ep bin/ping', 'C /bin\nC /bin/ping\n', []],
  ['retarget a symlink', 'ln -sfn /etc/other etc/abs', 'C /etc\nC /etc/abs\n', []],
  [
    'rewrite a non-UTF-8 name',
    `printf 'caf\\351' | xargs -0 sh -c 'printf BYTES > "$0"'`,
    'C /caf\uFFFD\n',
    [],
  ],
  [
    'rewrite the same bytes, mtime restored',
    'touch -r etc/passwd ../ref-same; printf root:x:0:0 > etc/passwd; touch -r ../ref-same etc/passwd',
    '',
    ['etc/passwd'],
  ],
  ['add a hardlink', 'ln etc/passwd etc/passwd2', 'C /etc\nA /etc/passwd2\n', ['etc/passwd']],
  [
    'break a hardlink pair (same bytes and mtime)',
    'rm usr/lib/b; cp -p usr/lib/a usr/lib/b',
    'C /usr\nC /usr/lib\nC /usr/lib/b\n',
    ['usr/lib/a', 'usr/lib/b'],
  ],
];

describe('diffTrees(readSnapshotTree(file), directoryTree(dir))', () => {
  it.each(SCENARIOS)(
    '%s: the changes of the original tree, reading only moved files',
    async (name, script, expected, reads) => {
      const { dir, file, original } = unpackLike(name.replace(/\W+/g, '-'));
      sh(dir, script);
      const reference = await dockerDiff(diffTrees(original, directoryTree(dir)));
      expect(reference).toBe(expected);
      expect(await snapshotDiff(file, dir)).toEqual({ text: expected, reads });
    },
  );

  it('catches a same-size rewrite with the mtime restored, which no metadata diff can see', async () => {
    const { dir, file, original } = unpackLike('restored-mtime');
    sh(
      dir,
      'touch -r etc/passwd ../ref-restored; printf ROOT:x:0:0 > etc/passwd; touch -r ../ref-restored etc/passwd',
    );
    expect(await dockerDiff(diffTrees(original, directoryTree(dir), { mode: 'metadata' }))).toBe('');
    expect(await snapshotDiff(file, dir)).toEqual({ text: 'C /etc\nC /etc/passwd\n', reads: ['etc/passwd'] });
  });

  it('yields the same layer entries as the original tree (hardlink groups included)', async () => {
    const { dir, file, original } = unpackLike('layer');
    sh(dir, 'printf LIB > usr/lib/a; chmod 700 var/run; rm usr/rel');
    const summary = (entries: Awaited<ReturnType<typeof layerOf>>) =>
      entries.map((e) =>
        e.kind === 'entry'
          ? `${e.entry.type} ${e.entry.path} ${e.entry.linkTarget ?? ''}`
          : `${e.kind} ${e.path}`,
      );
    const fromSnapshot = summary(await layerOf(diffTrees(readSnapshotTree(file), directoryTree(dir))));
    expect(fromSnapshot).toEqual(summary(await layerOf(diffTrees(original, directoryTree(dir)))));
    expect(fromSnapshot).toContain('hardlink usr/lib/b usr/lib/a');
  });
});

/** Bytes this process has read through read(2) and friends so far (Linux `/proc/self/io`). */
function bytesRead(): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'latin1'))![1]);
}

describe('snapshot files', () => {
  it('tell their version up front; only version 2 becomes a tree, walked afresh each time', async () => {
    const v1 = join(root.path, 'v1.snapshot');
    writeFileSync(v1, 'layerkit-snapshot 1\na 803 1 1 1 1\n');
    const junk = join(root.path, 'junk.snapshot');
    writeFileSync(junk, 'layerkit-snapshot 3\n');
    const { dir, file } = unpackLike('versions');
    expect([snapshotFileVersion(v1), snapshotFileVersion(file)]).toEqual([1, 2]);
    expect(() => snapshotFileVersion(junk)).toThrowError(
      expect.objectContaining({ code: 'SNAPSHOT_INVALID' }) as unknown as Error,
    );
    expect(() => readSnapshotTree(v1)).toThrowError(
      expect.objectContaining({ code: 'SNAPSHOT_VERSION' }) as unknown as Error,
    );
    const tree = readSnapshotTree(file);
    const walk = async () => {
      const paths = [];
      for await (const entry of tree.entries()) paths.push(entry.path);
      return paths;
    };
    const first = await walk();
    expect(first).toEqual([...directoryTree(dir).entriesSync()].map((e) => e.path));
    expect(await walk()).toEqual(first);
  });
});

describe('recordSnapshot', () => {
  it('hashes a hardlinked inode once, and records the same digest for every link', () => {
    const dir = join(root.path, 'links');
    mkdirSync(dir);
    sh(dir, 'head -c 8388608 /dev/urandom > a; ln a b; ln a c');
    const before = bytesRead();
    recordSnapshot(dir, join(root.path, 'links.snapshot'));
    expect(bytesRead() - before).toBeLessThan(8388608 * 1.5);
    const digests = [...readSnapshot(join(root.path, 'links.snapshot'))].map(
      (r) => r.metadata?.contentDigest,
    );
    expect(new Set(digests).size).toBe(1);
    expect(digests[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('records no digest for a file it may not read (rootless), which a later diff never proves equal', async () => {
    // A rootless unpack: the files belong to the user, and one has mode 000 (e.g. /etc/shadow).
    const scratch = scratchDir('rootless');
    const dir = scratch.path;
    try {
      sh(
        dir,
        'mkdir rootfs; printf secret > rootfs/shadow; printf open > rootfs/motd; chown -R 65534:65534 .',
      );
      chmodSync(join(dir, 'rootfs/shadow'), 0);
      const file = join(dir, 'snapshot');
      process.seteuid!(65534);
      try {
        recordSnapshot(join(dir, 'rootfs'), file);
      } finally {
        process.seteuid!(0);
      }
      waitForFsClockTick(dir);
      const records = [...readSnapshot(file)];
      expect(records.map((r) => [r.path, r.metadata?.contentDigest === undefined])).toEqual([
        ['motd', false],
        ['shadow', true],
      ]);
      const rootfs = join(dir, 'rootfs');
      expect(await dockerDiff(diffTrees(readSnapshotTree(file), directoryTree(rootfs)))).toBe('');
      sh(rootfs, 'touch -r shadow ../ref; printf secret > shadow; touch -r ../ref shadow');
      expect(await dockerDiff(diffTrees(readSnapshotTree(file), directoryTree(rootfs)))).toBe('C /shadow\n');
    } finally {
      scratch.remove();
    }
  });
});

describe('after unpackImageLayers, the snapshot replaces the merged view', () => {
  const sha256 = (bytes: Uint8Array) =>
    `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;

  /**
   * A two-layer image: a GNU tar of a small rootfs (caps, setuid, links), then a whiteout layer.
   * Whole-second mtimes: applyLayer keeps only microseconds of a PAX mtime, so with ns mtimes the
   * merged view itself would differ from the unpacked rootfs (every file a spurious `C`).
   */
  it('gives the merged view\u2019s changes for a mix of edits, reading only the touched files', async () => {
    const src = join(root.path, 'image-src');
    mkdirSync(src);
    sh(
      src,
      `mkdir -p bin etc usr/lib usr/share/doc
       printf ping > bin/ping; chmod 4755 bin/ping; setcap cap_net_raw+ep bin/ping
       printf 'root:x:0:0' > etc/passwd; printf motd > etc/motd
       printf lib > usr/lib/a; ln usr/lib/a usr/lib/b; ln -s ../etc/passwd usr/rel
       printf doc > usr/share/doc/readme; printf 'caf\\351' | xargs -0 sh -c 'printf bytes > "$0"'
       find . -exec touch -h -d @1700000000 {} +`,
    );
    const tarFile = join(root.path, 'base.tar');
    const xattrs = ['--xattrs', '--xattrs-include=security.capability'];
    execFileSync('tar', ['--numeric-owner', ...xattrs, '-cf', tarFile, '-C', src, '.']);
    const base = new Uint8Array(readFileSync(tarFile));
    const top = rawTar([
      { name: 'etc/.wh.motd', body: '' },
      { name: 'etc/issue', body: 'welcome\n', mtime: 1_700_000_000 },
    ]);
    const layers = [base, top];
    const rootfs = join(root.path, 'image-rootfs');
    const unpacked = await unpackImageLayers(
      rootfs,
      layers.map((tar) => ({ open: () => chunks(tar, 65536), diffID: sha256(tar) })),
    );
    waitForFsClockTick(root.path);
    sh(
      rootfs,
      `printf new > etc/new; chmod 600 etc/issue; rm -r usr/share; ln usr/lib/a usr/lib/c
       touch -r etc/passwd ../ref-image; printf root:x:0:0 > etc/passwd; touch -r ../ref-image etc/passwd`,
    );
    const merged = await mergedTree(
      layers.map((tar) => () => chunks(tar, 65536)),
      { hasher: createNativeSha256 },
    );
    const viaMerged = await dockerDiff(
      diffTrees(merged, directoryTree(rootfs), { hasher: createNativeSha256 }),
    );
    expect(viaMerged).toBe(
      'C /etc\nC /etc/issue\nA /etc/new\nC /usr\nC /usr/lib\nA /usr/lib/c\nD /usr/share\n',
    );
    expect(await snapshotDiff(unpacked.snapshotFile, rootfs)).toEqual({
      text: viaMerged,
      reads: ['etc/passwd', 'usr/lib/a', 'usr/lib/b'],
    });
  });
});
