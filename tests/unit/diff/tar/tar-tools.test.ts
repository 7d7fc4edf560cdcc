/**
 * Interop with the real tools: GNU tar and bsdtar list and extract our layers; our reader reads
 * theirs (GNU long names and base-256 ids, POSIX/PAX with xattrs, bsdtar).
 */
import { spawnSync } from 'node:child_process';
import {
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  type LayerEntry,
  layerEntriesFromTar,
  pathFromBytes,
  pathToUtf8,
  readTar,
  writeLayerTar,
} from '@layerkit/diff';
import { afterAll, describe, expect, it } from 'vitest';
import { asBytePath } from '../../../../packages/diff/src/path.js';
import { CAPABILITY, fixtureEntries, nonUtf8Entry } from '../../../fixtures/fixture-layer.js';
import { scratchDir } from '../../../fixtures/scratch.js';
import { chunked, collect } from '../../../fixtures/tar-helpers.js';

// Made while the file is collected: the second describe block writes its sources at that time.
const scratch = scratchDir('tar');
afterAll(() => scratch.remove());
const work = scratch.path;

function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'latin1', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function getfattr(path: string): Map<string, string> {
  const result = run('getfattr', ['--absolute-names', '-d', '-m', '-', '-e', 'hex', path]);
  expect(result.status).toBe(0);
  const attributes = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^([^#=][^=]*)=0x([0-9a-f]+)$/.exec(line);
    if (match) attributes.set(match[1]!, match[2]!);
  }
  return attributes;
}

async function writeTarFile(name: string, entries: LayerEntry[]): Promise<string> {
  const file = join(work, name);
  writeFileSync(file, await collect(writeLayerTar(entries)));
  return file;
}

describe('our layers in GNU tar and bsdtar', () => {
  it('are listed by tar -tvf and bsdtar -tvf without warnings', async () => {
    const file = await writeTarFile('fixture.tar', fixtureEntries());
    for (const [tool, args] of [
      ['tar', ['-tvf', file]],
      ['bsdtar', ['-tvf', file]],
    ] as const) {
      const result = run(tool, [...args]);
      expect({ tool, status: result.status, stderr: result.stderr }).toEqual({ tool, status: 0, stderr: '' });
      expect(result.stdout.trim().split('\n')).toHaveLength(16);
    }
  });

  it('keep non-UTF-8 names as raw bytes for GNU tar (bsdtar warns about them, as for Go-written layers)', async () => {
    const file = await writeTarFile('non-utf8.tar', [nonUtf8Entry()]);
    const gnu = run('tar', ['-tf', file]);
    expect(gnu).toMatchObject({ status: 0, stderr: '' });
    expect(gnu.stdout).toBe('n\\377\\376\n');
    expect(run('bsdtar', ['-tf', file]).stderr).toMatch(/can't be converted from UTF-8/);
  });

  it('extract with GNU tar to the same modes, ids, devices, links and binary xattrs', async () => {
    const entries = fixtureEntries().filter((e) => e.kind !== 'entry' || e.entry.path !== 'old-file');
    const file = await writeTarFile('extract.tar', entries);
    const root = join(work, 'extracted');
    mkdirSync(root);
    const result = run('tar', [
      '--xattrs',
      '--xattrs-include=*',
      '--numeric-owner',
      '-xpf',
      file,
      '-C',
      root,
    ]);
    expect(result).toMatchObject({ status: 0, stderr: '' });

    const ping = lstatSync(join(root, 'usr/bin/ping'));
    expect([ping.mode & 0o7777, ping.uid, ping.gid, ping.size]).toEqual([0o4755, 2 ** 31, 2 ** 31 + 1, 1000]);
    expect(ping.mtimeMs).toBe(1_700_000_000_000);
    const xattrs = getfattr(join(root, 'usr/bin/ping'));
    expect(xattrs.get('security.capability')).toBe(Buffer.from(CAPABILITY).toString('hex'));
    expect(xattrs.get('user.note')).toBe('00ff3d0a20');

    const sticky = lstatSync(join(root, 'sticky'));
    expect([sticky.isDirectory(), sticky.mode & 0o7777, sticky.uid]).toEqual([true, 0o1777, 65534]);
    const hosts = lstatSync(join(root, 'etc/hosts'));
    expect(lstatSync(join(root, 'etc/hosts-hard')).ino).toBe(hosts.ino);
    expect(readlinkSync(join(root, 'etc/hosts-link'))).toBe('hosts');
    expect(readlinkSync(join(root, 'long-link'))).toBe('t'.repeat(150));
    const nullDevice = lstatSync(join(root, 'etc/null'));
    expect([nullDevice.isCharacterDevice(), nullDevice.rdev]).toEqual([true, (1 << 8) | 3]);
    expect(lstatSync(join(root, 'etc/loop0')).isBlockDevice()).toBe(true);
    expect(lstatSync(join(root, 'etc/fifo')).isFIFO()).toBe(true);
    const whiteout = lstatSync(join(root, 'etc/.wh.old'));
    expect([whiteout.isFile(), whiteout.size, whiteout.mode & 0o7777, whiteout.mtimeMs]).toEqual([
      true,
      0,
      0,
      0,
    ]);
    expect(lstatSync(join(root, `${'d'.repeat(120)}/${'f'.repeat(90)}`)).size).toBe(5);
    expect(lstatSync(join(root, 'héllo/wörld')).size).toBe(10);
  });
});

describe('readTar on archives made by GNU tar and bsdtar', () => {
  const source = join(work, 'source');
  const longDir = 'l'.repeat(150);
  const longFile = 'n'.repeat(120);
  mkdirSync(join(source, longDir), { recursive: true });
  writeFileSync(join(source, longDir, longFile), 'long name content');
  writeFileSync(join(source, 'small'), 'x'.repeat(700));
  symlinkSync('t'.repeat(130), join(source, 'long-symlink'));
  linkSync(join(source, 'small'), join(source, 'hard'));
  const latin1Name = Buffer.from([0x62, 0xe9, 0x2e, 0x74, 0x78, 0x74]); // "bé.txt" in Latin-1: not UTF-8
  writeFileSync(Buffer.concat([Buffer.from(`${source}/`), latin1Name]), 'latin-1 name');
  spawnSync('setfattr', ['-n', 'user.demo', '-v', '0x00ff00', join(source, 'small')]);
  const expected = {
    [`${longDir}/${longFile}`]: { type: 'file', size: 17 },
    small: { type: 'file', size: 700 },
    'long-symlink': { type: 'symlink', linkTarget: 't'.repeat(130) },
    hard: { type: 'hardlink', linkTarget: 'small' },
    [pathFromBytes(latin1Name)]: { type: 'file', size: 12 },
    [longDir]: { type: 'dir' },
  };

  it.each([
    [
      'GNU tar --format=gnu (././@LongLink, base-256 ids)',
      'tar',
      ['--format=gnu', '--owner=big:3000000', '--group=big:3000000'],
    ],
    ['GNU tar --format=posix', 'tar', ['--format=posix', '--xattrs', '--xattrs-include=*']],
    ['bsdtar (pax restricted, xattrs)', 'bsdtar', ['--xattrs']],
  ])('reads %s', async (_label, tool, options) => {
    const file = join(work, `${tool}-${options[0]}.tar`);
    // Entries ordered by GNU tar's traversal; hardlink 'hard' before or after 'small' both work.
    const result = run(tool, [...options, '-cf', file, '-C', source, '.']);
    expect(result.status).toBe(0);
    const bytes = readFileSync(file);
    const seen = new Map<string, Record<string, unknown>>();
    for await (const item of layerEntriesFromTar(chunked(bytes, [333, 4096, 1]))) {
      if (item.kind !== 'entry') continue;
      const { path, type, size, linkTarget, uid, xattrs } = item.entry;
      const content = item.entry.content
        ? await collect(item.entry.content() as AsyncIterable<Uint8Array>)
        : undefined;
      if (content) expect(content.length).toBe(size);
      seen.set(path, {
        type,
        ...(type === 'file' ? { size } : {}),
        ...(linkTarget !== undefined ? { linkTarget } : {}),
        uid,
        xattrs,
      });
    }
    // The keys of `expected` are byte strings.
    for (const [path, facts] of Object.entries(expected)) {
      const hardlinkTwin = path === 'hard' || path === 'small';
      const actual = seen.get(path);
      expect(actual, pathToUtf8(asBytePath(path))).toBeDefined();
      if (!hardlinkTwin) expect(actual).toMatchObject(facts);
    }
    // One of the twins is the file, the other a hardlink to it.
    const twins = [seen.get('hard')!, seen.get('small')!].map((e) => e.type).sort();
    expect(twins).toEqual(['file', 'hardlink']);
    if (options.includes('--owner=big:3000000'))
      expect(seen.get('small')?.uid ?? seen.get('hard')?.uid).toBe(3000000);
    if (options.includes('--xattrs') || options.includes('--xattrs-include=*')) {
      const file = [seen.get('small')!, seen.get('hard')!].find((e) => e.type === 'file')!;
      expect((file.xattrs as Map<string, Uint8Array>).get('user.demo')).toEqual(new Uint8Array([0, 0xff, 0]));
    }
  });

  it('consumes trailing record padding and reports no root entry', async () => {
    const file = join(work, 'padded.tar');
    run('tar', ['-cf', file, '-C', source, 'small']);
    const bytes = readFileSync(file);
    expect(bytes.length).toBe(10240);
    let pulled = 0;
    async function* counting() {
      for await (const chunk of chunked(bytes, [1000])) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const names: string[] = [];
    for await (const { header } of readTar(counting())) names.push(header.name);
    expect(names).toEqual(['small']);
    expect(pulled).toBe(10240);
  });
});
