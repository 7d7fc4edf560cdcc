/**
 * The strict reader on malformed and hostile archives (reference T17–T25): every failure is a
 * LayerkitError with its code, naming the entry and offset.
 */
import { readTar, type TarEntry, type TarLimits } from '@layerkit/diff';
import { isLayerkitError, type LayerkitError } from '@layerkit/digest';
import { describe, expect, it } from 'vitest';
import { chunked, collect, craftEntry, END_OF_ARCHIVE, paxPayload } from '../../../fixtures/tar-helpers.js';

const bytes = (...parts: Uint8Array[]) => Buffer.concat(parts);

async function readAll(
  archive: Uint8Array,
  limits?: TarLimits,
  sizes = [7, 512, 4096],
): Promise<TarEntry['header'][]> {
  const headers: TarEntry['header'][] = [];
  for await (const { header, body } of readTar(chunked(archive, sizes), limits)) {
    await collect(body);
    headers.push(header);
  }
  return headers;
}

async function failure(archive: Uint8Array, limits?: TarLimits): Promise<LayerkitError> {
  const error = await readAll(archive, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLayerkitError(error)) throw new Error(`expected a LayerkitError, got ${String(error)}`);
  return error;
}

const file = craftEntry('file.txt', '0', new TextEncoder().encode('hello'));

describe('readTar errors', () => {
  it.each<[string, string, Uint8Array, TarLimits?]>([
    [
      'TAR_BAD_CHECKSUM',
      'a header whose bytes do not match its checksum',
      bytes(
        file.map((b, i) => (i === 3 ? 0x58 : b)),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_BAD_NUMBER',
      'a size field with a non-octal digit',
      bytes(
        craftEntry('bad-octal', '0', undefined, (b) => b.set(Buffer.from('0000000008a\0'), 124)),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_NEGATIVE_NUMBER',
      'a base-256 size of -1 (Go neg-size.tar)',
      bytes(
        craftEntry('neg-size', '0', undefined, (b) => b.fill(0xff, 124, 136)),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_NEGATIVE_NUMBER',
      'a base-256 uid of -1',
      bytes(
        craftEntry('neg-uid', '0', undefined, (b) => b.fill(0xff, 108, 116)),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_ID_OUT_OF_RANGE',
      'a base-256 uid of 2^32-1 (chown "no change")',
      bytes(
        craftEntry('big-uid', '0', undefined, (b) => b.set([0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], 108)),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_ID_OUT_OF_RANGE',
      'a PAX gid of 4294967295',
      bytes(
        craftEntry('p', 'x', paxPayload([['gid', '4294967295']])),
        craftEntry('pax-gid', '0'),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_NUMBER_OVERFLOW',
      'a base-256 size beyond 2^53',
      bytes(
        craftEntry('huge', '0', undefined, (b) =>
          b.set([0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 124),
        ),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_HEADER_TOO_LARGE',
      'a PAX header declaring 16 MiB (T17)',
      bytes(craftEntry('big-pax', 'x', undefined, (b) => b.set(Buffer.from('00100000000\0'), 124))),
    ],
    [
      'TAR_HEADER_TOO_LARGE',
      'a GNU long name above the configured cap',
      bytes(
        craftEntry('././@LongLink', 'L', new Uint8Array(600).fill(0x61)),
        craftEntry('x', '0'),
        END_OF_ARCHIVE,
      ),
      { maxSpecialHeaderBytes: 512 },
    ],
    [
      'TAR_SPARSE',
      'a GNU sparse typeflag S in a header that is not GNU (T18)',
      bytes(craftEntry('sparse', 'S'), END_OF_ARCHIVE),
    ],
    [
      'TAR_SPARSE',
      'PAX GNU.sparse 1.0 records with no map in the body (T18)',
      bytes(
        craftEntry(
          'p',
          'x',
          paxPayload([
            ['GNU.sparse.major', '1'],
            ['GNU.sparse.minor', '0'],
            ['GNU.sparse.realsize', '1099511627776'],
          ]),
        ),
        craftEntry('sparse', '0'),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_PATH_TOO_LONG',
      'a PAX path longer than the limit (T20)',
      bytes(
        craftEntry('p', 'x', paxPayload([['path', 'a'.repeat(5000)]])),
        craftEntry('x', '0'),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_PATH_TOO_DEEP',
      'a path with 1025 components (T20)',
      bytes(
        craftEntry('p', 'x', paxPayload([['path', `${'a/'.repeat(1024)}b`]])),
        craftEntry('x', '0'),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_PATH_TOO_DEEP',
      'a path with 1025 components, the limit given as undefined (the default applies)',
      bytes(
        craftEntry('p', 'x', paxPayload([['path', `${'a/'.repeat(1024)}b`]])),
        craftEntry('x', '0'),
        END_OF_ARCHIVE,
      ),
      { maxPathDepth: undefined },
    ],
    [
      'TAR_TOO_MANY_ENTRIES',
      'more entries than allowed',
      bytes(file, file, file, END_OF_ARCHIVE),
      { maxEntries: 2 },
    ],
    [
      'TAR_NUL_IN_PATH',
      'a NUL byte inside a PAX path (Go pax-nul-path.tar, T21)',
      bytes(craftEntry('p', 'x', paxPayload([['path', 'evil\0.txt']])), craftEntry('x', '0'), END_OF_ARCHIVE),
    ],
    [
      'TAR_BAD_PAX',
      'a PAX record whose length is wrong',
      bytes(
        craftEntry('p', 'x', new TextEncoder().encode('99 path=x\n')),
        craftEntry('x', '0'),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_BAD_PAX',
      'a PAX uid that is not a number',
      bytes(craftEntry('p', 'x', paxPayload([['uid', '-1']])), craftEntry('x', '0'), END_OF_ARCHIVE),
    ],
    ...['+5', ' 5', '5 ', '5a', '0x5', '5.0', '-05'].map((size): [string, string, Uint8Array] => [
      'TAR_BAD_PAX',
      `a PAX size ${JSON.stringify(size)} (a sign, a blank or a non-digit, as Go refuses)`,
      bytes(craftEntry('p', 'x', paxPayload([['size', size]])), craftEntry('x', '0'), END_OF_ARCHIVE),
    ]),
    [
      'TAR_NUMBER_OVERFLOW',
      'a PAX size above 2^53 behind leading zeros',
      bytes(
        craftEntry('p', 'x', paxPayload([['size', `000${'9'.repeat(17)}`]])),
        craftEntry('x', '0'),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_ID_OUT_OF_RANGE',
      'a PAX uid of 4294967295 behind leading zeros',
      bytes(
        craftEntry('p', 'x', paxPayload([['uid', '00000000004294967295']])),
        craftEntry('x', '0'),
        END_OF_ARCHIVE,
      ),
    ],
    [
      'TAR_BAD_PAX',
      'a PAX mtime of 19 significant digits behind leading zeros',
      bytes(
        craftEntry('p', 'x', paxPayload([['mtime', `00${'1'.repeat(19)}`]])),
        craftEntry('x', '0'),
        END_OF_ARCHIVE,
      ),
    ],
    ['TAR_UNKNOWN_TYPE', 'typeflag V (T25)', bytes(craftEntry('volume', 'V'), END_OF_ARCHIVE)],
    ['TAR_UNKNOWN_TYPE', 'typeflag D (GNU dumpdir)', bytes(craftEntry('dumpdir', 'D'), END_OF_ARCHIVE)],
    ['TAR_TRUNCATED', 'EOF inside a header', file.subarray(0, 300)],
    ['TAR_TRUNCATED', 'EOF inside a body', file.subarray(0, 514)],
    ['TAR_TRUNCATED', 'EOF inside body padding', file.subarray(0, 600)],
    [
      'TAR_TRUNCATED',
      'EOF inside a PAX payload',
      craftEntry('p', 'x', paxPayload([['path', 'x'.repeat(700)]])).subarray(0, 900),
    ],
    [
      'TAR_TOO_LARGE',
      'a stream above maxTotalBytes',
      bytes(file, file, END_OF_ARCHIVE),
      { maxTotalBytes: 2000 },
    ],
    [
      'TAR_BAD_HEADER',
      'a zero block followed by a header',
      bytes(file, new Uint8Array(512), file, END_OF_ARCHIVE),
    ],
    [
      'TAR_BAD_HEADER',
      'a PAX header with no entry before the end',
      bytes(craftEntry('p', 'x', paxPayload([['path', 'x']])), END_OF_ARCHIVE),
    ],
  ])('%s: %s', async (code, _what, archive, limits) => {
    const error = await failure(archive, limits);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/at offset \d+/);
    expect(typeof error.details.offset).toBe('number');
  });

  it('names the entry and the offset of its first header block', async () => {
    const bad = craftEntry('second.txt', '0', undefined, (b) => b.set(Buffer.from('0000000009\0\0'), 124));
    const error = await failure(bytes(file, bad, END_OF_ARCHIVE));
    expect(error.message).toBe(
      'tar entry "second.txt" at offset 1024: invalid octal size field "0000000009"',
    );
    expect(error.details).toEqual({ offset: 1024, name: 'second.txt' });
  });

  it('bounds a 512 KiB GNU long name by the path limit, with a short message', async () => {
    const name = new Uint8Array(512 * 1024).fill(0x61);
    const error = await failure(
      bytes(craftEntry('././@LongLink', 'L', name), craftEntry('x', '0'), END_OF_ARCHIVE),
    );
    expect(error.code).toBe('TAR_PATH_TOO_LONG');
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toContain(`tar entry "${'a'.repeat(256)}…" at offset `);
    expect((error.details.name as string).length).toBe(name.length);
  });

  it('throws TAR_BODY_EXPIRED when a body is read after moving on', async () => {
    const bodies: AsyncIterable<Uint8Array>[] = [];
    for await (const { body } of readTar(chunked(bytes(file, file, END_OF_ARCHIVE)))) bodies.push(body);
    const error = await collect(bodies[0]!).catch((e: unknown) => e);
    expect(isLayerkitError(error, 'TAR_BODY_EXPIRED')).toBe(true);
  });
});

describe('readTar leniency where the formats allow it', () => {
  it('accepts signed checksums (old Sun/GNU writers)', async () => {
    const entry = craftEntry(Buffer.from([0x6e, 0xe9]), '0');
    let signed = 0;
    for (let i = 0; i < 512; i++)
      signed += i >= 148 && i < 156 ? 0x20 : entry[i]! < 128 ? entry[i]! : entry[i]! - 256;
    entry.set(Buffer.from(`${signed.toString(8).padStart(6, '0')}\0 `), 148);
    expect((await readAll(bytes(entry, END_OF_ARCHIVE))).map((h) => h.name)).toEqual(['n\xe9']);
  });

  it('reports typeflags \\0 and 7 as 0, and \\0 with a trailing slash as a directory', async () => {
    const archive = bytes(
      craftEntry('legacy', '\0'),
      craftEntry('contiguous', '7'),
      craftEntry('old-dir/', '\0'),
      END_OF_ARCHIVE,
    );
    expect((await readAll(archive)).map((h) => [h.name, h.typeflag])).toEqual([
      ['legacy', '0'],
      ['contiguous', '0'],
      ['old-dir/', '5'],
    ]);
  });

  it('ignores PAX global headers for paths, and applies local PAX records over GNU long names', async () => {
    const archive = bytes(
      craftEntry('g', 'g', paxPayload([['path', 'global-path']])),
      craftEntry('././@LongLink', 'L', new TextEncoder().encode('gnu-long-name\0')),
      craftEntry(
        'p',
        'x',
        paxPayload([
          ['path', 'pax-path'],
          ['mtime', '-1.25'],
          ['SCHILY.xattr.user.k', new Uint8Array([0, 10, 61])],
        ]),
      ),
      craftEntry('short', '0'),
      craftEntry('././@LongLink', 'L', new TextEncoder().encode(`${'n'.repeat(300)}\0`)),
      craftEntry('././@LongLink', 'K', new TextEncoder().encode(`${'t'.repeat(200)}\0`)),
      craftEntry('short2', '2'),
      END_OF_ARCHIVE,
    );
    const [first, second] = await readAll(archive);
    expect(first).toMatchObject({ name: 'pax-path', mtimeNs: -1_250_000_000n });
    expect(first?.xattrs.get('user.k')).toEqual(new Uint8Array([0, 10, 61]));
    expect(second).toMatchObject({ name: 'n'.repeat(300), linkName: 't'.repeat(200), typeflag: '2' });
  });

  it('reads PAX numbers with leading zeros, as Go and GNU tar do', async () => {
    const body = new TextEncoder().encode('hello');
    const archive = bytes(
      craftEntry(
        'p',
        'x',
        paxPayload([
          ['size', '000000000000000000000000005'],
          ['uid', '00000000000000000001000'],
          ['gid', '0'],
          ['mtime', '0000000000000000000001600000000.000000000000000000500'],
        ]),
      ),
      craftEntry('zeros', '0', body, (b) => b.set(Buffer.from('00000000000\0'), 124)),
      END_OF_ARCHIVE,
    );
    const headers: TarEntry['header'][] = [];
    for await (const { header, body: content } of readTar(chunked(archive, [512]))) {
      expect(new TextDecoder().decode(await collect(content))).toBe('hello');
      headers.push(header);
    }
    expect(headers).toHaveLength(1);
    expect(headers[0]).toMatchObject({ size: 5, uid: 1000, gid: 0, mtimeNs: 1_600_000_000_000_000_000n });
  });

  it('accepts a missing trailer and skips bodies the consumer does not read', async () => {
    const names: string[] = [];
    for await (const { header } of readTar(chunked(bytes(file, craftEntry('next', '5')), [100])))
      names.push(header.name);
    expect(names).toEqual(['file.txt', 'next']);
  });

  it('reads data after the end-of-archive blocks to EOF without parsing it (T23)', async () => {
    const junk = new Uint8Array(1 << 20).fill(0x41);
    let pulled = 0;
    async function* source() {
      for await (const chunk of chunked(bytes(file, END_OF_ARCHIVE, junk), [65536])) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const headers = [];
    for await (const { header } of readTar(source())) headers.push(header);
    expect(headers).toHaveLength(1);
    expect(pulled).toBe(file.length + 1024 + junk.length);
  });
});
