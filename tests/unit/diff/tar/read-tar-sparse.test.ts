/**
 * GNU sparse files as GNU tar writes them (old GNU, PAX 0.0, 0.1 and 1.0): readTar reports the
 * real name and size and yields the expanded file, holes as zeros, as Go's archive/tar does (T18).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readTar, type TarLimits } from '@layerkit/diff';
import { isLayerkitError } from '@layerkit/digest';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../../fixtures/scratch.js';
import {
  chunked,
  collect,
  craftEntry,
  END_OF_ARCHIVE,
  octalField,
  paxPayload,
  sha256,
} from '../../../fixtures/tar-helpers.js';

const scratch = scratchDir('sparse');
afterAll(() => scratch.remove());
const sources = join(scratch.path, 'src');

const MIB = 1024 * 1024;

/** A sparse file of `size` bytes holding `writes` (offset → text), everything else a hole. */
function sparseFile(name: string, size: number, writes: [number, string][]): string {
  const path = join(sources, name);
  mkdirSync(join(path, '..'), { recursive: true });
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (const [offset, text] of writes) writeSync(fd, Buffer.from(text), 0, text.length, offset);
  } finally {
    closeSync(fd);
  }
  return name;
}

const FILES = [
  sparseFile('big', 10 * MIB, [
    [4096, 'x'],
    [5_000_000, 'hello'],
    [10 * MIB - 3, 'END'],
  ]),
  sparseFile('tail-hole', 3 * MIB, [[0, 'head']]),
  sparseFile('all-hole', MIB, []),
  // 30 regions: the old GNU format needs two extension blocks (4 in the header, 21 per block).
  sparseFile(
    'many',
    4 * MIB,
    Array.from({ length: 30 }, (_, i): [number, string] => [i * 128 * 1024 + 7, `r${i}`]),
  ),
  sparseFile(`${'d'.repeat(60)}/${'long-name-'.repeat(8)}sparse`, 2 * MIB, [[MIB, 'middle']]),
];

const FORMATS: [string, string[]][] = [
  ['old GNU (typeflag S)', ['--format=gnu']],
  ['PAX 0.0', ['--format=posix', '--sparse-version=0.0']],
  ['PAX 0.1', ['--format=posix', '--sparse-version=0.1']],
  ['PAX 1.0', ['--format=posix', '--sparse-version=1.0']],
];

function gnuTar(name: string, options: string[]): Uint8Array {
  const archive = join(scratch.path, `${name}.tar`);
  const result = spawnSync('tar', ['--sparse', ...options, '-cf', archive, '-C', sources, ...FILES], {
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return readFileSync(archive);
}

describe('readTar on sparse files written by GNU tar', () => {
  it.each(FORMATS)('%s: real names and sizes, the expanded bytes', async (format, options) => {
    const archive = gnuTar(format.replace(/\W+/g, '-'), options);
    // The archive stores the holes as nothing: it is far smaller than the files.
    expect(archive.length).toBeLessThan(MIB);
    for (const sizes of [[archive.length], [7, 512, 4096]]) {
      const read: [string, string, number, string][] = [];
      for await (const { header, body } of readTar(chunked(archive, sizes))) {
        const bytes = await collect(body);
        expect(bytes.length).toBe(header.size);
        read.push([header.name, header.typeflag, header.size, sha256(bytes)]);
      }
      const expected = FILES.map((name): [string, string, number, string] => {
        const bytes = readFileSync(join(sources, name));
        return [name, '0', bytes.length, sha256(bytes)];
      });
      // GNU tar also stores the long name's parent directory.
      expect(read.filter(([, typeflag]) => typeflag !== '5')).toEqual(expected);
    }
  });

  it('yields zeros in the holes and the data at its offsets', async () => {
    const archive = gnuTar('pax-1.0-bytes', ['--format=posix', '--sparse-version=1.0']);
    for await (const { header, body } of readTar(chunked(archive, [4096]))) {
      if (header.name !== 'big') continue;
      const bytes = await collect(body);
      expect(Buffer.from(bytes.subarray(4096, 4097)).toString()).toBe('x');
      expect(Buffer.from(bytes.subarray(5_000_000, 5_000_005)).toString()).toBe('hello');
      expect(Buffer.from(bytes.subarray(10 * MIB - 3)).toString()).toBe('END');
      expect(bytes.subarray(0, 4096).every((byte) => byte === 0)).toBe(true);
      expect(bytes.subarray(4097, 5_000_000).every((byte) => byte === 0)).toBe(true);
    }
  });
});

const bytes = (...parts: Uint8Array[]) => Buffer.concat(parts);
const text = (value: string) => Buffer.from(value, 'latin1');

/** A PAX sparse entry: `records` in its `x` header, `data` as its body (typeflag `typeflag`). */
function paxSparse(records: [string, string][], data: string, typeflag = '0'): Uint8Array {
  return bytes(
    craftEntry('p', 'x', paxPayload(records)),
    craftEntry('GNUSparseFile.0/s', typeflag, text(data)),
    END_OF_ARCHIVE,
  );
}

/** Format 0.1 records: a file of `size` bytes whose map is `map` (`offset,length,…`). */
function v01(map: string, numblocks: number, size = 200): [string, string][] {
  return [
    ['GNU.sparse.major', '0'],
    ['GNU.sparse.minor', '1'],
    ['GNU.sparse.name', 's'],
    ['GNU.sparse.size', String(size)],
    ['GNU.sparse.numblocks', String(numblocks)],
    ['GNU.sparse.map', map],
  ];
}

/** Format 1.0 records for a file of `size` bytes; the body holds the map, padded, then the data. */
function v10(size: number): [string, string][] {
  return [
    ['GNU.sparse.major', '1'],
    ['GNU.sparse.minor', '0'],
    ['GNU.sparse.name', 's'],
    ['GNU.sparse.realsize', String(size)],
  ];
}

/** `map` as a 1.0 map block (newline-terminated decimals, padded to 512 bytes). */
function mapBlock(map: string): string {
  return map.padEnd(Math.ceil(map.length / 512) * 512, '\0');
}

/** An old GNU sparse entry (typeflag `S`): `regions` in the header, `realSize`, `data` as body. */
function oldGnuSparse(regions: [number, number][], realSize: number, data: string): Uint8Array {
  const entry = craftEntry('s', 'S', text(data), (block) => {
    block.set(text('ustar  \0'), 257);
    regions.forEach(([offset, length], i) => {
      block.set(octalField(offset, 12), 386 + i * 24);
      block.set(octalField(length, 12), 398 + i * 24);
    });
    block.set(octalField(realSize, 12), 483);
  });
  return bytes(entry, END_OF_ARCHIVE);
}

async function readAll(archive: Uint8Array, limits?: TarLimits): Promise<[string, number, string][]> {
  const out: [string, number, string][] = [];
  for await (const { header, body } of readTar(chunked(archive, [7, 512, 4096]), limits)) {
    out.push([header.name, header.size, Buffer.from(await collect(body)).toString('latin1')]);
  }
  return out;
}

describe('readTar on crafted sparse entries', () => {
  it('expands each format from a hand-written map', async () => {
    const expanded = `${'\0'.repeat(10)}abc${'\0'.repeat(7)}de`;
    expect(await readAll(paxSparse(v01('10,3,20,2', 2, 22), 'abcde'))).toEqual([['s', 22, expanded]]);
    const v00: [string, string][] = [
      ['GNU.sparse.size', '22'],
      ['GNU.sparse.numblocks', '2'],
      ['GNU.sparse.offset', '10'],
      ['GNU.sparse.numbytes', '3'],
      ['GNU.sparse.offset', '20'],
      ['GNU.sparse.numbytes', '2'],
      ['path', 's'],
    ];
    expect(await readAll(paxSparse(v00, 'abcde'))).toEqual([['s', 22, expanded]]);
    expect(await readAll(paxSparse(v10(22), `${mapBlock('2\n10\n3\n20\n2\n')}abcde`))).toEqual([
      ['s', 22, expanded],
    ]);
    expect(
      await readAll(
        oldGnuSparse(
          [
            [10, 3],
            [20, 2],
          ],
          22,
          'abcde',
        ),
      ),
    ).toEqual([['s', 22, expanded]]);
  });

  it('reads the map numbers with leading zeros, as Go does', async () => {
    const records = v01('0010,0003,00020,2', 2, 22).map(([key, value]): [string, string] =>
      key === 'GNU.sparse.size' ? [key, '0000000000000000000022'] : [key, value],
    );
    expect(await readAll(paxSparse(records, 'abcde'))).toEqual([
      ['s', 22, `${'\0'.repeat(10)}abc${'\0'.repeat(7)}de`],
    ]);
    expect(await readAll(paxSparse(v10(5), `${mapBlock('001\n000\n0005\n')}abcde`))).toEqual([
      ['s', 5, 'abcde'],
    ]);
  });

  it('reads an entry with sparse records of an unknown version as a plain file, as Go does', async () => {
    const records: [string, string][] = [
      ['GNU.sparse.major', '2'],
      ['GNU.sparse.minor', '0'],
      ['GNU.sparse.realsize', '1099511627776'],
    ];
    expect(await readAll(paxSparse(records, 'raw'))).toEqual([['GNUSparseFile.0/s', 3, 'raw']]);
  });

  it('fails a body read after moving on, holes included', async () => {
    const iterator = readTar(chunked(paxSparse(v01('150,3', 1), 'abc'), [512]))[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    await iterator.next();
    const error = await collect(first.value!.body).catch((e: unknown) => e);
    expect(isLayerkitError(error, 'TAR_BODY_EXPIRED')).toBe(true);
  });
});

describe('readTar refuses invalid sparse maps as Go does (T18)', () => {
  it.each<[string, string, Uint8Array, TarLimits?]>([
    ['TAR_SPARSE', 'regions out of order', paxSparse(v01('100,10,50,10', 2), 'x'.repeat(20))],
    ['TAR_SPARSE', 'overlapping regions', paxSparse(v01('0,10,5,10', 2), 'x'.repeat(20))],
    ['TAR_SPARSE', 'a region past the real size', paxSparse(v01('0,10,195,10', 2), 'x'.repeat(20))],
    ['TAR_SPARSE', 'numblocks not matching the map', paxSparse(v01('0,10,50,10', 3), 'x'.repeat(20))],
    [
      'TAR_SPARSE',
      'no numblocks',
      paxSparse(
        v01('0,10', 1)
          .slice(0, 4)
          .concat([['GNU.sparse.map', '0,10']]),
        'x'.repeat(10),
      ),
    ],
    ['TAR_SPARSE', 'more data than the map refers to', paxSparse(v01('0,10', 1), 'x'.repeat(30))],
    ['TAR_SPARSE', 'less data than the map refers to', paxSparse(v01('0,10', 1), 'x'.repeat(5))],
    ['TAR_SPARSE', 'a signed length', paxSparse(v01('0,+10', 1), 'x'.repeat(10))],
    ['TAR_SPARSE', 'a negative offset', paxSparse(v01('-1,10', 1), 'x'.repeat(10))],
    ['TAR_SPARSE', 'a non-digit', paxSparse(v01('0,1a', 1), 'x'.repeat(10))],
    ['TAR_SPARSE', 'an offset beyond 2^53', paxSparse(v01('99999999999999999999,1', 1), 'x')],
    ['TAR_SPARSE', 'a real size that is not a number', paxSparse(v01('0,1', 1, Number.NaN), 'x')],
    [
      'TAR_SPARSE',
      'format 0.0 records out of order',
      paxSparse(
        [
          ['GNU.sparse.numblocks', '1'],
          ['GNU.sparse.numbytes', '1'],
          ['GNU.sparse.offset', '0'],
        ],
        'x',
      ),
    ],
    ['TAR_SPARSE', 'a sparse symlink', paxSparse(v01('0,0', 1), '', '2')],
    ['TAR_SPARSE', 'a 1.0 map running past the data', paxSparse(v10(100), mapBlock('5\n1\n'))],
    ['TAR_SPARSE', 'a 1.0 map with a bad count', paxSparse(v10(100), mapBlock('x\n'))],
    [
      'TAR_SPARSE',
      'a 1.0 map longer than maxSpecialHeaderBytes',
      paxSparse(v10(100), mapBlock(`1\n${'0'.repeat(1000)}\n1\n`)),
      { maxSpecialHeaderBytes: 512 },
    ],
    [
      'TAR_SPARSE',
      'old GNU regions out of order',
      oldGnuSparse(
        [
          [20, 2],
          [10, 3],
        ],
        22,
        'abcde',
      ),
    ],
    ['TAR_SPARSE', 'an old GNU region past realsize', oldGnuSparse([[20, 5]], 22, 'abcde')],
    [
      'TAR_NUL_IN_PATH',
      'a NUL in GNU.sparse.name',
      paxSparse([...v01('0,1', 1), ['GNU.sparse.name', 'a\0b']], 'x'),
    ],
    [
      'TAR_TOO_LARGE',
      'holes taking the archive past maxTotalBytes (T28)',
      paxSparse(v10(2 ** 40), `${mapBlock('1\n0\n1\n')}x`),
      { maxTotalBytes: 1024 * 1024 },
    ],
    [
      'TAR_TOO_LARGE',
      'a 1 TiB sparse file: its holes count against the default 1 TiB cap (T28)',
      paxSparse(v10(2 ** 40), mapBlock('0\n')),
    ],
  ])('%s: %s', async (code, _what, archive, limits) => {
    const error = await readAll(archive, limits).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLayerkitError(error, code as 'TAR_SPARSE')).toBe(true);
    expect((error as Error).message).toMatch(/^tar entry "[^"]+" at offset \d+: /);
  });
});
