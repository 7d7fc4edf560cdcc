/**
 * Property: whatever entries go into writeLayerTar come back out of readTar unchanged (modulo the
 * documented normalizations), for any chunking of the stream; equal input gives equal bytes.
 */
import {
  type BytePath,
  type LayerEntry,
  pathFromBytes,
  pathFromUtf8,
  readTar,
  type TarHeader,
  type TreeEntry,
  writeLayerTar,
} from '@layerkit/diff';
import { TYPEFLAG } from '@layerkit/diff/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinComponents, joinPath } from '../../packages/diff/src/path.js';
import { checkProperty } from '../fixtures/property.js';
import { chunked, collect, sha256 } from '../fixtures/tar-helpers.js';

const byteComponent = fc
  .uint8Array({ minLength: 1, maxLength: 120 })
  .map((bytes) => pathFromBytes(bytes.map((b) => (b === 0 || b === 0x2f ? 0x5f : b))))
  .filter((name) => name !== '.' && name !== '..' && !name.startsWith('.wh.'));
const component = fc
  .oneof(
    fc.constantFrom('etc', 'usr', 'bin', 'a', 'b').map(pathFromUtf8),
    fc.stringMatching(/^[a-z0-9._-]{1,40}$/).map(pathFromUtf8),
    byteComponent,
  )
  .filter((name) => name !== '.' && name !== '..' && !name.startsWith('.wh.'));
const path = fc.array(component, { minLength: 1, maxLength: 3 }).map(joinComponents);

const common = fc.record({
  mode: fc.integer({ min: 0, max: 0o7777 }),
  uid: fc.oneof(
    fc.integer({ min: 0, max: 70000 }),
    fc.constant(2 ** 31),
    fc.integer({ min: 0, max: 2 ** 32 - 2 }),
  ),
  gid: fc.oneof(
    fc.integer({ min: 0, max: 70000 }),
    fc.constant(2 ** 31),
    fc.integer({ min: 0, max: 2 ** 32 - 2 }),
  ),
  mtimeNs: fc.bigInt({ min: -(2n ** 33n) * 1_000_000_000n, max: 2n ** 34n * 1_000_000_000n }),
  xattrs: fc.option(
    fc.uniqueArray(
      fc.tuple(
        fc.stringMatching(/^(user|security|trusted)\.[a-z.]{1,20}$/),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
      ),
      {
        selector: ([name]) => name,
        maxLength: 3,
      },
    ),
    { nil: undefined },
  ),
});

type Kind =
  | { type: 'file'; size: number; seed: number }
  | { type: 'dir' | 'fifo' }
  | { type: 'symlink'; target: BytePath }
  | { type: 'char' | 'block'; major: number; minor: number }
  | { type: 'hardlink' }
  | { type: 'whiteout' };

const kind: fc.Arbitrary<Kind> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('file' as const),
      size: fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 200_000 })),
      seed: fc.integer({ min: 0, max: 255 }),
    }),
  },
  fc.record({ type: fc.constantFrom('dir' as const, 'fifo' as const) }),
  fc.record({
    type: fc.constant('symlink' as const),
    target: fc.oneof(
      path,
      byteComponent.map((c) => joinPath(pathFromUtf8('..'), c)),
      fc.constant(pathFromUtf8('x'.repeat(180))),
    ),
  }),
  fc.record({
    type: fc.constantFrom('char' as const, 'block' as const),
    major: fc.integer({ min: 0, max: 4095 }),
    minor: fc.integer({ min: 0, max: 1_048_575 }),
  }),
  fc.record({ type: fc.constant('hardlink' as const) }),
  fc.record({ type: fc.constant('whiteout' as const) }),
);

function contentOf(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

const layer = fc
  .uniqueArray(fc.tuple(path, kind, common), { selector: ([p]) => p, minLength: 1, maxLength: 8 })
  .map((items) =>
    items.map(([entryPath, entryKind, attributes], index): LayerEntry => {
      if (entryKind.type === 'whiteout') return { kind: 'whiteout', path: entryPath };
      const entry: TreeEntry = {
        path: entryPath,
        type: entryKind.type,
        mode: attributes.mode,
        uid: attributes.uid,
        gid: attributes.gid,
        size: 0,
        mtimeNs: attributes.mtimeNs,
      };
      if (attributes.xattrs) entry.xattrs = new Map(attributes.xattrs);
      if (entryKind.type === 'file') {
        const data = contentOf(entryKind.size, entryKind.seed);
        entry.size = data.length;
        entry.content = function* () {
          for (let i = 0; i < data.length; i += 7000) yield data.subarray(i, i + 7000);
        };
      } else if (entryKind.type === 'symlink') entry.linkTarget = entryKind.target;
      else if (entryKind.type === 'hardlink') entry.linkTarget = items[(index + 1) % items.length]![0];
      else if (entryKind.type === 'char' || entryKind.type === 'block') {
        entry.devMajor = entryKind.major;
        entry.devMinor = entryKind.minor;
      }
      return { kind: 'entry', entry };
    }),
  );

function floorSeconds(ns: bigint): bigint {
  const seconds = ns / 1_000_000_000n;
  return ns < 0n && seconds * 1_000_000_000n !== ns ? seconds - 1n : seconds;
}

describe('writeLayerTar → readTar round trip', () => {
  it('reads back every field, for any chunking; equal input ⇒ equal bytes', async () => {
    await checkProperty(
      fc.asyncProperty(
        layer,
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 5 }),
        async (entries, sizes) => {
          const bytes = await collect(writeLayerTar(entries));
          expect(sha256(await collect(writeLayerTar(entries)))).toBe(sha256(bytes));
          const read: { header: TarHeader; content: Uint8Array }[] = [];
          for await (const { header, body } of readTar(chunked(bytes, sizes)))
            read.push({ header, content: await collect(body) });
          expect(read).toHaveLength(entries.length);
          entries.forEach((item, i) => {
            const { header, content } = read[i]!;
            if (item.kind !== 'entry') {
              const slash = item.path.lastIndexOf('/');
              expect(header.name).toBe(`${item.path.slice(0, slash + 1)}.wh.${item.path.slice(slash + 1)}`);
              expect([
                header.typeflag,
                header.mode,
                header.uid,
                header.gid,
                header.size,
                header.mtimeNs,
              ]).toEqual(['0', 0, 0, 0, 0, 0n]);
              return;
            }
            const { entry } = item;
            expect(header.name).toBe(entry.type === 'dir' ? `${entry.path}/` : entry.path);
            expect(header.typeflag).toBe((TYPEFLAG as Record<string, string>)[entry.type]);
            expect([header.mode, header.uid, header.gid, header.uname, header.gname]).toEqual([
              entry.mode,
              entry.uid,
              entry.gid,
              '',
              '',
            ]);
            expect(header.mtimeNs).toBe(floorSeconds(entry.mtimeNs) * 1_000_000_000n);
            expect(header.linkName).toBe(entry.linkTarget ?? '');
            expect([header.devMajor, header.devMinor]).toEqual([entry.devMajor ?? 0, entry.devMinor ?? 0]);
            expect(header.xattrs).toEqual(entry.xattrs ?? new Map());
            expect(header.size).toBe(entry.size);
            const expected =
              entry.type === 'file'
                ? Buffer.concat([...(entry.content!() as Iterable<Uint8Array>)])
                : new Uint8Array();
            expect(sha256(content)).toBe(sha256(expected));
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
