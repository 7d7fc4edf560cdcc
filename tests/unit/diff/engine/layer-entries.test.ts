import type { Change, LayerEntry, TreeEntry } from '@layerkit/diff';
import {
  diffTrees,
  layerEntriesFromAdditions,
  layerEntriesFromChanges,
  MemoryTree,
  pathFromUtf8,
} from '@layerkit/diff';
import { describe, expect, it } from 'vitest';

const dir = (path: string): TreeEntry => ({
  path: pathFromUtf8(path),
  type: 'dir',
  mode: 0o755,
  uid: 0,
  gid: 0,
  size: 0,
  mtimeNs: 0n,
});
const file = (path: string): TreeEntry => ({ ...dir(path), type: 'file', mode: 0o644 });

async function layerOf(changes: Iterable<Change> | AsyncIterable<Change>, opaque = false): Promise<string[]> {
  const out: string[] = [];
  const show = (e: LayerEntry) => (e.kind === 'entry' ? e.entry.path : `${e.kind}:${e.path}`);
  for await (const e of layerEntriesFromChanges(changes, { opaque })) out.push(show(e));
  return out;
}

describe('layerEntriesFromChanges', () => {
  it('puts whiteouts first within each directory, then entries in the global order', async () => {
    const changes: Change[] = [
      { kind: 'C', path: pathFromUtf8('d'), entry: dir('d') },
      { kind: 'A', path: pathFromUtf8('d/a'), entry: dir('d/a') },
      { kind: 'A', path: pathFromUtf8('d/a/x'), entry: file('d/a/x') },
      { kind: 'D', path: pathFromUtf8('d/b') },
      { kind: 'A', path: pathFromUtf8('d/a.b'), entry: file('d/a.b') },
      { kind: 'D', path: pathFromUtf8('d/0') },
      { kind: 'D', path: pathFromUtf8('top') },
      { kind: 'A', path: pathFromUtf8('a'), entry: file('a') },
    ];
    expect(await layerOf(changes)).toEqual([
      'whiteout:top',
      'a',
      'd',
      'whiteout:d/0',
      'whiteout:d/b',
      'd/a',
      'd/a/x',
      'd/a.b',
    ]);
  });

  it('refuses an entry whose parent directory is not in the layer', async () => {
    await expect(
      layerOf([{ kind: 'A', path: pathFromUtf8('x/y'), entry: file('x/y') }]),
    ).rejects.toMatchObject({
      code: 'MISSING_PARENT',
    });
  });

  it('opaque option: a recreated directory gets one opaque marker instead of per-child whiteouts', async () => {
    const lower = MemoryTree.fromSpecs([
      { path: 'd/a', content: '1' },
      { path: 'd/b', content: '2' },
      { path: 'e/k' },
    ]);
    const upper = MemoryTree.fromSpecs([{ path: 'd/new', content: '3' }, { path: 'e' }]);
    const explicit = await layerOf(diffTrees(lower, upper));
    const marked = await layerOf(diffTrees(lower, upper), true);
    expect(explicit).toEqual(['d', 'whiteout:d/a', 'whiteout:d/b', 'd/new', 'e', 'whiteout:e/k']);
    expect(marked).toEqual(['d', 'opaque:d', 'd/new', 'e', 'opaque:e']);
  });

  it('a directory keeping one lower child is not recreated: whiteouts stay explicit', async () => {
    const lower = MemoryTree.fromSpecs([
      { path: 'd/a', content: '1' },
      { path: 'd/b', content: '2' },
    ]);
    const upper = MemoryTree.fromSpecs([{ path: 'd/a', content: '1' }]);
    expect(await layerOf(diffTrees(lower, upper), true)).toEqual(['d', 'whiteout:d/b']);
  });
});

describe('layerEntriesFromAdditions', () => {
  const added = (path: string, entry: TreeEntry): Change => ({ kind: 'A', path: pathFromUtf8(path), entry });
  const drain = async (changes: Change[]) => {
    const out: LayerEntry[] = [];
    for await (const e of layerEntriesFromAdditions(changes)) out.push(e);
    return out;
  };

  it('streams: the first entry comes out before the changes have ended', async () => {
    let ended = false;
    async function* changes(): AsyncIterable<Change> {
      yield added('a', dir('a'));
      yield added('a/f', file('a/f'));
      ended = true;
    }
    const first = await layerEntriesFromAdditions(changes())[Symbol.asyncIterator]().next();
    expect(first.value).toMatchObject({ kind: 'entry', entry: { path: 'a' } });
    expect(ended).toBe(false);
  });

  it('the first path of a hardlink group carries the content, later ones link to it', async () => {
    const linked = (path: string) => ({ ...file(path), linkKey: '1:7', content: () => [] });
    const entries = await drain([added('a', linked('a')), added('b', dir('b')), added('b/c', linked('b/c'))]);
    expect(entries.map((e) => (e.kind === 'entry' ? [e.entry.type, e.entry.linkTarget] : []))).toEqual([
      ['file', undefined],
      ['dir', undefined],
      ['hardlink', 'a'],
    ]);
  });

  it('refuses a deletion, a change out of the global order and an entry without its parent', async () => {
    await expect(drain([{ kind: 'D', path: pathFromUtf8('x') }])).rejects.toMatchObject({
      code: 'INVALID_CHANGE',
      details: { path: 'x' },
    });
    await expect(drain([added('b', file('b')), added('a', file('a'))])).rejects.toMatchObject({
      code: 'INVALID_CHANGE',
      details: { path: 'a' },
    });
    // d/x's parent d was closed by e: the order is global, so d cannot come back.
    await expect(
      drain([added('d', dir('d')), added('d/x', file('d/x')), added('e/y', file('e/y'))]),
    ).rejects.toMatchObject({ code: 'MISSING_PARENT' });
    await expect(drain([added('d', file('d')), added('d/x', file('d/x'))])).rejects.toMatchObject({
      code: 'MISSING_PARENT',
    });
  });
});
