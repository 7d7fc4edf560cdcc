import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BytePath, TreeEntry } from '@layerkit/diff';
import { comparePaths, diffTrees, SnapshotEncoder, snapshotLookup } from '@layerkit/diff';
import { directoryTree, readSnapshot, recordSnapshot } from '@layerkit/diff/node';
import { describe, expect, it } from 'vitest';
import { waitForFsClockTick } from '../../../fixtures/fs-clock.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { countingReads, dockerDiff, layerOf, makeRootfs, sh } from '../disk-fixtures.js';

const root = useScratchDir('dirtree');

async function entriesOf(dir: string, xattrs: 'capability' | 'all' | 'none' = 'capability') {
  // Keyed by the byte-string paths as plain strings, so ASCII paths are looked up as written.
  const out = new Map<string, TreeEntry>();
  for await (const e of directoryTree(dir, { xattrs }).entries()) out.set(e.path, e);
  return out;
}

describe('directoryTree on a real rootfs', () => {
  it('reads every type with its metadata, as bytes, in the global order', async () => {
    const dir = join(root.path, 'types');
    mkdirSync(dir);
    makeRootfs(dir);
    sh(dir, 'setcap cap_net_raw+ep bin/ping; printf "caf\\351" | xargs -0 setcap cap_net_admin+ep');
    const entries = await entriesOf(dir);
    const paths: BytePath[] = [...entries.values()].map((e) => e.path);
    expect(paths).toEqual([...paths].sort(comparePaths));
    expect(paths).toContain('caf\xe9');
    const ping = entries.get('bin/ping')!;
    expect([ping.type, ping.mode, ping.size]).toEqual(['file', 0o4755, 4]);
    expect(ping.mtimeNs).toBe(BigInt(new Date(2024, 0, 2, 3, 4, 5).getTime()) * 1_000_000n);
    expect(ping.xattrs?.get('security.capability')?.length).toBe(20);
    expect(entries.get('caf\xe9')?.xattrs?.get('security.capability')?.length).toBe(20);
    expect(entries.get('caf\xe9')?.uid).toBe(1000);
    expect(entries.get('etc/abs')).toMatchObject({ type: 'symlink', linkTarget: '/etc/passwd', size: 0 });
    expect(entries.get('usr/rel')).toMatchObject({ type: 'symlink', linkTarget: '../etc/passwd' });
    expect(entries.get('var/run/null')).toMatchObject({ type: 'char', devMajor: 1, devMinor: 3 });
    expect(entries.get('var/run/fifo')?.type).toBe('fifo');
    expect(entries.get('var/run/sock')?.type).toBe('socket');
    const [a, b] = [entries.get('usr/lib/a')!, entries.get('usr/lib/b')!];
    expect(a.linkKey).toBeDefined();
    expect(a.linkKey).toBe(b.linkKey);
    expect(entries.get('usr/lib')?.linkKey).toBeUndefined();
    const chunks = [...(a.content!() as Iterable<Uint8Array>)].map((c) => Buffer.from(c).toString());
    expect(chunks.join('')).toBe('lib');
    expect((await entriesOf(dir, 'none')).get('bin/ping')?.xattrs).toBeUndefined();
  });

  it('docker diff between two real trees: setcap, chmod, retarget, mknod, relink, delete, add', async () => {
    const lower = join(root.path, 'lower');
    mkdirSync(lower);
    makeRootfs(lower);
    const upper = join(root.path, 'upper');
    execFileSync('cp', ['-a', lower, upper]);
    expect(await dockerDiff(diffTrees(directoryTree(lower), directoryTree(upper)))).toBe('');
    sh(
      upper,
      `setcap cap_net_raw+ep bin/ping
       chmod 0755 usr/lib/a
       ln -sfn /nowhere etc/abs
       rm var/run/null; mknod var/run/null c 1 5
       rm -r usr/share; mkdir -p new/dir; printf x > new/dir/f
       printf 'caf\\351' | xargs -0 rm`,
    );
    expect(await dockerDiff(diffTrees(directoryTree(lower), directoryTree(upper)))).toBe(
      [
        'C /bin',
        'C /bin/ping',
        'D /caf\uFFFD',
        'C /etc',
        'C /etc/abs',
        'A /new',
        'A /new/dir',
        'A /new/dir/f',
        'C /usr',
        'C /usr/lib',
        'C /usr/lib/a',
        'C /usr/lib/b',
        'D /usr/share',
        'C /var',
        'C /var/run',
        'C /var/run/null',
        '',
      ].join('\n'),
    );
  });

  it('touch-only changes per detection mode', async () => {
    const lower = join(root.path, 'touch-lower');
    mkdirSync(lower);
    writeFileSync(join(lower, 'f'), 'same');
    const upper = join(root.path, 'touch-upper');
    execFileSync('cp', ['-a', lower, upper]);
    sh(upper, 'touch -d "2030-01-01" f');
    const diff = (mode: 'metadata' | 'auto' | 'content') =>
      dockerDiff(diffTrees(directoryTree(lower), directoryTree(upper), { mode }));
    expect([await diff('metadata'), await diff('auto'), await diff('content')]).toEqual([
      'C /f\n',
      'C /f\n',
      '',
    ]);
  });

  it('readdir order and repetition do not change the result', async () => {
    const names = ['b', 'a.b', 'a', 'Z', 'a-b', 'é', 'a b'];
    const build = (dir: string, order: string[]) => {
      mkdirSync(join(dir, 'a'), { recursive: true });
      for (const n of order) writeFileSync(join(dir, n === 'a' ? 'a/inner' : n), n);
    };
    const [x, y, base] = ['perm-x', 'perm-y', 'perm-base'].map((n) => join(root.path, n)) as [
      string,
      string,
      string,
    ];
    build(x, names);
    build(y, [...names].reverse());
    mkdirSync(base);
    const runs = [];
    for (const dir of [x, y, x]) {
      const stream = diffTrees(directoryTree(base), directoryTree(dir));
      const text = await dockerDiff(stream);
      const layer = (await layerOf(stream)).map((e) => (e.kind === 'entry' ? e.entry.path : e.path));
      runs.push({ text, layer });
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(runs[0]?.text.split('\n')[0]).toBe('A /Z');
  });
});

describe('snapshot fast path on disk', () => {
  function setup(name: string) {
    const lower = join(root.path, `${name}-lower`);
    mkdirSync(lower);
    writeFileSync(join(lower, 'untouched'), 'hello');
    writeFileSync(join(lower, 'rewritten'), 'world');
    const upper = join(root.path, `${name}-upper`);
    execFileSync('cp', ['-a', lower, upper]);
    return { lower, upper, file: join(root.path, `${name}.snapshot`) };
  }

  it('recordSnapshot writes the format, readSnapshot streams it back', () => {
    const { upper, file } = setup('format');
    expect(recordSnapshot(upper, file)).toBe(2);
    const records = [...readSnapshot(file)];
    expect(records.map((r) => r.path)).toEqual(['rewritten', 'untouched']);
    expect(records[1]?.size).toBe(5n);
    const encoder = new SnapshotEncoder();
    expect(encoder.encode(records[0]!)).toMatch(
      /^rewritten [0-9a-f]+ [0-9a-f]+ \d+ \d+ 5 f 644 0 0 [0-9a-f]{64} - - - - -\n$/,
    );
  });

  it('a same-size rewrite with its mtime restored is caught by ctime; metadata alone misses it', async () => {
    const { lower, upper, file } = setup('ctime');
    recordSnapshot(upper, file);
    waitForFsClockTick(root.path);
    sh(upper, `printf WORLD > rewritten; touch -r '${lower}/rewritten' rewritten`);
    const plain = await dockerDiff(
      diffTrees(directoryTree(lower), directoryTree(upper), { mode: 'metadata' }),
    );
    const snapshot = snapshotLookup(readSnapshot(file));
    const fast = await dockerDiff(
      diffTrees(directoryTree(lower), directoryTree(upper), { mode: 'metadata', snapshot }),
    );
    expect([plain, fast]).toEqual(['', 'C /rewritten\n']);
  });

  it('an untouched file is never read when its stat matches the snapshot', async () => {
    const { lower, upper, file } = setup('reads');
    // Unpack-like mtimes: the upper files are newer than the lower tree, so content mode must read...
    sh(upper, 'touch -d "2030-01-01" untouched rewritten');
    recordSnapshot(upper, file);
    waitForFsClockTick(root.path);
    sh(upper, `printf WORLD > rewritten; touch -d "2030-01-01" rewritten`);
    const without = countingReads(directoryTree(upper));
    expect(await dockerDiff(diffTrees(directoryTree(lower), without.tree, { mode: 'content' }))).toBe(
      'C /rewritten\n',
    );
    expect(without.reads.sort()).toEqual(['rewritten', 'untouched']);
    // ...unless the snapshot vouches for it.
    const withSnapshot = countingReads(directoryTree(upper));
    const snapshot = snapshotLookup(readSnapshot(file));
    const text = await dockerDiff(
      diffTrees(directoryTree(lower), withSnapshot.tree, { mode: 'content', snapshot }),
    );
    expect([text, withSnapshot.reads]).toEqual(['C /rewritten\n', ['rewritten']]);
  });
});
