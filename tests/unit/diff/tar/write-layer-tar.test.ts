import {
  type LayerEntry,
  type LayerTarWarning,
  pathFromUtf8,
  readTar,
  type TarHeader,
  writeLayerTar,
} from '@layerkit/diff';
import { isLayerkitError } from '@layerkit/digest';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { CAPABILITY, fixtureEntries, PAX_NAME, SPLIT_NAME } from '../../../fixtures/fixture-layer.js';
import { chunked, collect, entry, fileEntry, sha256, whiteout } from '../../../fixtures/tar-helpers.js';

async function headersOf(bytes: Uint8Array): Promise<TarHeader[]> {
  const headers: TarHeader[] = [];
  for await (const { header } of readTar(chunked(bytes))) headers.push(header);
  return headers;
}

/** Raw typeflags and names of every header block, special ones included. */
function rawHeaders(bytes: Uint8Array): { name: string; typeflag: string; size: number }[] {
  const out: { name: string; typeflag: string; size: number }[] = [];
  for (let offset = 0; offset + 512 <= bytes.length; ) {
    const block = bytes.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) break;
    const name = Buffer.from(block.subarray(0, 100)).toString('latin1').replace(/\0.*$/s, '');
    const size = Number.parseInt(Buffer.from(block.subarray(124, 136)).toString('latin1'), 8);
    const typeflag = String.fromCharCode(block[156]!);
    out.push({ name, typeflag, size });
    const body = typeflag === '0' || typeflag === 'x' ? size : 0;
    offset += 512 + Math.ceil(body / 512) * 512;
  }
  return out;
}

describe('writeLayerTar', () => {
  it('matches the pinned golden digest for the fixture layer', async () => {
    const bytes = await collect(writeLayerTar(fixtureEntries()));
    expect(bytes.length).toBe(17408);
    expect(sha256(bytes)).toBe('959df324604463fb1f9febfb80d2a8701a5813dd65800eda6cec8f0603ac673d');
  });

  it('writes names without ./ or a root entry, dirs with a trailing slash, and ends with exactly 1024 zero bytes', async () => {
    const bytes = await collect(writeLayerTar(fixtureEntries()));
    const names = (await headersOf(bytes)).map((h) => h.name);
    expect(names.slice(0, 3)).toEqual(['etc/', 'etc/.wh.old', 'etc/hosts']);
    expect(names).toContain('var/.wh..wh..opq');
    expect(names).toContain('sticky/');
    expect(names.some((n) => n.startsWith('./') || n === '' || n === '/')).toBe(false);
    expect(bytes.length % 512).toBe(0);
    expect(bytes.subarray(-1024).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(-1536, -1024).some((b) => b !== 0)).toBe(true);
  });

  it('uses PAX headers only where USTAR cannot hold a value, named like Go', async () => {
    const raw = rawHeaders(await collect(writeLayerTar(fixtureEntries())));
    const paxFor = raw.flatMap((h, i) => (h.typeflag === 'x' ? [raw[i + 1]!.name] : []));
    // ping: big ids + xattrs; PAX_NAME: unsplittable; UTF-8 name; long link target; negative mtime.
    expect(paxFor).toEqual(['usr/bin/ping', PAX_NAME.slice(0, 100), 'hllo/wrld', 'long-link', 'old-file']);
    expect(raw.filter((h) => h.typeflag === 'x').map((h) => h.name)).toEqual([
      'usr/bin/PaxHeaders.0/ping',
      `${'d'.repeat(200)}/PaxHeaders.0/f`.slice(0, 100),
      'hllo/PaxHeaders.0/wrld',
      'PaxHeaders.0/long-link',
      'PaxHeaders.0/old-file',
    ]);
    // The 210-byte ASCII name splits into prefix + name instead.
    expect(raw.find((h) => h.name === 'f'.repeat(90))).toBeDefined();
  });

  it('records every field the reader and tar-stream (oracle) read back', async () => {
    const bytes = await collect(writeLayerTar(fixtureEntries()));
    const headers = await headersOf(bytes);
    // Keyed by the byte strings as plain strings: the ASCII names are looked up as written.
    const byName = new Map<string, TarHeader>(headers.map((h) => [h.name, h]));
    const pingHeader = byName.get('usr/bin/ping')!;
    expect(pingHeader).toMatchObject({
      typeflag: '0',
      mode: 0o4755,
      uid: 2 ** 31,
      gid: 2 ** 31 + 1,
      size: 1000,
      uname: '',
      gname: '',
    });
    expect(pingHeader.mtimeNs).toBe(1_700_000_000_000_000_000n);
    expect(pingHeader.xattrs.get('security.capability')).toEqual(CAPABILITY);
    expect(byName.get(SPLIT_NAME)?.size).toBe(5);
    expect(byName.get(pathFromUtf8('héllo/wörld'))?.size).toBe(10);
    expect(byName.get('etc/hosts-hard')).toMatchObject({ typeflag: '1', linkName: 'etc/hosts', size: 0 });
    expect(byName.get('etc/null')).toMatchObject({ typeflag: '3', devMajor: 1, devMinor: 3, mode: 0o666 });
    expect(byName.get('etc/.wh.old')).toMatchObject({
      typeflag: '0',
      mode: 0,
      uid: 0,
      gid: 0,
      size: 0,
      mtimeNs: 0n,
    });
    expect(byName.get('old-file')?.mtimeNs).toBe(-2_000_000_000n);

    const oracle: {
      name: string;
      type: string;
      uid: number;
      mode: number;
      pax: Record<string, string> | null;
    }[] = [];
    const ex = extract();
    const done = new Promise<void>((resolve, reject) => {
      ex.on('entry', (header, stream, next) => {
        oracle.push({
          name: header.name,
          type: String(header.type),
          uid: header.uid,
          mode: header.mode,
          pax: (header.pax as Record<string, string> | undefined) ?? null,
        });
        stream.on('end', next);
        stream.resume();
      });
      ex.on('finish', resolve);
      ex.on('error', reject);
    });
    ex.end(Buffer.from(bytes));
    await done;
    expect(oracle.map((e) => e.name)).toEqual(
      headers.map((h) => Buffer.from(h.name, 'latin1').toString('utf8')),
    );
    // tar-stream does not apply PAX ids itself; the records are there, the USTAR field reads 0 (as Go writes).
    const ping = oracle.find((e) => e.name === 'usr/bin/ping');
    expect(ping).toMatchObject({ type: 'file', uid: 0, mode: 0o4755 });
    expect(ping?.pax).toMatchObject({ uid: String(2 ** 31), gid: String(2 ** 31 + 1) });
    expect(oracle.find((e) => e.name === 'etc/hosts-hard')?.type).toBe('link');
  });

  it('produces identical bytes for equal input, whatever the content chunking or sync/async sources', async () => {
    const reference = await collect(writeLayerTar(fixtureEntries()));
    const rechunked = fixtureEntries().map((e): LayerEntry => {
      if (e.kind !== 'entry' || e.entry.content === undefined) return e;
      const original = e.entry.content;
      return {
        kind: 'entry',
        entry: {
          ...e.entry,
          content: async function* () {
            for await (const chunk of original()) for (const byte of chunk) yield new Uint8Array([byte]);
          },
        },
      };
    });
    async function* asyncEntries() {
      yield* rechunked;
    }
    expect(sha256(await collect(writeLayerTar(asyncEntries())))).toBe(sha256(reference));
  });

  it('copies content chunks a producer reuses, and yields chunks the consumer owns (≤ 1 MiB)', async () => {
    const size = 3 * 1024 * 1024 + 123;
    const reused = new Uint8Array(65536);
    const big: LayerEntry = entry('big', 'file', {
      size,
      content: function* () {
        for (let offset = 0; offset < size; offset += reused.length) {
          reused.fill((offset / reused.length) % 251);
          yield reused.subarray(0, Math.min(reused.length, size - offset));
        }
      },
    });
    const chunks: Uint8Array[] = [];
    for await (const chunk of writeLayerTar([big])) chunks.push(chunk); // no copy: must stay valid
    expect(chunks.every((c) => c.length <= 1024 * 1024)).toBe(true);
    const bytes = Buffer.concat(chunks);
    const [item] = await readAll(bytes);
    expect(item?.header.size).toBe(size);
    for (let offset = 0; offset < size; offset += 65536)
      expect(item?.content[offset]).toBe((offset / 65536) % 251);
  });

  it('never yields an empty chunk, even when the first header overflows an output block', async () => {
    const big = new Uint8Array(1024 * 1024 - 100).fill(1);
    const chunks: Uint8Array[] = [];
    for await (const chunk of writeLayerTar([fileEntry('x', 'a', { xattrs: new Map([['user.big', big]]) })]))
      chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.every((c) => c.length > 0)).toBe(true);
    const headers = await headersOf(Buffer.concat(chunks));
    expect(headers[0]?.xattrs.get('user.big')).toEqual(big);
  });

  it('truncates mtimes to seconds, clamps them to SOURCE_DATE_EPOCH, or fixes them', async () => {
    const entries = () => [
      fileEntry('late', 'a', { mtimeNs: 2_000_000_000_999_999_999n }),
      fileEntry('early', 'b', { mtimeNs: 1_000_000_000_999_999_999n }),
      whiteout('gone'),
    ];
    const mtimes = async (options: Parameters<typeof writeLayerTar>[1]) =>
      (await headersOf(await collect(writeLayerTar(entries(), options)))).map(
        (h) => h.mtimeNs / 1_000_000_000n,
      );
    expect(await mtimes({})).toEqual([2_000_000_000n, 1_000_000_000n, 0n]);
    expect(await mtimes({ sourceDateEpoch: 1_500_000_000 })).toEqual([1_500_000_000n, 1_000_000_000n, 0n]);
    expect(await mtimes({ fixedMtime: 1 })).toEqual([1n, 1n, 0n]);
  });

  it.each([-1, 1.5, Number.NaN, 253_402_300_800])(
    'refuses SOURCE_DATE_EPOCH %s before the first chunk',
    async (sourceDateEpoch) => {
      const layer = writeLayerTar([fileEntry('a', 'x')], { sourceDateEpoch });
      const error = await collect(layer).catch((e: unknown) => e);
      expect(isLayerkitError(error, 'INVALID_SOURCE_DATE_EPOCH')).toBe(true);
    },
  );

  it('skips sockets and unrepresentable xattrs with warnings', async () => {
    const warnings: LayerTarWarning[] = [];
    const bytes = await collect(
      writeLayerTar(
        [
          entry('sock', 'socket'),
          fileEntry('f', 'x', {
            xattrs: new Map([
              ['user.empty', new Uint8Array()],
              ['user.ok', new Uint8Array([1])],
            ]),
          }),
        ],
        { onWarning: (w) => warnings.push(w) },
      ),
    );
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['SOCKET_SKIPPED', 'sock'],
      ['XATTR_SKIPPED', 'f'],
    ]);
    const headers = await headersOf(bytes);
    expect(headers.map((h) => h.name)).toEqual(['f']);
    expect([...headers[0]!.xattrs.keys()]).toEqual(['user.ok']);
  });

  it.each([
    ['WHITEOUT_NAME_IN_SOURCE', [fileEntry('a/.wh.b', '')], /a\/\.wh\.b/],
    ['CONTENT_SIZE_MISMATCH', [fileEntry('grew', 'abc', { size: 2 })], /"grew" grew/],
    ['CONTENT_SIZE_MISMATCH', [fileEntry('shrank', 'abc', { size: 4 })], /"shrank" shrank/],
    ['INVALID_PATH', [fileEntry('nul\0name', '')], /NUL/],
    ['INVALID_WHITEOUT', [whiteout('')], /root/],
    [
      'PAX_HEADER_TOO_LARGE',
      [fileEntry('caps', '', { xattrs: new Map([['user.big', new Uint8Array(1024 * 1024)]]) })],
      /"caps"/,
    ],
    ['INVALID_ID', [fileEntry('id', '', { uid: 2 ** 32 - 1 })], /"id": uid 4294967295/],
    ['INVALID_ID', [fileEntry('neg', '', { gid: -1 })], /"neg": gid -1/],
    ['DEVICE_NUMBER_TOO_LARGE', [entry('dev', 'char', { devMajor: 2 ** 21 })], /"dev"/],
  ] as const)('throws %s naming the path', async (code, entries, message) => {
    const error = await collect(writeLayerTar(entries)).catch((e: unknown) => e);
    expect(isLayerkitError(error, code)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

async function readAll(bytes: Uint8Array): Promise<{ header: TarHeader; content: Uint8Array }[]> {
  const items: { header: TarHeader; content: Uint8Array }[] = [];
  for await (const { header, body } of readTar(chunked(bytes, [4096])))
    items.push({ header, content: await collect(body) });
  return items;
}
