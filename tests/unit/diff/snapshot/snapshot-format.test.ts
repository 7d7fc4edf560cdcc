import type { EntryType, SnapshotMetadata, SnapshotRecord, TreeEntry } from '@layerkit/diff';
import {
  comparePaths,
  decodeSnapshot,
  encodeSnapshot,
  pathFromBytes,
  SnapshotEncoder,
  snapshotEntryOf,
  snapshotLookup,
  snapshotRecordOf,
  snapshotTree,
} from '@layerkit/diff';
import type { Digest } from '@layerkit/digest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asBytePath } from '../../../../packages/diff/src/path.js';
import { checkProperty } from '../../../fixtures/property.js';

async function bytesOf(records: SnapshotRecord[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of encodeSnapshot(records)) out.push(chunk);
  return out;
}

function chunked(bytes: Uint8Array, cut: number): Uint8Array[] {
  const chunks = [];
  for (let i = 0; i < bytes.length; i += cut) chunks.push(bytes.subarray(i, i + cut));
  return chunks;
}

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('latin1');
const decodeText = (body: string) => [...decodeSnapshot([Buffer.from(body, 'latin1')])];
const DIGEST = `sha256:${'ab'.repeat(32)}` as Digest;
/** A record; `path` is a byte string (one char per byte). */
const record = (
  path: string,
  n = 1n,
  metadata: SnapshotMetadata = { type: 'dir', mode: 0o755, uid: 0, gid: 0 },
) =>
  ({
    path: asBytePath(path),
    dev: 0x803n,
    ino: n,
    ctimeNs: n,
    mtimeNs: n,
    size: n,
    metadata,
  }) satisfies SnapshotRecord;

const TYPES: EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo', 'socket'];
const byteString = (minLength: number) => fc.uint8Array({ minLength, maxLength: 12 }).map(pathFromBytes);
/** Byte strings biased towards the markers and escapes of the format. */
const trickyBytes = fc.oneof(
  byteString(0),
  fc.constantFrom('-', '=', '%', '%2D', ' ', '\n', '-x', '=y').map(asBytePath),
);
const metadataArb: fc.Arbitrary<SnapshotMetadata> = fc.record(
  {
    type: fc.constantFrom(...TYPES),
    mode: fc.integer({ min: 0, max: 0o7777 }),
    uid: fc.nat(),
    gid: fc.constantFrom(0, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER),
    contentDigest: fc
      .uint8Array({ minLength: 32, maxLength: 32 })
      .map((b) => `sha256:${Buffer.from(b).toString('hex')}` as Digest),
    linkTarget: trickyBytes,
    devMajor: fc.nat(2 ** 32 - 1),
    devMinor: fc.nat(2 ** 32 - 1),
    linkKey: trickyBytes,
    capability: fc.uint8Array({ maxLength: 24 }),
  },
  { requiredKeys: ['type', 'mode', 'uid', 'gid'] },
);
const recordsArb = fc.uniqueArray(byteString(1), { maxLength: 30 }).chain((paths) =>
  fc.tuple(
    ...[...paths].sort(comparePaths).map((path) =>
      fc
        .tuple(
          fc.bigInt(0n, 2n ** 64n - 1n),
          fc.bigInt(0n, 2n ** 64n - 1n),
          fc.bigInt(-(2n ** 62n), 2n ** 62n),
          metadataArb,
        )
        .map(
          ([dev, ino, t, metadata]): SnapshotRecord => ({
            path,
            dev,
            ino,
            ctimeNs: t,
            mtimeNs: -t,
            size: ino >> 3n,
            metadata,
          }),
        ),
    ),
  ),
);

function rejects(run: () => unknown, code = 'SNAPSHOT_INVALID') {
  expect(run).toThrowError(expect.objectContaining({ code }) as unknown as Error);
}

describe('snapshot format, version 2', () => {
  it('has the documented shape: stat facts, then type, octal mode, ids, digest and optional fields', async () => {
    const file = record('a b%\n\xff', 255n, {
      type: 'file',
      mode: 0o4755,
      uid: 1000,
      gid: 50,
      contentDigest: DIGEST,
      linkKey: '2051:255',
      capability: new Uint8Array([1, 0, 0, 2, 0xfe]),
    });
    const link = record('b', 2n, {
      type: 'symlink',
      mode: 0o777,
      uid: 0,
      gid: 0,
      linkTarget: asBytePath('-'),
    });
    const dev = record('c', 3n, { type: 'char', mode: 0o666, uid: 0, gid: 0, devMajor: 1, devMinor: 3 });
    const empty = record('d', 4n, { type: 'hardlink', mode: 0, uid: 0, gid: 0, linkTarget: asBytePath('') });
    expect(text(await bytesOf([file, link, dev, empty]))).toBe(
      'layerkit-snapshot 2\n' +
        `a%20b%25%0A%FF 803 ff 255 255 255 f 4755 1000 50 ${'ab'.repeat(32)} - - - 2051:255 01000002fe\n` +
        'b 803 2 2 2 2 l 777 0 0 - %2D - - - -\n' +
        'c 803 3 3 3 3 c 666 0 0 - - 1 3 - -\n' +
        'd 803 4 4 4 4 h 0 0 0 - = - - - -\n',
    );
  });

  it('round-trips any bytes in paths, targets and keys, and any values, whatever the chunking', async () => {
    await checkProperty(
      fc.asyncProperty(recordsArb, fc.integer({ min: 1, max: 17 }), async (records, cut) => {
        const bytes = Buffer.concat(await bytesOf(records));
        expect([...decodeSnapshot(chunked(bytes, cut))]).toEqual(records);
      }),
    );
  });

  it.each([
    ['an unknown version', 'layerkit-snapshot 3\n'],
    ['a version-1 line in a version-2 file', 'layerkit-snapshot 2\na 1 1 1 1 1\n'],
    ['a missing field', 'layerkit-snapshot 2\na 1 1 1 1 1 d 755 0 0 - - - - -\n'],
    ['an unknown type', 'layerkit-snapshot 2\na 1 1 1 1 1 x 755 0 0 - - - - - -\n'],
    ['a mode above 07777', 'layerkit-snapshot 2\na 1 1 1 1 1 d 17777 0 0 - - - - - -\n'],
    ['a non-octal mode', 'layerkit-snapshot 2\na 1 1 1 1 1 d 758 0 0 - - - - - -\n'],
    ['a negative uid', 'layerkit-snapshot 2\na 1 1 1 1 1 d 755 -1 0 - - - - - -\n'],
    ['a short digest', 'layerkit-snapshot 2\na 1 1 1 1 1 f 644 0 0 abc - - - - -\n'],
    ['uppercase capability hex', 'layerkit-snapshot 2\na 1 1 1 1 1 f 644 0 0 - - - - - 0A\n'],
    ['odd capability hex', 'layerkit-snapshot 2\na 1 1 1 1 1 f 644 0 0 - - - - - 0a0\n'],
    ['a bad escape in a target', 'layerkit-snapshot 2\na 1 1 1 1 1 l 777 0 0 - %zz - - - -\n'],
    ['a device number above 2^32', 'layerkit-snapshot 2\na 1 1 1 1 1 c 666 0 0 - - 4294967296 0 - -\n'],
    [
      'out-of-order paths',
      'layerkit-snapshot 2\nb 1 1 1 1 1 d 755 0 0 - - - - - -\na 1 1 1 1 1 d 755 0 0 - - - - - -\n',
    ],
    ['a truncated line', 'layerkit-snapshot 2\na 1 1 1 1 1 d 755 0 0 - - - - - -'],
    ['a non-ASCII byte', 'layerkit-snapshot 2\n\xe9 1 1 1 1 1 d 755 0 0 - - - - - -\n'],
  ])('rejects %s', (_name, body) => {
    rejects(() => decodeText(body));
  });

  it('stops at a line over 1 MiB without buffering the rest', () => {
    function* endless() {
      yield Buffer.from('layerkit-snapshot 2\n');
      for (;;) yield Buffer.alloc(64 * 1024, 'a');
    }
    expect(() => [...decodeSnapshot(endless())]).toThrowError(/line 2 is too long/);
  });

  it('the encoder refuses records out of the global order (a/b before a.b)', () => {
    const encoder = new SnapshotEncoder();
    encoder.encode(record('a'));
    encoder.encode(record('a/b'));
    encoder.encode(record('a.b'));
    rejects(() => encoder.encode(record('a/c')));
  });

  it('the encoder refuses what the format cannot hold: no metadata, a non-sha256 digest, a non-byte char', () => {
    const { metadata: _none, ...v1 } = record('a');
    rejects(() => new SnapshotEncoder().encode(v1));
    const sha512 = `sha512:${'00'.repeat(64)}` as Digest;
    rejects(() =>
      new SnapshotEncoder().encode(
        record('a', 1n, { type: 'file', mode: 0, uid: 0, gid: 0, contentDigest: sha512 }),
      ),
    );
    rejects(() => new SnapshotEncoder().encode(record('\u0100')));
    for (const bad of [{ mode: 0o10000 }, { uid: -1 }, { gid: 1.5 }, { devMajor: 2 ** 32 }]) {
      rejects(() =>
        new SnapshotEncoder().encode(record('a', 1n, { type: 'char', mode: 0, uid: 0, gid: 0, ...bad })),
      );
    }
    rejects(() => new SnapshotEncoder().encode({ ...record('a'), ino: -1n }));
    rejects(() =>
      new SnapshotEncoder().encode(
        // Not a byte string (a char above 0xFF): the brand is only a type, the encoder checks.
        record('a', 1n, { type: 'symlink', mode: 0, uid: 0, gid: 0, linkTarget: asBytePath('é\u2603') }),
      ),
    );
  });
});

describe('snapshot format, version 1 (still read)', () => {
  it('decodes stat-only records, without metadata', () => {
    expect(decodeText('layerkit-snapshot 1\na%20b%25%0A%FF 803 ff 255 -7 255\n')).toEqual([
      { path: 'a b%\n\xff', dev: 0x803n, ino: 0xffn, ctimeNs: 255n, mtimeNs: -7n, size: 255n },
    ]);
  });

  it('decodes numbers exactly on both sides of the digits a double holds (13 hex, 15 decimal)', () => {
    const text = [
      'layerkit-snapshot 1',
      'a fffffffffffff fffffffffffff 0 0 999999999999999',
      'b 1fffffffffffff 1fffffffffffff 0 0 9007199254740993',
      'c 00000000000000000001 0 -0 -0 -0',
      '',
    ].join('\n');
    expect(decodeText(text)).toEqual([
      {
        path: 'a',
        dev: 0xfffffffffffffn,
        ino: 0xfffffffffffffn,
        ctimeNs: 0n,
        mtimeNs: 0n,
        size: 999999999999999n,
      },
      {
        path: 'b',
        dev: 0x1fffffffffffffn,
        ino: 0x1fffffffffffffn,
        ctimeNs: 0n,
        mtimeNs: 0n,
        size: 9007199254740993n,
      },
      { path: 'c', dev: 1n, ino: 0n, ctimeNs: 0n, mtimeNs: 0n, size: 0n },
    ]);
  });

  it.each([
    ['a wrong header', 'layerkit-snapshot 1 \n'],
    ['a truncated line', 'layerkit-snapshot 1\na 1 1 1 1 1'],
    ['a missing field', 'layerkit-snapshot 1\na 1 1 1 1\n'],
    ['a version-2 line', 'layerkit-snapshot 1\na 1 1 1 1 1 d 755 0 0 - - - - - -\n'],
    ['a bad escape', 'layerkit-snapshot 1\na%zz 1 1 1 1 1\n'],
    ['out-of-order paths', 'layerkit-snapshot 1\nb 1 1 1 1 1\na 1 1 1 1 1\n'],
    ['a duplicate path', 'layerkit-snapshot 1\na 1 1 1 1 1\na 1 1 1 1 1\n'],
    ['an empty file', ''],
  ])('rejects %s', (_name, body) => {
    rejects(() => decodeText(body));
  });
});

describe('snapshot records as tree entries', () => {
  const fileEntry: TreeEntry = {
    path: asBytePath('bin/ping'),
    type: 'file',
    mode: 0o4755,
    uid: 0,
    gid: 0,
    size: 4,
    mtimeNs: 7n,
    contentDigest: DIGEST,
    linkKey: '2051:9',
    xattrs: new Map([
      ['security.capability', new Uint8Array([1, 2])],
      ['user.other', new Uint8Array([3])],
    ]),
    stat: { dev: 2051n, ino: 9n, ctimeNs: 8n, mtimeNs: 7n, size: 4n },
    content: () => [new Uint8Array(4)],
  };

  it('keep everything a diff compares, only security.capability of the xattrs, and no content', () => {
    const { content: _content, xattrs: _xattrs, ...facts } = fileEntry;
    expect(snapshotEntryOf(snapshotRecordOf(fileEntry))).toEqual({
      ...facts,
      xattrs: new Map([['security.capability', new Uint8Array([1, 2])]]),
    });
  });

  it('take a non-file size from nothing but the type: 0, whatever st_size was', () => {
    const dir = snapshotEntryOf(record('d', 4096n));
    expect([dir.size, dir.stat?.size, dir.mtimeNs]).toEqual([0, 4096n, 4096n]);
  });

  it('refuse an entry without a stat, and a version-1 record', () => {
    const { stat: _stat, ...noStat } = fileEntry;
    rejects(() => snapshotRecordOf(noStat));
    const { metadata: _none, ...v1 } = record('a');
    rejects(() => snapshotEntryOf(v1), 'SNAPSHOT_VERSION');
  });
});

describe('snapshotTree', () => {
  async function pathsOf(tree: ReturnType<typeof snapshotTree>): Promise<string[]> {
    const out: string[] = [];
    for await (const entry of tree.entries()) out.push(entry.path);
    return out;
  }

  it('iterates a re-iterable source once per walk', async () => {
    const tree = snapshotTree([record('a'), record('a/b'), record('c')]);
    expect(tree.statsRecorded).toBe(true);
    expect(await pathsOf(tree)).toEqual(['a', 'a/b', 'c']);
    expect(await pathsOf(tree)).toEqual(['a', 'a/b', 'c']);
  });

  it('refuses a second walk of a one-shot iterator instead of yielding an empty tree', async () => {
    const tree = snapshotTree([record('a')].values());
    expect(await pathsOf(tree)).toEqual(['a']);
    await expect(pathsOf(tree)).rejects.toMatchObject({ code: 'SNAPSHOT_CONSUMED' });
  });

  it('releases its source when a walk is abandoned', async () => {
    let released = false;
    function* source() {
      try {
        yield record('a');
        yield record('b');
      } finally {
        released = true;
      }
    }
    for await (const _entry of snapshotTree({ [Symbol.iterator]: source }).entries()) break;
    expect(released).toBe(true);
  });
});

describe('snapshotLookup', () => {
  it('is a forward merge: finds present paths, skips absent ones, refuses to go back', () => {
    let pulled = 0;
    function* source() {
      for (const p of ['a', 'a/x', 'b', 'c']) {
        pulled++;
        yield record(p);
      }
    }
    const lookup = snapshotLookup(source());
    expect(lookup.find(asBytePath('a'))?.path).toBe('a');
    expect(lookup.find(asBytePath('a/w'))).toBeUndefined();
    expect(lookup.find(asBytePath('b'))?.path).toBe('b');
    expect(pulled).toBe(3);
    expect(() => lookup.find(asBytePath('a'))).toThrowError(/backwards/);
  });
});
