import type { Change, ChangeStream, DockerChange, LayerEntry, MemoryEntrySpec, Tree } from '@layerkit/diff';
import {
  diffTrees,
  dockerChange,
  formatDockerDiff,
  layerEntriesFromChanges,
  MemoryTree,
  pathFromUtf8,
  toEngineApiJson,
} from '@layerkit/diff';
import { describe, expect, it } from 'vitest';
import { asBytePath } from '../../../../packages/diff/src/path.js';

const S = 1_000_000_000n;

/** The changes of a diff as `docker diff` reports them. */
async function changesOf(stream: ChangeStream | AsyncIterable<Change>): Promise<DockerChange[]> {
  const out: DockerChange[] = [];
  for await (const c of stream) out.push(dockerChange(c));
  return out;
}

async function lines(lower: Tree, upper: Tree, options = {}): Promise<string> {
  return formatDockerDiff(await changesOf(diffTrees(lower, upper, options)));
}

const tree = (specs: MemoryEntrySpec[]) => MemoryTree.fromSpecs(specs, { mtimeNs: 1_700_000_000n * S });

describe('diffTrees: docker diff rules', () => {
  it('golden: the seed scenario reports the changed file and every parent as C', async () => {
    const base = [
      { path: 'usr/share/nginx/html/50x.html', content: '50x' },
      { path: 'usr/bin/nginx', content: 'ELF', mode: 0o755 },
      { path: 'etc/nginx/nginx.conf', content: 'conf' },
    ];
    const lower = tree([...base, { path: 'usr/share/nginx/html/index.html', content: '<h1>Welcome</h1>' }]);
    const upper = tree([
      ...base,
      {
        path: 'usr/share/nginx/html/index.html',
        content: '<h1>Hello, Docker!</h1>',
        mtimeNs: 1_700_000_100n * S + 7n,
      },
    ]);
    expect(await lines(lower, upper)).toBe(
      'C /usr\nC /usr/share\nC /usr/share/nginx\nC /usr/share/nginx/html\nC /usr/share/nginx/html/index.html\n',
    );
  });

  it('added dir: A for it and every descendant; deleted subtree: one D at its top; no root', async () => {
    const lower = tree([{ path: 'old/x/y', content: '1' }, { path: 'keep' }]);
    const upper = tree([{ path: 'keep' }, { path: 'new/a/b', content: '2' }]);
    expect(await lines(lower, upper)).toBe('A /new\nA /new/a\nA /new/a/b\nD /old\n');
  });

  it('file → dir: C then A children; dir → file: C only (children implied)', async () => {
    const lower = tree([
      { path: 'f', content: 'x' },
      { path: 'd/child', content: 'c' },
    ]);
    const upper = tree([
      { path: 'f/inner', content: 'i' },
      { path: 'd', content: 'now a file' },
    ]);
    expect(await lines(lower, upper)).toBe('C /d\nC /f\nA /f/inner\n');
  });

  it('orders by the global order (a, a/b, a.b) with parents inserted before their first change', async () => {
    const lower = tree([
      { path: 'a/b/c', content: '1' },
      { path: 'a.b', content: '1' },
    ]);
    const upper = tree([
      { path: 'a/b/c', content: '2', mtimeNs: 5n },
      { path: 'a.b', content: '2', mtimeNs: 5n },
      { path: 'a/b/d', content: '' },
    ]);
    expect(await lines(lower, upper)).toBe('C /a\nC /a/b\nC /a/b/c\nA /a/b/d\nC /a.b\n');
  });

  it('directories: mtime ignored; mode, owner and capability are changes', async () => {
    const cap = { 'security.capability': new Uint8Array([1, 0, 0, 2]) };
    const lower = tree([{ path: 'd1' }, { path: 'd2' }, { path: 'd3' }, { path: 'bin', content: 'x' }]);
    const upper = tree([
      { path: 'd1', mtimeNs: 42n },
      { path: 'd2', mode: 0o700 },
      { path: 'd3', uid: 1000 },
      { path: 'bin', content: 'x', xattrs: cap },
    ]);
    expect(await lines(lower, upper)).toBe('C /bin\nC /d2\nC /d3\n');
  });

  it('symlink retarget, setuid bit, device numbers and type are compared', async () => {
    const lower = tree([
      { path: 'l', linkTarget: '/a' },
      { path: 's', content: 'x', mode: 0o755 },
      { path: 'c', type: 'char', devMajor: 1, devMinor: 3 },
      { path: 'p', type: 'fifo' },
    ]);
    const upper = tree([
      { path: 'l', linkTarget: '/b' },
      { path: 's', content: 'x', mode: 0o4755 },
      { path: 'c', type: 'char', devMajor: 1, devMinor: 5 },
      { path: 'p', type: 'fifo' },
    ]);
    expect(await lines(lower, upper)).toBe('C /c\nC /l\nC /s\n');
  });

  it('non-UTF-8 names are kept as bytes and displayed with U+FFFD', async () => {
    const path = asBytePath('caf\xe9'); // "café" in Latin-1: not UTF-8
    const upper = MemoryTree.fromEntries([
      { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtimeNs: 0n, content: () => [] },
    ]);
    const changes = await changesOf(diffTrees(MemoryTree.fromSpecs([]), upper));
    // Shown as UTF-8 (the invalid byte as U+FFFD), kept exactly as bytes beside it.
    expect(changes.map((c) => c.path)).toEqual(['/caf\uFFFD']);
    expect(changes.map((c) => Buffer.from(c.rawPath).toString('latin1'))).toEqual(['caf\xe9']);
    expect(formatDockerDiff(changes)).toBe('A /caf\uFFFD\n');
  });

  it('Engine API JSON uses Kind 0/1/2 and absolute UTF-8 paths', async () => {
    const lower = tree([{ path: 'gone' }, { path: 'dir/x', content: '1' }]);
    const upper = tree([
      { path: 'dir/x', content: '22' },
      { path: 'é', content: '' },
    ]);
    const json = JSON.stringify(toEngineApiJson(await changesOf(diffTrees(lower, upper))));
    expect(json).toBe(
      '[{"Path":"/dir","Kind":0},{"Path":"/dir/x","Kind":0},{"Path":"/gone","Kind":2},{"Path":"/é","Kind":1}]',
    );
    expect(pathFromUtf8('é')).toBe('\xc3\xa9');
  });
});

describe('diffTrees: detection modes', () => {
  const lowerAt = (content: string, mtimeNs: bigint) => tree([{ path: 'f', content, mtimeNs }]);
  const cases: [string, bigint, string, bigint, Record<string, string>][] = [
    // touch only (same content, other second)
    ['abc', 10n * S, 'abc', 20n * S + 1n, { metadata: 'C /f\n', auto: 'C /f\n', content: '' }],
    // rewrite within the same second as a tar-truncated lower (size equal)
    ['abc', 10n * S, 'xyz', 10n * S + 5n, { metadata: '', auto: 'C /f\n', content: 'C /f\n' }],
    // truncated lower, same bytes, same second
    ['abc', 10n * S, 'abc', 10n * S + 5n, { metadata: '', auto: '', content: '' }],
    // both with ns, same second, different ns, same content
    ['abc', 10n * S + 3n, 'abc', 10n * S + 5n, { metadata: 'C /f\n', auto: 'C /f\n', content: '' }],
    // same whole-second mtime, same size, different bytes: a tar's truncation can hide a rewrite,
    // so auto and content compare the bytes (containerd's rule); Docker's metadata rule cannot see it
    ['abc', 10n * S, 'xyz', 10n * S, { metadata: '', auto: 'C /f\n', content: 'C /f\n' }],
    // same sub-second mtime, same size, different bytes: invisible to every rule (documented)
    ['abc', 10n * S + 7n, 'xyz', 10n * S + 7n, { metadata: '', auto: '', content: '' }],
  ];
  for (const [before, t0, after, t1, want] of cases) {
    for (const mode of ['metadata', 'auto', 'content'] as const) {
      it(`${mode}: ${before}@${t0} → ${after}@${t1}`, async () => {
        expect(await lines(lowerAt(before, t0), lowerAt(after, t1), { mode })).toBe(want[mode]);
      });
    }
  }

  it('content comparison uses contentDigest when both sides carry one, without reading', async () => {
    let reads = 0;
    const entry = (digest: string) => ({
      path: pathFromUtf8('f'),
      type: 'file' as const,
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: 3,
      mtimeNs: 0n,
      contentDigest: digest as never,
      content: () => {
        reads++;
        return [new Uint8Array(3)];
      },
    });
    const same = await lines(
      MemoryTree.fromEntries([entry('sha256:a')]),
      MemoryTree.fromEntries([{ ...entry('sha256:a'), mtimeNs: 9n }]),
      { mode: 'content' },
    );
    const other = await lines(
      MemoryTree.fromEntries([entry('sha256:a')]),
      MemoryTree.fromEntries([{ ...entry('sha256:b'), mtimeNs: 9n }]),
      { mode: 'content' },
    );
    expect([same, other, reads]).toEqual(['', 'C /f\n', 0]);
  });
});

describe('diffTrees: hardlinks', () => {
  const linked = (path: string, key: string, content = 'x') => ({ path, content, linkKey: key });
  it('a link split or a new link with equal metadata is a change of the path whose links differ', async () => {
    const lower = tree([linked('a', 'k'), linked('b', 'k'), { path: 'c', content: 'x' }]);
    const upper = tree([
      { path: 'a', content: 'x' },
      { path: 'b', content: 'x' },
      linked('c', 'm'),
      linked('d', 'm'),
    ]);
    // b: was linked to a, now alone; c: unchanged metadata, still first of its new group; d: new.
    expect(await lines(lower, upper)).toBe('C /b\nA /d\n');
  });

  it('the layer carries every member of a changed group, the first with content, others as hardlinks', async () => {
    const lower = tree([
      { path: 'x/a', content: 'x' },
      { path: 'y/z', content: 'x' },
    ]);
    const upper = tree([linked('x/a', 'k'), linked('y/z', 'k')]);
    const stream = diffTrees(lower, upper);
    expect(formatDockerDiff(await changesOf(stream))).toBe('C /y\nC /y/z\n');
    const layer: LayerEntry[] = [];
    for await (const e of layerEntriesFromChanges(stream)) layer.push(e);
    expect(
      layer.map((e) =>
        e.kind === 'entry' ? `${e.entry.path} ${e.entry.type} ${e.entry.linkTarget ?? ''}` : e,
      ),
    ).toEqual(['x dir ', 'x/a file ', 'y dir ', 'y/z hardlink x/a']);
  });
});

describe('diffTrees: streaming and determinism', () => {
  it('running twice gives identical changes, facts and layers', async () => {
    const lower = tree([
      { path: 'a/b', content: '1' },
      { path: 'gone/x', content: '' },
    ]);
    const upper = tree([{ path: 'a/b', content: '22' }, { path: 'gone' }]);
    const stream = diffTrees(lower, upper);
    const first = formatDockerDiff(await changesOf(stream));
    const second = formatDockerDiff(await changesOf(stream));
    expect(first).toBe(second);
    expect([...stream.facts.recreatedDirs]).toEqual(['gone']);
  });

  it('streams two 100k-entry generated trees and finds the one edit', async () => {
    const big = (n: number, edited: number): Tree => ({
      async *entries() {
        yield { path: pathFromUtf8('d'), type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeNs: 0n };
        for (let i = 0; i < n; i++) {
          const name = asBytePath(`d/${String(i).padStart(6, '0')}`);
          yield {
            path: name,
            type: 'file',
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 1,
            // Sub-second mtimes: the metadata settles every entry (these entries have no content).
            mtimeNs: i === edited ? 2n : 1n,
          };
        }
      },
    });
    let count = 0;
    for await (const c of diffTrees(big(100_000, -1), big(100_000, 500))) count += c.kind === 'C' ? 1 : 0;
    expect(count).toBe(2);
  });
});
