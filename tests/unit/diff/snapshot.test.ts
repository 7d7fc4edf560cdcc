import type { SnapshotRecord } from '@layerkit/diff';
import {
  comparePaths,
  decodeSnapshot,
  encodeSnapshot,
  SnapshotEncoder,
  snapshotLookup,
} from '@layerkit/diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

async function bytesOf(records: SnapshotRecord[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of encodeSnapshot(records)) out.push(chunk);
  return out;
}

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('latin1');
const record = (path: string, n = 1n): SnapshotRecord => ({
  path,
  dev: 0x803n,
  ino: n,
  ctimeNs: n,
  mtimeNs: n,
  size: n,
});

const byteString = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => String.fromCharCode(...b));
const recordsArb = fc
  .uniqueArray(byteString, { maxLength: 40 })
  .chain((paths) =>
    fc.tuple(
      ...[...paths]
        .sort(comparePaths)
        .map((path) =>
          fc
            .tuple(
              fc.bigInt(0n, 2n ** 64n - 1n),
              fc.bigInt(0n, 2n ** 64n - 1n),
              fc.bigInt(-(2n ** 62n), 2n ** 62n),
            )
            .map(([dev, ino, t]) => ({ path, dev, ino, ctimeNs: t, mtimeNs: -t, size: ino >> 3n })),
        ),
    ),
  );

describe('snapshot format', () => {
  it('has the documented shape: header, escaped path, hex dev/ino, decimal times and size', async () => {
    const out = text(await bytesOf([record('a b%\n\xff', 255n)]));
    expect(out).toBe('layerkit-snapshot 1\na%20b%25%0A%FF 803 ff 255 255 255\n');
  });

  it('round-trips any byte paths and 64-bit values, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(recordsArb, fc.integer({ min: 1, max: 17 }), async (records, cut) => {
        const bytes = Buffer.concat(await bytesOf(records));
        const chunks = [];
        for (let i = 0; i < bytes.length; i += cut) chunks.push(bytes.subarray(i, i + cut));
        expect([...decodeSnapshot(chunks)]).toEqual(records);
      }),
    );
  });

  it.each([
    ['a wrong header', 'layerkit-snapshot 2\n'],
    ['a truncated line', 'layerkit-snapshot 1\na 1 1 1 1 1'],
    ['a missing field', 'layerkit-snapshot 1\na 1 1 1 1\n'],
    ['a bad escape', 'layerkit-snapshot 1\na%zz 1 1 1 1 1\n'],
    ['out-of-order paths', 'layerkit-snapshot 1\nb 1 1 1 1 1\na 1 1 1 1 1\n'],
    ['a duplicate path', 'layerkit-snapshot 1\na 1 1 1 1 1\na 1 1 1 1 1\n'],
    ['an empty file', ''],
  ])('rejects %s', (_name, body) => {
    expect(() => [...decodeSnapshot([Buffer.from(body, 'latin1')])]).toThrowError(
      expect.objectContaining({ code: 'SNAPSHOT_INVALID' }) as unknown as Error,
    );
  });

  it('the encoder refuses records out of the global order (a/b before a.b)', () => {
    const encoder = new SnapshotEncoder();
    encoder.encode(record('a'));
    encoder.encode(record('a/b'));
    encoder.encode(record('a.b'));
    expect(() => encoder.encode(record('a/c'))).toThrowError(/out of order/);
  });

  it('lookup is a forward merge: finds present paths, skips absent ones, refuses to go back', () => {
    let pulled = 0;
    function* source() {
      for (const p of ['a', 'a/x', 'b', 'c']) {
        pulled++;
        yield record(p);
      }
    }
    const lookup = snapshotLookup(source());
    expect(lookup.find('a')?.path).toBe('a');
    expect(lookup.find('a/w')).toBeUndefined();
    expect(lookup.find('b')?.path).toBe('b');
    expect(pulled).toBe(3);
    expect(() => lookup.find('a')).toThrowError(/backwards/);
  });
});
