/**
 * Issue 15: a Debian-like root filesystem (device nodes, FIFOs, sticky and setuid modes, owners,
 * symlinks, hardlinks) round-trips exactly through `layerkit import` → `layerkit unpack` as root
 * with no flags; a copy of the result (`cp -a`) diffs as nothing against the image; where device
 * nodes cannot be made (not root, or root without CAP_MKNOD) they are skipped with one warning,
 * and a commit of that directory does not delete them from the image.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { walkTree } from '../interop/clients/tree.js';
import { BIN, environment, layerkit, MTIME, ok, REPO, readImage, writeTree } from './cli.js';

const work = useScratchDir('cli-unpack-roundtrip');
let image: string;

/** Device nodes and FIFOs of a Debian rootfs: path, mknod type and numbers, mode, gid. */
const SPECIALS: ReadonlyArray<[string, 'c' | 'b' | 'p', number, number, number, number]> = [
  ['dev/null', 'c', 1, 3, 0o666, 0],
  ['dev/zero', 'c', 1, 5, 0o666, 0],
  ['dev/full', 'c', 1, 7, 0o666, 0],
  ['dev/random', 'c', 1, 8, 0o666, 0],
  ['dev/urandom', 'c', 1, 9, 0o666, 0],
  ['dev/tty', 'c', 5, 0, 0o666, 5],
  ['dev/console', 'c', 5, 1, 0o600, 0],
  ['dev/ptmx', 'c', 5, 2, 0o666, 5],
  ['dev/loop0', 'b', 7, 0, 0o660, 6],
  ['run/initctl', 'p', 0, 0, 0o600, 0],
];

function mknod(path: string, type: 'c' | 'b' | 'p', major: number, minor: number): void {
  const numbers = type === 'p' ? [] : [String(major), String(minor)];
  const made = spawnSync('mknod', [path, type, ...numbers], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mknod ${path}: ${made.stderr}`);
}

/** A synthesized Debian-like rootfs: merged /usr, /dev with devices, a FIFO, owners and modes. */
function debianLikeRootfs(root: string): void {
  writeTree(root, {
    'usr/bin/sh': { content: '#!/bin/dash\n', mode: 0o755 },
    'usr/bin/passwd': { content: 'setuid\n', mode: 0o755 },
    'usr/bin/perl': { content: 'perl\n', mode: 0o755 },
    'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
    'etc/shadow': { content: 'root:*::0:99999:7:::\n', mode: 0o640 },
    'etc/debian_version': '12.7\n',
    'var/mail/.keep': '',
    'tmp/.keep': '',
    'root/.bashrc': { content: '# ~/.bashrc\n', mode: 0o644 },
  });
  for (const [dir, mode] of [
    ['dev', 0o755],
    ['dev/pts', 0o755],
    ['dev/shm', 0o1777],
    ['run', 0o755],
  ] as const) {
    mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, dir), mode);
  }
  chmodSync(join(root, 'tmp'), 0o1777);
  chmodSync(join(root, 'root'), 0o700);
  chmodSync(join(root, 'usr/bin/passwd'), 0o4755);
  lchownSync(join(root, 'etc/shadow'), 0, 42);
  chmodSync(join(root, 'var/mail'), 0o2775);
  lchownSync(join(root, 'var/mail'), 0, 8);
  linkSync(join(root, 'usr/bin/perl'), join(root, 'usr/bin/perl5.36.0'));
  for (const [link, target] of [
    ['bin', 'usr/bin'],
    ['dev/fd', '/proc/self/fd'],
    ['dev/stdin', '/proc/self/fd/0'],
    ['dev/core', '/proc/kcore'],
  ] as const) {
    symlinkSync(target, join(root, link));
  }
  for (const [path, type, major, minor, mode, gid] of SPECIALS) {
    const full = join(root, path);
    mknod(full, type, major, minor);
    chmodSync(full, mode);
    lchownSync(full, 0, gid);
  }
  // Every mtime fixed, children before their directories (find -depth), symlinks themselves.
  const paths = spawnSync('find', [root, '-depth'], { encoding: 'utf8' }).stdout.trim().split('\n');
  for (const path of paths) lutimesSync(path, MTIME, MTIME);
}

/** Every entry's facts (type, mode, owner, device numbers, content, link target, hardlink) and mtime, root excluded. */
async function factsOf(root: string) {
  const facts = await walkTree(root);
  return facts.slice(1).map((fact) => {
    const mtime = lstatSync(join(root, fact.path)).mtimeMs;
    return { ...fact, mtime };
  });
}

beforeAll(() => {
  debianLikeRootfs(join(work.path, 'debian'));
  image = `oci:${join(work.path, 'images')}:bookworm`;
  ok(['import', '--platform', 'linux/amd64', 'debian', image], { cwd: work.path });
});

describe('as root with no flags', () => {
  it('unpack recreates every device node and FIFO: the rootfs round-trips exactly, without a warning', async () => {
    const run = layerkit(['unpack', image, 'unpacked'], { cwd: work.path });
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const unpacked = join(work.path, 'unpacked');
    const facts = await factsOf(unpacked);
    expect(facts).toEqual(await factsOf(join(work.path, 'debian')));
    expect(facts.find((fact) => fact.path === '/dev/null')).toMatchObject({
      type: 'char',
      rdev: '1,3',
      mode: 0o666,
    });
    expect(facts.find((fact) => fact.path === '/dev/loop0')).toMatchObject({
      type: 'block',
      rdev: '7,0',
      gid: 6,
    });
    expect(facts.find((fact) => fact.path === '/run/initctl')).toMatchObject({ type: 'fifo', mode: 0o600 });
    // No layer describes the root: 0755 as tar, umoci and Docker leave it (not the work dir's 0700).
    expect(lstatSync(unpacked).mode & 0o7777).toBe(0o755);
  });

  it('a copy of the unpacked tree (cp -a) diffs as nothing against the image: no D /dev/…', () => {
    ok(['unpack', image, 'to-copy'], { cwd: work.path });
    const copied = spawnSync('cp', ['-a', 'to-copy', 'copy'], { cwd: work.path, encoding: 'utf8' });
    expect(copied.stderr).toBe('');
    expect(ok(['diff', image, 'copy'], { cwd: work.path })).toBe('');
  });

  it('deleting an unpacked device is a deletion: diff says D and commit writes its whiteout', () => {
    ok(['unpack', image, 'edited'], { cwd: work.path });
    rmSync(join(work.path, 'edited/dev/null'));
    expect(ok(['diff', image, 'edited'], { cwd: work.path })).toBe('C /dev\nD /dev/null\n');
    const dest = `oci:${join(work.path, 'images')}:no-null`;
    ok(['commit', image, 'edited', dest], { cwd: work.path });
    expect(layerNames(dest)).toEqual(['dev/', 'dev/.wh.null']);
  });

  it('--no-devices skips them with one warning; a commit of that directory keeps them in the image', () => {
    const run = layerkit(['unpack', '--no-devices', image, 'skipped'], { cwd: work.path });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      'layerkit: warning: skipped 10 entries: device nodes and FIFOs are not created (devices: false): ' +
        '/dev/console, /dev/full, /dev/loop0, /dev/null, /dev/ptmx, … (5 more)\n',
    );
    expect(spawnSync('ls', [join(work.path, 'skipped/dev')], { encoding: 'utf8' }).stdout).toBe(
      'core\nfd\npts\nshm\nstdin\n',
    );
    expect(ok(['diff', image, 'skipped'], { cwd: work.path })).toBe('');
    const dest = `oci:${join(work.path, 'images')}:skipped`;
    ok(['commit', image, 'skipped', dest], { cwd: work.path });
    // Nothing changed: no layer at all, so /dev/null and the others stay in the image.
    expect(readImage(join(work.path, 'images'), 'skipped').manifest.layers).toEqual(
      readImage(join(work.path, 'images'), 'bookworm').manifest.layers,
    );
  });

  it('--devices and --no-devices exclude each other', () => {
    const run = layerkit(['unpack', '--devices', '--no-devices', image, 'both'], { cwd: work.path });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--devices and --no-devices exclude each other');
  });
});

/** `layerkit ARGS…` in the scratch dir under `setpriv SETPRIV…` (another user, fewer capabilities). */
function layerkitUnder(setpriv: readonly string[], args: readonly string[]) {
  const result = spawnSync('setpriv', [...setpriv, process.execPath, BIN, ...args], {
    cwd: work.path,
    env: environment({}),
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

/** The one warning of an unpack that may not make device nodes: the count and the first paths. */
const NOT_PERMITTED_WARNING =
  'layerkit: warning: skipped 9 entries: device node not created: not permitted (needs root with CAP_MKNOD): ' +
  '/dev/console, /dev/full, /dev/loop0, /dev/null, /dev/ptmx, … (4 more)\n';

describe('as a user who is not root', () => {
  it('unpack skips the device nodes with ONE warning (no mknod tried) and still makes the FIFO', () => {
    // nobody reads the layout and writes into its own directory of the scratch dir.
    spawnSync('chmod', ['-R', 'a+rX', work.path]);
    mkdirSync(join(work.path, 'nobody'));
    chmodSync(join(work.path, 'nobody'), 0o777);
    const nobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];
    expect(layerkitUnder(nobody, ['unpack', image, 'nobody/rootfs'])).toEqual({
      status: 0,
      stderr: NOT_PERMITTED_WARNING,
    });
    const rootfs = join(work.path, 'nobody/rootfs');
    expect(lstatSync(join(rootfs, 'run/initctl')).isFIFO()).toBe(true);
    expect(lstatSync(rootfs).mode & 0o7777).toBe(0o755);
  });
});

describe('as root without CAP_MKNOD (a user namespace, a container dropping it)', () => {
  /** CAP_MKNOD out of the bounding set: mknod of a device fails with EPERM, as in a user namespace. */
  const withoutMknod = ['--bounding-set', '-mknod'];

  it('unpack skips the device nodes with ONE warning, still makes the FIFO, and a commit keeps the devices', () => {
    expect(layerkitUnder(withoutMknod, ['unpack', image, 'rootless'])).toEqual({
      status: 0,
      stderr: NOT_PERMITTED_WARNING,
    });
    const rootless = join(work.path, 'rootless');
    expect(lstatSync(join(rootless, 'run/initctl')).isFIFO()).toBe(true);
    expect(() => lstatSync(join(rootless, 'dev/null'))).toThrow(/ENOENT/);
    // The commit diffs against what the unpack created: the skipped devices are no deletion.
    const dest = `oci:${join(work.path, 'images')}:rootless`;
    expect(layerkitUnder(withoutMknod, ['commit', image, 'rootless', dest]).status).toBe(0);
    expect(readImage(join(work.path, 'images'), 'rootless').manifest.layers).toEqual(
      readImage(join(work.path, 'images'), 'bookworm').manifest.layers,
    );
  });
});

/** The entry names of the top layer of `ref` (`tar -t`). */
function layerNames(ref: string): string[] {
  const [, layout, tag] = /^oci:(.*):([^:]+)$/.exec(ref)!;
  const top = readImage(layout!, tag!).manifest.layers.at(-1)!;
  const blob = join(layout!, 'blobs', ...top.digest.split(':'));
  const listed = spawnSync('tar', ['-tzf', blob], { cwd: REPO, encoding: 'utf8' });
  return listed.stdout.trim().split('\n');
}
