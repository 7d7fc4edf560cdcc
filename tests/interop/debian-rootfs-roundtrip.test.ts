/**
 * Issue 15, on a real Debian root filesystem: `debootstrap --variant=minbase bookworm` (its /dev
 * holds null, zero, console, ptmx … as device nodes) goes through `layerkit import` and then
 * `layerkit unpack` as root with no flags, and every entry comes back exactly — type, mode,
 * owner, device numbers, content, link target, hardlinks, xattrs and mtime to the second (the
 * precision Docker's layers keep). A `cp -a` of the result diffs as nothing against the image.
 *
 * debootstrap fetches from Debian's mirror once per machine into a cache directory
 * (`LAYERKIT_DEBIAN_ROOTFS_CACHE`, default /var/cache/layerkit-tests); a missing debootstrap or an
 * unreachable mirror fails the test, never skips it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerkit, ok } from '../cli/cli.js';
import { useScratchDir } from '../fixtures/scratch.js';
import { walkTree } from './clients/tree.js';

const CACHE = process.env.LAYERKIT_DEBIAN_ROOTFS_CACHE ?? '/var/cache/layerkit-tests';
const ROOTFS = join(CACHE, 'debian-bookworm-minbase');
const MIRROR = 'http://deb.debian.org/debian';

const work = useScratchDir('interop-debian-rootfs');
let image: string;

/** The minbase rootfs, built once per machine (built beside, then renamed: never half there). */
function debianRootfs(): string {
  if (existsSync(ROOTFS)) return ROOTFS;
  const building = `${ROOTFS}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  const run = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', building, MIRROR], {
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(`debootstrap failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr}`);
  }
  renameSync(building, ROOTFS);
  return ROOTFS;
}

/** Every entry's facts with its mtime in whole seconds; the root itself is left out. */
async function factsOf(root: string) {
  const facts = await walkTree(root);
  return facts.slice(1).map((fact) => ({
    ...fact,
    mtime: Math.floor(lstatSync(join(root, fact.path)).mtimeMs / 1000),
  }));
}

beforeAll(() => {
  const rootfs = debianRootfs();
  image = `oci:${join(work.path, 'images')}:bookworm`;
  ok(['import', '--platform', 'linux/amd64', rootfs, image]);
}, 600_000);

describe('a debootstrap Debian rootfs through import and unpack, as root with no flags', () => {
  it('comes back exactly, device nodes included, with no warning', async () => {
    const unpacked = join(work.path, 'unpacked');
    expect(layerkit(['unpack', image, unpacked])).toMatchObject({ status: 0, stderr: '' });
    const facts = await factsOf(unpacked);
    const original = await factsOf(ROOTFS);
    expect(facts.length).toBeGreaterThan(5_000);
    expect(facts).toEqual(original);
    expect(facts.find((fact) => fact.path === '/dev/null')).toMatchObject({ type: 'char', rdev: '1,3' });
    expect(facts.find((fact) => fact.path === '/dev/console')).toMatchObject({ type: 'char', rdev: '5,1' });
  }, 300_000);

  it('a cp -a copy of the unpacked tree diffs as nothing against the image', () => {
    const unpacked = join(work.path, 'to-copy');
    ok(['unpack', image, unpacked]);
    const copy = join(work.path, 'copy');
    const copied = spawnSync('cp', ['-a', unpacked, copy], { encoding: 'utf8' });
    expect(copied.stderr).toBe('');
    expect(ok(['diff', image, copy])).toBe('');
  }, 300_000);
});
