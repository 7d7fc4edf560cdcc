import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type ByteSource,
  type Codec,
  type DigestRuntime,
  decompressAuto,
  LayerkitError,
  levelRange,
  portableRuntime,
  sniffCompression,
} from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import { chunked, collect, layerkitFailure, mixedBytes, withoutZstd } from '../../fixtures/digest-helpers.js';
import { errorOf } from '../../fixtures/error-of.js';
import { NODE_HAS_ZSTD_ENCODER } from '../../fixtures/zstd-encoder.js';
import { ZSTD_SAMPLE, ZSTD_SAMPLE_TEXT } from '../../fixtures/zstd-frames.js';

/**
 * `count` empty gzip members back to back. They are all the same 20 bytes, so one is compressed
 * and repeated: compressing each anew was most of the flood tests' time (7 of 8 s, 4× that on a
 * loaded machine, against the 60 s test timeout).
 */
function emptyMembers(count: number): Buffer {
  return Buffer.concat(new Array<Buffer>(count).fill(gzipSync(Buffer.alloc(0))));
}

// fflate is a dependency of @layerkit/digest, not of the repo root: resolve it from there.
const fflate = createRequire(new URL('../../../packages/digest/package.json', import.meta.url))(
  'fflate',
) as typeof import('fflate');

const runtimes: [string, DigestRuntime][] = [
  ['portable', portableRuntime],
  ['node', nodeRuntime],
];
const data = mixedBytes(2_500_000, 11);

describe.each(runtimes)('%s gzip codec', (_name, runtime) => {
  const gzip: Codec = runtime.codec('gzip');

  it('writes a reproducible header: mtime 0, no file name', async () => {
    const out = await collect(gzip.compress(chunked(data)));
    expect([...out.subarray(0, 4)]).toEqual([0x1f, 0x8b, 0x08, 0x00]);
    expect(out.readUInt32LE(4)).toBe(0);
    expect(out.equals(await collect(gzip.compress(chunked(data, [977]))))).toBe(true);
  });

  it('round-trips, and zlib reads the output', async () => {
    const out = await collect(gzip.compress(chunked(data), { level: 1 }));
    expect(gunzipSync(out).equals(data)).toBe(true);
    expect((await collect(gzip.decompress(chunked(out, [1, 4096, 333])))).equals(data)).toBe(true);
  });

  it('uses level 6 by default', async () => {
    const byDefault = await collect(gzip.compress(chunked(data)));
    expect(byDefault.equals(await collect(gzip.compress(chunked(data), { level: 6 })))).toBe(true);
    expect(byDefault.equals(await collect(gzip.compress(chunked(data), { level: 1 })))).toBe(false);
  });

  it.each([0, 10, 2.5, Number.NaN])('rejects level %s', (level) => {
    expect(() => gzip.compress(chunked(data), { level })).toThrow(/integer from 1 to 9/);
  });

  it('reads every member of a multi-member gzip', async () => {
    const first = data.subarray(0, 1000);
    const second = data.subarray(1000, 300_000);
    const members = Buffer.concat([gzipSync(first), gzipSync(Buffer.alloc(0)), gzipSync(second)]);
    expect((await collect(gzip.decompress(chunked(members, [100])))).equals(data.subarray(0, 300_000))).toBe(
      true,
    );
  });

  it('rejects truncated and non-gzip input with CORRUPT_COMPRESSED_DATA', async () => {
    const out = gzipSync(data);
    for (const bad of [out.subarray(0, out.length >> 1), Buffer.from('not gzip at all')]) {
      const error = await layerkitFailure(() => collect(gzip.decompress(chunked(bad))));
      expect(error.code).toBe('CORRUPT_COMPRESSED_DATA');
      expect(error.message).toMatch(/^gzip data does not decompress/);
    }
  });

  it('passes errors of the source through unchanged', async () => {
    const sourceError = new LayerkitError('BLOB_CORRUPT', 'blob x is corrupt');
    async function* failing(): ByteSource {
      yield gzipSync(data).subarray(0, 1000);
      throw sourceError;
    }
    await expect(collect(gzip.decompress(failing()))).rejects.toBe(sourceError);
  });

  it('reads a flood of 20,000 empty members', async () => {
    const flood = emptyMembers(20_000);
    expect((await collect(gzip.decompress(chunked(flood, [1 << 20])))).length).toBe(0);
  });
});

it('the portable gunzip stops an empty-member flood at its member cap', async () => {
  // 20-byte members, 2.1 MB: fflate's per-member recursion would otherwise blow up (CVE-2022-30631 class).
  const flood = emptyMembers(105_000);
  const error = await layerkitFailure(() =>
    collect(portableRuntime.codec('gzip').decompress(chunked(flood, [1 << 20]))),
  );
  expect(error.code).toBe('CORRUPT_COMPRESSED_DATA');
  expect(error.message).toContain('more than 100000 gzip members');
});

describe('cross-implementation gzip', () => {
  it('fflate reads the node block-parallel output, which is one member', async () => {
    const out = await collect(nodeRuntime.codec('gzip').compress(chunked(data)));
    expect((await collect(portableRuntime.codec('gzip').decompress(chunked(out)))).equals(data)).toBe(true);
    // gunzipSync stops after the first member: getting everything proves there is only one.
    expect(Buffer.from(fflate.gunzipSync(out)).equals(data)).toBe(true);
  });

  it('node zlib reads the fflate output', async () => {
    const out = await collect(portableRuntime.codec('gzip').compress(chunked(data)));
    expect((await collect(nodeRuntime.codec('gzip').decompress(chunked(out)))).equals(data)).toBe(true);
  });

  it('node gunzip checks the CRC: a flipped bit in the trailer is caught', async () => {
    const out = Buffer.from(gzipSync(data));
    out[out.length - 6]! ^= 0x01;
    const error = await layerkitFailure(() => collect(nodeRuntime.codec('gzip').decompress(chunked(out))));
    expect(error.code).toBe('CORRUPT_COMPRESSED_DATA');
  });
});

describe('none codec', () => {
  it.each(runtimes)('%s passes bytes through', async (_name, runtime) => {
    const codec = runtime.codec('none');
    expect((await collect(codec.compress(chunked(data)))).equals(data)).toBe(true);
    expect((await collect(codec.decompress(chunked(data)))).equals(data)).toBe(true);
  });
});

describe('zstd', () => {
  const nodeHasZstd = NODE_HAS_ZSTD_ENCODER;
  const sampleText = Buffer.from(ZSTD_SAMPLE_TEXT);

  it.each(runtimes)('%s reads a real zstd -19 frame, however it is chunked', async (_name, runtime) => {
    const zstd = runtime.codec('zstd');
    for (const sizes of [[1], [7, 100], [65_536]]) {
      expect((await collect(zstd.decompress(chunked(ZSTD_SAMPLE, sizes)))).equals(sampleText)).toBe(true);
    }
  });

  it('cannot write in the portable runtime, and says so before reading anything', () => {
    let pulled = false;
    async function* source(): ByteSource {
      pulled = true;
      yield data;
    }
    const error = errorOf(() => portableRuntime.codec('zstd').compress(source()));
    expect(error.code).toBe('UNSUPPORTED_COMPRESSION');
    expect(error.message).toMatch(/portable runtime only decodes zstd.*Node ≥ 22\.15/);
    expect(pulled).toBe(false);
  });

  it.runIf(!nodeHasZstd)(
    'on a Node without node:zlib zstd, reads it but refuses to write it, naming both versions',
    () => {
      const error = errorOf(() => nodeRuntime.codec('zstd').compress(chunked(data)));
      expect(error.code).toBe('UNSUPPORTED_COMPRESSION');
      expect(error.message).toContain(
        `Node ${process.versions.node} has no zstd encoder (added in Node 22.15)`,
      );
    },
  );

  it.runIf(nodeHasZstd)('round-trips where node:zlib has it, and fzstd reads what it writes', async () => {
    const zstd = nodeRuntime.codec('zstd');
    for (const level of [1, 3, 19]) {
      const out = await collect(zstd.compress(chunked(data), { level }));
      expect(sniffCompression(out)).toBe('zstd');
      expect((await collect(zstd.decompress(chunked(out, [999])))).equals(data)).toBe(true);
      const portable = portableRuntime.codec('zstd');
      expect((await collect(portable.decompress(chunked(out, [4096, 3])))).equals(data)).toBe(true);
    }
  });

  it.runIf(nodeHasZstd)(
    'writes the same bytes for the same input however it is chunked: level 3, checksum, no content size',
    async () => {
      const zstd = nodeRuntime.codec('zstd');
      const out = await collect(zstd.compress(chunked(data)));
      for (const sizes of [[977, 3], [1 << 20]]) {
        expect(out.equals(await collect(zstd.compress(chunked(data, sizes))))).toBe(true);
      }
      expect(out.equals(await collect(zstd.compress(chunked(data), { level: 3 })))).toBe(true);
      expect(out.equals(await collect(zstd.compress(chunked(data), { level: 19 })))).toBe(false);
      // Frame header descriptor: no content size (bits 7-6), not single-segment (5), checksum (2), no dictionary (1-0).
      expect(out[4]).toBe(0b0000_0100);
    },
  );

  it.each(runtimes)('%s rejects zstd level 20 (the range is 1-19)', (_name, runtime) => {
    // On Node 20 the encoder is missing: the level is not looked at, the format is refused.
    const error = errorOf(() => runtime.codec('zstd').compress(chunked(data), { level: 20 }));
    expect(error.code).toBe(
      runtime === nodeRuntime && nodeHasZstd ? 'INVALID_COMPRESSION_LEVEL' : 'UNSUPPORTED_COMPRESSION',
    );
  });

  it.each(runtimes)('%s rejects unknown compression names', async (_name, runtime) => {
    const error = await layerkitFailure(async () => runtime.codec('xz' as 'gzip'));
    expect(error.code).toBe('UNSUPPORTED_COMPRESSION');
    expect(error.message).toContain('xz');
  });
});

describe('sniffCompression', () => {
  it.each([
    [[0x1f, 0x8b, 0x08, 0x00], 'gzip'],
    [[0x1f, 0x8b, 0x08], 'gzip'],
    [[0x1f, 0x8b, 0x07, 0x00], 'none'],
    [[0x28, 0xb5, 0x2f, 0xfd], 'zstd'],
    [[0x50, 0x2a, 0x4d, 0x18], 'zstd'],
    [[0x5f, 0x2a, 0x4d, 0x18], 'zstd'],
    [[0x60, 0x2a, 0x4d, 0x18], 'none'],
    [[0x4f, 0x2a, 0x4d, 0x18], 'none'],
    [[0x28, 0xb5, 0x2f], 'none'],
    [[], 'none'],
    [[0x75, 0x73, 0x72, 0x2f], 'none'],
  ])('%j is %s', (bytes, expected) => {
    expect(sniffCompression(Uint8Array.from(bytes))).toBe(expected);
  });
});

describe('decompressAuto', () => {
  it.each(runtimes)('%s detects gzip even when the magic is split over chunks', async (_name, runtime) => {
    const { compression, stream } = await decompressAuto(chunked(gzipSync(data), [1, 1, 1, 5000]), runtime);
    expect(compression).toBe('gzip');
    expect((await collect(stream)).equals(data)).toBe(true);
  });

  it('passes a plain tar through untouched, and an empty stream too', async () => {
    const plain = await decompressAuto(chunked(data, [2, 70_000]));
    expect(plain.compression).toBe('none');
    expect((await collect(plain.stream)).equals(data)).toBe(true);
    const empty = await decompressAuto(chunked(new Uint8Array(0)));
    expect(empty.compression).toBe('none');
    expect((await collect(empty.stream)).length).toBe(0);
  });

  it('reports a format the runtime cannot read as unsupported rather than as a tar, and releases the source', async () => {
    const noZstd = withoutZstd(portableRuntime);
    let released = false;
    async function* download() {
      try {
        yield Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0, 0);
        yield new Uint8Array(100);
      } finally {
        released = true; // a registry download frees its connection here
      }
    }
    const error = await layerkitFailure(() => decompressAuto(download(), noZstd));
    expect(error.code).toBe('UNSUPPORTED_COMPRESSION');
    expect(released).toBe(true);
  });
});

describe('levelRange', () => {
  it('gives each format its levels and default, the ones the codecs check', () => {
    expect(levelRange('gzip')).toEqual({ min: 1, max: 9, default: 6 });
    expect(levelRange('zstd')).toEqual({ min: 1, max: 19, default: 3 });
    expect(() =>
      portableRuntime.codec('gzip').compress(chunked(data), { level: levelRange('gzip').max + 1 }),
    ).toThrow(/integer from 1 to 9/);
  });
});
