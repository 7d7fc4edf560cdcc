/**
 * Issue 16: `layerkit mount` / `umount` and a commit of a mounted image through real kernel
 * overlayfs (as root): the merged view equals `layerkit unpack`, a commit reads only the upperdir
 * and gives the layer a commit of an identically edited unpack gives, layers are extracted once
 * into the shared cache (also by concurrent mounts), a corrupt entry or a wrong DiffID is
 * detected, a user namespace mounts too, and umoci reads the result.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Digest } from '@layerkit/digest';
import { type CachedLayer, mountImage, unmountImage } from '@layerkit/image/node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cachedLayer } from '../../packages/image/src/node/ops/layer-cache.js';
import { useScratchDir } from '../fixtures/scratch.js';
import { BIN, layerkit, MTIME, ok, readImage, writeTree } from './cli.js';

const asRoot = process.getuid?.() === 0;

/** Unmounts every mount below `root` (a failed test must not leave one behind). */
function unmountBelow(root: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${root}/`));
  for (const point of points.reverse()) spawnSync('umount', ['-l', point]);
}

const work = useScratchDir('cli-mount-overlay', { beforeRemove: unmountBelow });
const cases = useScratchDir('cli-mount-overlay-case', { per: 'test', beforeRemove: unmountBelow });
afterEach(() => unmountBelow(cases.path));

/** The 4-layer image: a base, whiteouts of a file and a directory, a replaced directory, an opaque marker. */
let layout: string;
const image = () => `oci:${layout}:v3`;

/** `layerkit diff --mode content A B` output (empty when the trees are equal). */
function treeDiff(a: string, b: string): string {
  return ok(['diff', '--mode', 'content', a, b]);
}

/** Sets a fixed mtime on `paths` and their parent directories up to `root`. */
function fixMtimes(root: string, paths: readonly string[]): void {
  for (const path of paths) {
    for (let p = path; p !== '.' && p !== ''; p = dirname(p)) {
      if (existsSync(join(root, p))) utimesSync(join(root, p), MTIME + 7, MTIME + 7);
    }
  }
}

/** The edits of the commit tests: add, modify, delete a lower file, replace a lower directory. */
function edit(root: string): void {
  writeFileSync(join(root, 'etc/added.conf'), 'added\n');
  writeFileSync(join(root, 'etc/hostname'), 'edited\n');
  rmSync(join(root, 'usr/bin/tool'));
  rmSync(join(root, 'usr/share/doc'), { recursive: true });
  mkdirSync(join(root, 'usr/share/doc'));
  writeFileSync(join(root, 'usr/share/doc/NEW'), 'new doc\n');
  fixMtimes(root, ['etc/added.conf', 'etc/hostname', 'usr/bin/x', 'usr/share/doc/NEW']);
}

beforeAll(() => {
  const root = join(work.path, 'tree');
  writeTree(root, {
    'etc/hostname': 'base\n',
    'etc/gone.conf': 'to delete\n',
    'usr/bin/tool': { content: '#!/bin/sh\n', mode: 0o755 },
    'usr/bin/keep': { content: '#!/bin/sh\n', mode: 0o755 },
    'usr/share/doc/a/README': 'a\n',
    'usr/share/doc/b/README': 'b\n',
    'var/cache/old/x': 'x\n',
    'opt/app/old': 'old\n',
  });
  layout = join(work.path, 'layout');
  ok(['import', root, `oci:${layout}:base`]);
  // Layer 2: explicit whiteouts of a file and of a directory, a file added.
  const u1 = join(work.path, 'u1');
  ok(['unpack', `oci:${layout}:base`, u1]);
  rmSync(join(u1, 'etc/gone.conf'));
  rmSync(join(u1, 'var/cache/old'), { recursive: true });
  writeTree(join(u1, 'srv'), { 'data.txt': 'data\n' });
  ok(['commit', `oci:${layout}:base`, u1, `oci:${layout}:v1`]);
  // Layer 3: a directory replaced by a file and a file replaced by a directory.
  const u2 = join(work.path, 'u2');
  ok(['unpack', `oci:${layout}:v1`, u2]);
  rmSync(join(u2, 'srv'), { recursive: true });
  writeFileSync(join(u2, 'srv'), 'now a file\n');
  rmSync(join(u2, 'etc/hostname'));
  writeTree(join(u2, 'etc/hostname'), { inner: 'dir\n' });
  ok(['commit', `oci:${layout}:v1`, u2, `oci:${layout}:v2`]);
  // Layer 4 (a tar made by hand): an opaque marker hiding opt/app's lower files, and a new one.
  const t = join(work.path, 't');
  writeTree(t, { 'opt/app/.wh..wh..opq': '', 'opt/app/new': 'new\n', 'etc/hostname': 'base again\n' });
  const tar = join(work.path, 'opaque.tar');
  const made = spawnSync('tar', ['-C', t, '--sort=name', '-cf', tar, 'opt', 'etc'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  ok(['append', `oci:${layout}:v2`, tar, `oci:${layout}:v3`]);
});

describe.runIf(asRoot)('layerkit mount (kernel overlayfs, as root)', () => {
  it('shows what unpack writes, and umount removes the mount and its state', () => {
    const cache = join(cases.path, 'cache');
    const mounted = join(cases.path, 'm');
    const unpacked = join(cases.path, 'u');
    ok(['mount', '--cache', cache, image(), mounted]);
    ok(['unpack', image(), unpacked]);
    expect(readFileSync(join(mounted, 'opt/app/new'), 'utf8')).toBe('new\n');
    expect(existsSync(join(mounted, 'opt/app/old'))).toBe(false);
    expect(existsSync(join(mounted, 'var/cache/old'))).toBe(false);
    expect(existsSync(join(mounted, 'etc/gone.conf'))).toBe(false);
    expect(treeDiff(unpacked, mounted)).toBe('');
    // Each layer is one cache entry, the last two with overlay markers.
    expect(readdirSync(join(cache, 'layers/sha256'))).toHaveLength(4);
    ok(['umount', mounted]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(mounted);
    expect(readdirSync(mounted)).toEqual([]);
    expect(existsSync(join(cases.path, '.m.layerkit-mount'))).toBe(false);
  });

  it('commits the upperdir alone: the same layer as a commit of an identically edited unpack', () => {
    const cache = join(cases.path, 'cache');
    const mounted = join(cases.path, 'm');
    const unpacked = join(cases.path, 'u');
    ok(['mount', '--cache', cache, image(), mounted]);
    ok(['unpack', image(), unpacked]);
    edit(mounted);
    edit(unpacked);
    ok(['commit', image(), mounted, `oci:${layout}:from-mount`]);
    ok(['commit', image(), unpacked, `oci:${layout}:from-unpack`]);
    const fromMount = readImage(layout, 'from-mount');
    const fromUnpack = readImage(layout, 'from-unpack');
    expect(fromMount.manifest.layers).toHaveLength(5);
    // The same changes: unpacked, the two images are the same tree.
    const a = join(cases.path, 'a');
    const b = join(cases.path, 'b');
    ok(['unpack', `oci:${layout}:from-mount`, a]);
    ok(['unpack', `oci:${layout}:from-unpack`, b]);
    expect(treeDiff(a, b)).toBe('');
    expect(treeDiff(mounted, a)).toBe('');
    // The replaced directory is an opaque marker in the upperdir's layer, explicit whiteouts in
    // the walked one; everything else is the same entries.
    const entries = (tag: string) => {
      const digest = readImage(layout, tag).manifest.layers[4]!.digest;
      const blob = join(layout, 'blobs/sha256', digest.slice('sha256:'.length));
      return spawnSync('tar', ['-tzf', blob], { encoding: 'utf8' }).stdout;
    };
    expect(entries('from-mount')).toContain('usr/share/doc/.wh..wh..opq');
    expect(entries('from-unpack')).toContain('usr/share/doc/.wh.a');
    expect(fromMount.config.rootfs.diff_ids.slice(0, 4)).toEqual(
      fromUnpack.config.rootfs.diff_ids.slice(0, 4),
    );
    ok(['umount', mounted]);
  });

  it('gives the same layer digest as the unpack commit when no directory is replaced', () => {
    const mounted = join(cases.path, 'm');
    const unpacked = join(cases.path, 'u');
    ok(['mount', '--cache', join(cases.path, 'cache'), image(), mounted]);
    ok(['unpack', image(), unpacked]);
    for (const root of [mounted, unpacked]) {
      writeFileSync(join(root, 'etc/added.conf'), 'added\n');
      writeFileSync(join(root, 'usr/bin/keep'), 'modified\n');
      rmSync(join(root, 'usr/bin/tool'));
      rmSync(join(root, 'usr/share/doc/a'), { recursive: true });
      fixMtimes(root, ['etc/added.conf', 'usr/bin/keep', 'usr/share/doc/a']);
    }
    const commit = (rootfs: string, tag: string) => ok(['commit', image(), rootfs, `oci:${layout}:${tag}`]);
    commit(mounted, 'same-mount');
    commit(unpacked, 'same-unpack');
    const digests = (tag: string) => readImage(layout, tag).manifest.layers.map((layer) => layer.digest);
    expect(digests('same-mount')).toEqual(digests('same-unpack'));
    ok(['umount', mounted]);
  });

  it('reuses cached layers: a second mount extracts nothing, concurrent mounts share one cache', async () => {
    const cache = join(cases.path, 'cache');
    const events: CachedLayer[][] = [[], []];
    const first = [join(cases.path, 'p'), join(cases.path, 'q')];
    await Promise.all(
      first.map((dir, i) => mountImage(image(), dir, { cache, onLayer: (layer) => events[i]!.push(layer) })),
    );
    for (const dir of first) expect(treeDiff(first[0]!, dir)).toBe('');
    expect(readdirSync(join(cache, 'layers/sha256')).sort()).toHaveLength(4); // no temporaries left
    const again: CachedLayer[] = [];
    await mountImage(image(), join(cases.path, 'r'), { cache, onLayer: (layer) => again.push(layer) });
    expect(again.map((layer) => layer.extracted)).toEqual([false, false, false, false]);
    for (const dir of [...first, join(cases.path, 'r')]) await unmountImage(dir);
  });

  it('detects a corrupt cache entry and a blob that does not match its DiffID', async () => {
    const cache = join(cases.path, 'cache');
    const mounted = join(cases.path, 'm');
    ok(['mount', '--cache', cache, image(), mounted]);
    ok(['umount', mounted]);
    const entry = join(cache, 'layers/sha256', readdirSync(join(cache, 'layers/sha256'))[0]!);
    writeFileSync(join(entry, 'layer.json'), '{"diffID":"sha256:0000"}\n');
    const failed = layerkit(['mount', '--cache', cache, image(), mounted]);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain(`layer cache entry ${entry}`);
    expect(existsSync(join(cases.path, '.m.layerkit-mount'))).toBe(false);
    const wrong = `sha256:${'1'.repeat(64)}` as Digest;
    const tar = readFileSync(join(work.path, 'opaque.tar'));
    const blob = async function* () {
      yield tar;
    };
    await expect(cachedLayer(join(cases.path, 'cache2'), wrong, blob)).rejects.toMatchObject({
      code: 'DIFFID_MISMATCH',
    });
    expect(readdirSync(join(cases.path, 'cache2/layers/sha256'))).toEqual([]);
  });

  it('mounts in a user namespace (unshare -Urm), and a commit outside it finds the mount gone', () => {
    const mounted = join(cases.path, 'm');
    const env = { ...process.env, LAYERKIT_CACHE: join(cases.path, 'cache') };
    const script = `node ${BIN} mount ${image()} ${mounted} && echo userns > ${mounted}/etc/added && node ${BIN} commit ${image()} ${mounted} oci:${layout}:userns`;
    const run = spawnSync('unshare', ['-Urm', 'sh', '-c', script], { encoding: 'utf8', env });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(join(cases.path, 'cache/layers-userns/sha256'))).toHaveLength(4);
    const u = join(cases.path, 'u');
    ok(['unpack', `oci:${layout}:userns`, u]);
    expect(readFileSync(join(u, 'etc/added'), 'utf8')).toBe('userns\n');
    // The mount died with its namespace: the record stays, and a commit refuses to diff the empty dir.
    const commit = layerkit(['commit', image(), mounted, `oci:${layout}:gone`]);
    expect(commit.stderr).toContain('no overlay is mounted there');
    ok(['umount', mounted]);
  });

  it.runIf(spawnSync('umoci', ['--version']).status === 0)('writes an image umoci unpacks', () => {
    const mounted = join(cases.path, 'm');
    ok(['mount', '--cache', join(cases.path, 'cache'), image(), mounted]);
    edit(mounted);
    ok(['commit', image(), mounted, `oci:${layout}:for-umoci`]);
    ok(['umount', mounted]);
    const bundle = join(cases.path, 'bundle');
    const run = spawnSync('umoci', ['unpack', '--image', `${layout}:for-umoci`, bundle], {
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(readFileSync(join(bundle, 'rootfs/usr/share/doc/NEW'), 'utf8')).toBe('new doc\n');
    expect(existsSync(join(bundle, 'rootfs/usr/share/doc/b'))).toBe(false);
    expect(existsSync(join(bundle, 'rootfs/usr/bin/tool'))).toBe(false);
  });
});
