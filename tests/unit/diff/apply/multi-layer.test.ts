/**
 * Layer stacks with the interactions that go wrong in appliers: each stack is applied on disk
 * and read as a merged view; both must show the expected tree, and must agree with each other.
 */
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyStack, describeDisk, describeMerged } from '../../../fixtures/layer-stack.js';
import { type RawEntry, rawTar } from '../../../fixtures/raw-tar.js';
import { testScratchDir } from '../../../fixtures/scratch.js';

const file = (name: string, text = `${name}\n`, extra: Partial<RawEntry> = {}): RawEntry => ({
  name,
  body: text,
  ...extra,
});
const dir = (name: string, extra: Partial<RawEntry> = {}): RawEntry => ({ name, type: '5', ...extra });
const whiteout = (name: string): RawEntry => ({ name, body: '', mode: 0, mtime: 0 });

interface Stack {
  name: string;
  layers: RawEntry[][];
  /** Expected paths (sorted) of the final tree. */
  paths: string[];
  check?: (root: string) => void;
}

const STACKS: Stack[] = [
  {
    name: 'whiteout of a file from two layers down',
    layers: [
      [dir('etc/'), file('etc/passwd'), file('etc/group')],
      [file('etc/hosts')],
      [whiteout('etc/.wh.passwd')],
    ],
    paths: ['etc', 'etc/group', 'etc/hosts'],
  },
  {
    name: 'opaque directory with new children in the same layer',
    layers: [
      [dir('app/'), file('app/old'), dir('app/sub/'), file('app/sub/deep')],
      [dir('app/'), whiteout('app/.wh..wh..opq'), file('app/new'), dir('app/sub/'), file('app/sub/fresh')],
    ],
    paths: ['app', 'app/new', 'app/sub', 'app/sub/fresh'],
  },
  {
    name: 'opaque marker written after the new children still applies first',
    layers: [[file('app/old')], [file('app/new'), whiteout('app/.wh..wh..opq')]],
    paths: ['app', 'app/new'],
  },
  {
    name: 'directory replaced by a symlink, and back',
    layers: [
      [dir('d/'), file('d/x')],
      [whiteout('.wh.d'), { name: 'd', type: '2', linkName: 'elsewhere' }],
      [whiteout('.wh.d'), dir('d/', { mode: 0o700 }), file('d/y')],
    ],
    paths: ['d', 'd/y'],
    check: (root) => expect(lstatSync(join(root, 'd')).mode & 0o777).toBe(0o700),
  },
  {
    name: 'directory replaced by a symlink without a whiteout (unlink first)',
    layers: [[dir('d/'), file('d/x')], [{ name: 'd', type: '2', linkName: '/target' }]],
    paths: ['d'],
    check: (root) => expect(readlinkSync(join(root, 'd'))).toBe('/target'),
  },
  {
    name: 'hardlink to a file from a lower layer',
    layers: [
      [file('bin/tool', 'v1', { mode: 0o755 })],
      [{ name: 'bin/alias', type: '1', linkName: 'bin/tool', mode: 0o755 }],
    ],
    paths: ['bin', 'bin/alias', 'bin/tool'],
    check: (root) =>
      expect(lstatSync(join(root, 'bin/alias')).ino).toBe(lstatSync(join(root, 'bin/tool')).ino),
  },
  {
    name: 'delete and recreate in one layer',
    layers: [
      [dir('x/'), file('x/old')],
      [whiteout('.wh.x'), file('x', 'now a file\n')],
    ],
    paths: ['x'],
    check: (root) => expect(readFileSync(join(root, 'x'), 'utf8')).toBe('now a file\n'),
  },
  {
    name: 'whiteout of a hardlinked name keeps the other name',
    layers: [[file('a', 'shared'), { name: 'b', type: '1', linkName: 'a' }], [whiteout('.wh.a')]],
    paths: ['b'],
    check: (root) => expect(lstatSync(join(root, 'b')).nlink).toBe(1),
  },
  {
    name: 'entries below a lower-layer symlink land in its in-root target',
    layers: [[dir('real/'), { name: 'link', type: '2', linkName: '/real' }], [file('link/inside')]],
    paths: ['link', 'real', 'real/inside'],
  },
  {
    name: 'non-UTF-8 and long names with xattrs',
    layers: [
      [
        file('caf\xe9', 'latin1 name', { pax: { 'SCHILY.xattr.user.k': 'v' } }),
        file('n'.repeat(150), 'long', { pax: { path: 'n'.repeat(150) } }),
      ],
    ],
    paths: ['caf\xe9', 'n'.repeat(150)],
  },
];

describe('layer stacks on disk and in the merged view', () => {
  test.each(STACKS.map((s) => [s.name, s] as const))('%s', async (_, stack) => {
    const root = testScratchDir('stack');
    const layers = stack.layers.map((entries) => rawTar(entries));
    await applyStack(root, layers);
    const disk = await describeDisk(root);
    expect([...disk.keys()].sort()).toEqual([...stack.paths].sort());
    stack.check?.(root);
    expect(await describeMerged(layers)).toEqual(disk);
  });
});
