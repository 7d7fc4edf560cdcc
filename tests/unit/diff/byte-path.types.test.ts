/**
 * `BytePath` is a branded string: a UTF-8 `string` (what a user types, what `pathToUtf8` and
 * `dockerChange(…).path` give) is not one, so the compiler stops it where raw name bytes are
 * meant. Checked twice: `tsc -p tests` (in `pnpm lint`) compiles the `@ts-expect-error` lines —
 * each one is reported as unused if the brand is gone — and vitest runs the conversions on a
 * name that is not UTF-8.
 */
import {
  type BytePath,
  type Change,
  comparePaths,
  dockerChange,
  MemoryTree,
  pathFromBytes,
  pathFromUtf8,
  pathToBytes,
  pathToUtf8,
  type TreeEntry,
} from '@layerkit/diff';
import { describe, expect, it } from 'vitest';

/** `caf\xe9`: "café" in Latin-1, not valid UTF-8. */
const LATIN1_NAME = new Uint8Array([0x63, 0x61, 0x66, 0xe9]);

describe('BytePath (type level)', () => {
  it('takes no plain string: a UTF-8 path must be converted', () => {
    const typed = 'etc/café';
    // @ts-expect-error a UTF-8 string is not a byte path
    const assigned: BytePath = typed;
    // @ts-expect-error nor is a string literal
    const literal: BytePath = 'etc/passwd';
    // @ts-expect-error a UTF-8 string where a BytePath parameter is required
    const displayed = pathToUtf8(typed);
    // @ts-expect-error a tree entry's path is a BytePath
    const entry: TreeEntry = { path: typed, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeNs: 0n };
    // The brand is type-only: the values are the same strings at run time …
    expect([assigned, literal, entry.path]).toEqual([typed, 'etc/passwd', typed]);
    // … and what it prevents is real: UTF-8 text read as name bytes turns `é` into an invalid byte.
    expect(displayed).toBe('etc/caf\uFFFD');
  });

  it('is a string wherever one is read, and conversions and lookups take it', () => {
    const path: BytePath = pathFromUtf8('etc/café');
    const text: string = path;
    const tree = MemoryTree.fromSpecs([{ path: 'etc/café', content: 'x' }]); // human input: UTF-8
    expect(tree.get(path)?.size).toBe(1);
    expect(text.startsWith('etc/')).toBe(true);
    expect(comparePaths(path, pathFromUtf8('etc'))).toBeGreaterThan(0);
  });

  it('keeps the UTF-8 display of a change apart from its raw path', () => {
    const change: Change = { kind: 'D', path: pathFromBytes(LATIN1_NAME) };
    const docker = dockerChange(change);
    // @ts-expect-error `DockerChange.path` is UTF-8 text for display, not the raw name
    const raw: BytePath = docker.path;
    // @ts-expect-error so is what `pathToUtf8` gives back
    const back: BytePath = pathToUtf8(change.path);
    expect([raw, back]).toEqual(['/caf\uFFFD', 'caf\uFFFD']);
    expect(pathFromBytes(docker.rawPath)).toBe(change.path);
  });
});

describe('BytePath conversions (run time)', () => {
  it('keeps a non-UTF-8 name exact and shows it with U+FFFD', () => {
    const path = pathFromBytes(LATIN1_NAME);
    expect(path).toBe('caf\xe9');
    expect(pathToBytes(path)).toEqual(LATIN1_NAME);
    expect(pathToUtf8(path)).toBe('caf\uFFFD');
    // The display string is not the name: converting it back gives other bytes.
    expect(pathFromUtf8(pathToUtf8(path))).toBe('caf\xef\xbf\xbd');
  });

  it('turns UTF-8 text into its bytes and back', () => {
    const path = pathFromUtf8('café');
    expect(path).toBe('caf\xc3\xa9');
    expect(pathToBytes(path)).toEqual(new Uint8Array([0x63, 0x61, 0x66, 0xc3, 0xa9]));
    expect(pathToUtf8(path)).toBe('café');
  });
});
