import * as zlib from 'node:zlib';
import { type Codec, portableRuntime } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import { MAX_ZSTD_FRAMES } from '../../../packages/digest/src/zstd-frame-scanner.js';
import { chunked, collect, layerkitFailure, mixedBytes } from '../../fixtures/digest-helpers.js';
import { skippableFrame, zstdFrame, zstdZeroBomb } from '../../fixtures/zstd-frames.js';

const nodeHasZstd = typeof (zlib as Record<string, unknown>).createZstdDecompress === 'function';
const text = mixedBytes(300_000, 3);
const raw = (bytes: Uint8Array) => ({ raw: bytes });

/** fzstd, and node:zlib's libzstd where Node has it: both must read and refuse the same streams. */
const decoders: [string, Codec][] = [['fzstd (portable)', portableRuntime.codec('zstd')]];
if (nodeHasZstd) decoders.push(['libzstd (node:zlib)', nodeRuntime.codec('zstd')]);

describe.each(decoders)('%s', (_name, zstd) => {
  const decode = (bytes: Uint8Array, sizes: number[] = [5000]) =>
    collect(zstd.decompress(chunked(bytes, sizes)));

  it('reads every frame, raw and RLE blocks, skipping skippable frames', async () => {
    const stream = Buffer.concat([
      skippableFrame(Uint8Array.of(1, 2, 3)),
      zstdFrame([
        raw(text.subarray(0, 100_000)),
        { rle: 0x41, size: 5000 },
        raw(text.subarray(100_000, 200_000)),
      ]),
      zstdFrame([]),
      skippableFrame(new Uint8Array(0), 0xf),
      zstdFrame([raw(text.subarray(200_000))], { singleSegmentSize: 100_000 }),
    ]);
    const expected = Buffer.concat([
      text.subarray(0, 100_000),
      Buffer.alloc(5000, 0x41),
      text.subarray(100_000),
    ]);
    for (const sizes of [[1], [3, 17, 65_536]])
      expect((await decode(stream, sizes)).equals(expected)).toBe(true);
  });

  it('streams: a 64 MiB RLE frame comes out in blocks, not as one buffer', async () => {
    let largest = 0;
    let total = 0;
    for await (const chunk of zstd.decompress(chunked(zstdZeroBomb(64 * 1024 * 1024)))) {
      largest = Math.max(largest, chunk.length);
      total += chunk.length;
    }
    expect(total).toBe(64 * 1024 * 1024);
    expect(largest).toBeLessThanOrEqual(1024 * 1024);
  });

  it('ends, as libzstd does, at bytes after a frame that start no frame (they are not decoded)', async () => {
    const frame = zstdFrame([raw(text.subarray(0, 1000))]);
    for (const tail of [Buffer.from('trailing junk'), Buffer.alloc(1000), Uint8Array.of(0x28, 0xb5)]) {
      const withTail = Buffer.concat([frame, tail, frame]);
      for (const sizes of [[1], [5000]])
        expect((await decode(withTail, sizes)).equals(text.subarray(0, 1000))).toBe(true);
    }
  });

  it.each([
    ['a truncated frame', zstdFrame([raw(text.subarray(0, 50_000))]).subarray(0, 30_000)],
    ['a frame cut in its header', zstdFrame([]).subarray(0, 5)],
    ['bytes before the first frame', Buffer.concat([Buffer.from('junk'), zstdFrame([])])],
    [
      'a window over 128 MiB (libzstd needs --memory for it)',
      zstdFrame([], { windowDescriptor: (18 << 3) | 1 }),
    ],
    ['a single-segment frame declaring 1 GiB', zstdFrame([], { singleSegmentSize: 2 ** 30 })],
    ['a frame that needs a dictionary', zstdFrame([raw(text.subarray(0, 10))], { dictionaryId: true })],
    ['a reserved block type', Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0, 0x38, 0b111, 0, 0)],
  ])('refuses %s with CORRUPT_COMPRESSED_DATA', async (_case, bad) => {
    const error = await layerkitFailure(() => decode(bad));
    expect(error.code).toBe('CORRUPT_COMPRESSED_DATA');
    expect(error.message).toMatch(/^zstd data does not decompress: /);
  });
});

describe('fzstd guarded by the frame scanner', () => {
  const zstd = portableRuntime.codec('zstd');

  it('refuses a block over the 128 KiB maximum before fzstd buffers it', async () => {
    // A last raw block header (type 0) claiming 1 MiB of content.
    const header = ((1 << 20) << 3) | 1;
    const huge = Uint8Array.of(
      0x28,
      0xb5,
      0x2f,
      0xfd,
      0,
      0x38,
      header & 0xff,
      (header >> 8) & 0xff,
      header >> 16,
    );
    const error = await layerkitFailure(() => collect(zstd.decompress(chunked(huge))));
    expect(error.code).toBe('CORRUPT_COMPRESSED_DATA');
    expect(error.message).toContain('over the 128 KiB maximum');
  });

  it('stops a flood of empty frames with 128 MiB windows after 1 GiB of windows', async () => {
    // Each 9-byte frame would make fzstd allocate (and zero) a fresh 128 MiB window.
    const flood = Buffer.concat(new Array<Uint8Array>(20).fill(zstdFrame([], { windowDescriptor: 17 << 3 })));
    const started = performance.now();
    const error = await layerkitFailure(() => collect(zstd.decompress(chunked(flood))));
    expect(error.message).toContain('frame flood');
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('lets honest frames through whose windows their output pays for', async () => {
    const frames = new Array<Uint8Array>(12).fill(
      zstdFrame([{ rle: 7, size: 128 * 1024 }], { windowDescriptor: 7 << 3 }),
    );
    expect((await collect(zstd.decompress(chunked(Buffer.concat(frames))))).length).toBe(12 * 128 * 1024);
  });

  it(`stops at ${MAX_ZSTD_FRAMES} frames`, async () => {
    const empty = zstdFrame([], { singleSegmentSize: 0 });
    const flood = Buffer.concat(new Array<Uint8Array>(MAX_ZSTD_FRAMES + 1).fill(empty));
    const error = await layerkitFailure(() => collect(zstd.decompress(chunked(flood, [1 << 20]))));
    expect(error.message).toContain(`more than ${MAX_ZSTD_FRAMES} zstd frames`);
  });
});
