/**
 * Issue 16: `layerkit diff --stats` (and `commit --stats`) prints what the diff cost on stderr (a
 * block, or one JSON line with `--format json`) and leaves stdout exactly as without it. Times are
 * never asserted.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { buildCli, fixTimes, layerkit, ok, writeTree } from './cli.js';

const work = useScratchDir('cli-diff-stats');
const at = (name: string) => join(work.path, name);

beforeAll(() => {
  buildCli();
  // 3 entries: etc, etc/a (3 bytes), etc/b (4 bytes); every mtime the same whole second.
  writeTree(at('lower'), { 'etc/a': 'aa\n', 'etc/b': 'bbb\n' });
  cpSync(at('lower'), at('upper'), { recursive: true });
  writeTree(at('upper'), { 'etc/b': 'BBB\n', 'etc/c': 'new\n' });
  fixTimes(at('upper'));
  ok(['import', at('lower'), `oci:${at('images')}:base`]);
  ok(['unpack', `oci:${at('images')}:base`, at('rootfs')]);
});

/** The stats block with the time line's numbers blanked. */
const withoutTimes = (stderr: string) => stderr.replace(/[\d.]+ ms/g, '# ms');

describe('layerkit diff --stats', () => {
  it('DIR_A DIR_B: stdout unchanged; stderr holds the block with the exact counts', () => {
    const plain = layerkit(['diff', at('lower'), at('upper')]);
    const stats = layerkit(['diff', '--stats', at('lower'), at('upper')]);
    expect(plain.stdout).toBe('C /etc\nC /etc/b\nA /etc/c\n');
    expect(stats.stdout).toBe(plain.stdout);
    expect(plain.stderr).toBe('');
    // Equal whole-second mtimes and sizes: auto compares the bytes of etc/a and etc/b, reading
    // both sides (etc/b stops at its first differing chunk, which is the whole file).
    expect(withoutTimes(stats.stderr)).toBe(
      [
        'diff stats:',
        '  entries walked     lower 3, upper 4',
        '  on both sides      3: 0 by recorded stat, 3 by metadata, of which 2 by content',
        '  content read       4 files, 14 bytes',
        '  time               walk # ms, compare # ms, hash # ms',
        '',
      ].join('\n'),
    );
  });

  it('--format json: stdout unchanged; stderr is one {"stats": …} line', () => {
    const plain = layerkit(['diff', '--format', 'json', at('lower'), at('upper')]);
    const stats = layerkit(['diff', '--stats', '--format', 'json', at('lower'), at('upper')]);
    expect(stats.stdout).toBe(plain.stdout);
    expect(stats.stderr.split('\n')).toHaveLength(2);
    const { stats: counted } = JSON.parse(stats.stderr);
    expect({ ...counted, times: Object.keys(counted.times).sort() }).toEqual({
      lowerEntries: 3,
      upperEntries: 4,
      bothSides: 3,
      statMatched: 0,
      metadataCompared: 3,
      contentCompared: 2,
      filesRead: 4,
      bytesRead: 14,
      times: ['compareMs', 'hashMs', 'walkMs'],
    });
  });

  it('IMAGE DIR after unpack, nothing changed: every path settled by its recorded stat', () => {
    const stats = layerkit(['diff', '--stats', `oci:${at('images')}:base`, at('rootfs')]);
    expect(stats.stdout).toBe('');
    expect(withoutTimes(stats.stderr)).toContain(
      '  entries walked     lower 3, upper 3\n  on both sides      3: 3 by recorded stat, 0 by metadata, of which 0 by content\n  content read       0 files, 0 bytes\n',
    );
  });

  it('commit --stats: stdout is the image ID alone; stderr counts the diff behind the layer', () => {
    ok(['unpack', `oci:${at('images')}:base`, at('edited')]);
    // A longer etc/a: its size moved, so its record no longer matches and metadata decides.
    writeFileSync(at('edited/etc/a'), 'aaaa\n');
    const stats = layerkit([
      'commit',
      '--stats',
      `oci:${at('images')}:base`,
      at('edited'),
      `oci:${at('images')}:v2`,
    ]);
    expect(stats.status).toBe(0);
    expect(stats.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(withoutTimes(stats.stderr)).toBe(
      [
        'diff stats:',
        '  entries walked     lower 3, upper 3',
        '  on both sides      3: 2 by recorded stat, 1 by metadata, of which 0 by content',
        '  content read       0 files, 0 bytes',
        '  time               walk # ms, compare # ms, hash # ms',
        '',
      ].join('\n'),
    );
  });

  it('--upperdir refuses --stats (no second tree to count)', () => {
    const run = layerkit(['diff', '--stats', '--upperdir', at('upper')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--stats .*--upperdir/);
  });
});
