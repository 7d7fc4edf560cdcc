import { MemoryTree, pathFromBytes, pathFromUtf8 } from '@layerkit/diff';
import { isLayerkitError } from '@layerkit/digest';
import { describe, expect, it } from 'vitest';

describe('MemoryTree', () => {
  it('iterates in the global order and adds implied parent dirs (0755)', async () => {
    const tree = MemoryTree.fromSpecs(
      [
        { path: 'a.b', content: '' },
        { path: 'a/b/c', content: 'x' },
      ],
      {
        mtimeNs: 7n,
      },
    );
    const seen = [];
    for await (const e of tree.entries()) seen.push(`${e.path} ${e.type} ${e.mode.toString(8)} ${e.mtimeNs}`);
    expect(seen).toEqual(['a dir 755 7', 'a/b dir 755 7', 'a/b/c file 644 7', 'a.b file 644 7']);
    expect(tree.get(pathFromUtf8('a/b/c'))?.size).toBe(1);
  });

  it('encodes UTF-8 paths and content as bytes', async () => {
    const tree = MemoryTree.fromSpecs([{ path: 'ü', content: 'ü' }]);
    const entry = tree.get(pathFromBytes(new Uint8Array([0xc3, 0xbc])))!;
    expect(entry.size).toBe(2);
    expect([...(entry.content!() as Iterable<Uint8Array>)][0]).toEqual(new Uint8Array([0xc3, 0xbc]));
  });

  it.each([
    [
      [
        { path: 'a', content: '' },
        { path: 'a', content: '' },
      ],
      'DUPLICATE_PATH',
    ],
    [
      [
        { path: 'f', content: '' },
        { path: 'f/x', content: '' },
      ],
      'PARENT_NOT_DIRECTORY',
    ],
    [[{ path: '/abs', content: '' }], 'INVALID_PATH'],
    [[{ path: 'a/../b', content: '' }], 'INVALID_PATH'],
    [[{ path: 'a//b', content: '' }], 'INVALID_PATH'],
  ] as const)('rejects %j with %s', (specs, code) => {
    let caught: unknown;
    try {
      MemoryTree.fromSpecs(specs);
    } catch (error) {
      caught = error;
    }
    expect(isLayerkitError(caught, code)).toBe(true);
  });
});
