/**
 * Issue 15: what the file system refuses reaches the user as one line that names the path and
 * says what happened in words — a full disk (ENOSPC), a read-only mount (EROFS, not the
 * `ENOENT … mkdir` Node's recursive mkdir reports), a directory where a file goes (EISDIR), a
 * directory procfs will not create (on which Node's recursive mkdir spins forever) — and leaves
 * no temporary file behind. The small and read-only file systems are real tmpfs mounts (root, as
 * CI runs).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { mountTmpfs, unmountAll } from '../fixtures/tmpfs.js';
import { buildCli, bytesOf, failsWith, ok, writeTree } from './cli.js';

/** A spin ends at the run's own timeout (cli.ts, 120 s) and fails the test; this leaves room for it. */
const HANG_TIMEOUT = 150_000;

const work = useScratchDir('cli-file-system-errors', { beforeRemove: unmountAll });
let layout: string;
let image: string;

beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  image = `oci:${layout}:base`;
  writeTree(join(work.path, 'rootfs'), { 'etc/hostname': 'base\n' });
  // 256 KiB of incompressible bytes: more than the 64 KiB file system below holds.
  writeTree(join(work.path, 'big'), { 'data.bin': bytesOf(3, 256 * 1024) });
  ok(['import', 'rootfs', image], { cwd: work.path });
});

/** {@link failsWith} in the scratch directory. */
function fails(args: string[], message: string | RegExp): void {
  failsWith(args, message, { cwd: work.path });
}

describe('a full file system (ENOSPC)', () => {
  it('import into a layout: NO_SPACE naming the file, no temporary and no layout left', () => {
    const full = mountTmpfs(join(work.path, 'full-layout'));
    fails(
      ['import', 'big', `oci:${full}/img:x`],
      /\S+\/full-layout\/img\/blobs\/blob\.tmp-\S+: no space left on device while writing/,
    );
    expect(readdirSync(full)).toEqual([]);
  });

  it('import into an oci-archive: the same, and no partial archive', () => {
    const full = mountTmpfs(join(work.path, 'full-archive'));
    fails(
      ['import', 'big', `oci-archive:${full}/img.tar`],
      /\S+\/full-archive\/img\.tar\.tmp-\S+: no space left on device while writing/,
    );
    expect(readdirSync(full)).toEqual([]);
  });
});

describe('a read-only file system (EROFS)', () => {
  it('import into a new layout says read-only file system, not ENOENT', () => {
    const readOnly = mountTmpfs(join(work.path, 'ro-import'), { readOnly: true });
    fails(
      ['import', 'rootfs', `oci:${readOnly}/img:x`],
      `${readOnly}/img: read-only file system while creating a directory`,
    );
  });

  it('tag into an existing layout on a read-only mount names the lock it could not take', () => {
    const copy = join(work.path, 'ro-layout');
    cpSync(layout, copy, { recursive: true });
    execFileSync('mount', ['--bind', copy, copy]);
    execFileSync('mount', ['-o', 'remount,bind,ro', copy]);
    const index = readFileSync(join(copy, 'index.json'));
    fails(
      ['tag', `oci:${copy}:base`, `oci:${copy}:v2`],
      `${copy}/index.json.lock: read-only file system while taking the layout lock`,
    );
    expect(readFileSync(join(copy, 'index.json'))).toEqual(index);
  });

  it('unpack beside a read-only directory names it', () => {
    const readOnly = mountTmpfs(join(work.path, 'ro-unpack'), { readOnly: true });
    fails(
      ['unpack', image, `${readOnly}/rootfs`],
      `${readOnly}: read-only file system while creating the work directory for ${readOnly}/rootfs`,
    );
  });
});

describe('a directory where a file goes (EISDIR)', () => {
  it.each<[string, (dir: string) => string[]]>([
    ['layer -o DIR', (dir) => ['layer', '-o', dir, 'rootfs', 'big']],
    ['copy to oci-archive:DIR', (dir) => ['copy', image, `oci-archive:${dir}`]],
    ['copy to docker-archive:DIR', (dir) => ['copy', image, `docker-archive:${dir}`]],
  ])('%s: "is a directory", and no temporary left', (name, args) => {
    const dir = join(work.path, `eisdir-${name.split(' ')[0]}-${name.length}`);
    mkdirSync(dir);
    fails(args(dir), `${dir}: is a directory, not a file`);
    expect(readdirSync(work.path).filter((entry) => entry.includes('.tmp-'))).toEqual([]);
  });
});

describe('a directory procfs will not create', () => {
  it.each([
    ['import', ['import', 'rootfs', 'oci:/proc/x']],
    ['commit', ['commit', 'oci:images:base', 'rootfs', 'oci:/proc/x']],
  ])(
    '%s into oci:/proc/x ends with a clear error',
    (_command, args) => {
      fails(args, '/proc/x: cannot be created (the file system refuses a directory there)');
    },
    HANG_TIMEOUT,
  );
});
