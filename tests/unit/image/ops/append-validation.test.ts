/**
 * `appendLayer` reads its layer exactly once, from wherever it comes (a path, bytes, a Node
 * Readable, a web ReadableStream, any async iterable), and refuses an empty stream or one that is
 * not a valid layer tar before anything is published: the destination keeps its index.json byte
 * for byte and gains no blob.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { appendLayer } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { sha256Of, useBaseLayout } from '../../../fixtures/image-ops.js';
import { layerTar } from './big-layer.js';

const ctx = useBaseLayout();

/** A ustar header block for `name` (a regular file of `size` bytes) with a valid checksum. */
function ustarHeader(name: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 'latin1');
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write('0', 156);
  block.write('ustar\0' + '00', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

describe('appendLayer input checks', () => {
  const cases: Array<[string, Buffer, string]> = [
    ['a file that is not a tar', Buffer.from('garbage\n'), 'TAR_TRUNCATED'],
    [
      'a member escaping the root',
      Buffer.concat([ustarHeader('../../etc/x', 1), Buffer.alloc(512, 0x78), Buffer.alloc(1024)]),
      'TAR_PATH_ESCAPE',
    ],
    ['a bare whiteout', Buffer.concat([ustarHeader('etc/.wh.', 0), Buffer.alloc(1024)]), 'INVALID_WHITEOUT'],
  ];
  for (const [what, bytes, code] of cases) {
    it(`refuses ${what} (${code}) and leaves the layout untouched`, async () => {
      const file = join(ctx.dir, 'layer.tar');
      writeFileSync(file, bytes);
      const index = readFileSync(join(ctx.layout, 'index.json'));
      const blobs = readdirSync(join(ctx.layout, 'blobs/sha256')).sort();
      await expect(
        appendLayer({ base: ctx.base, layer: file, dest: `oci:${ctx.layout}:bad` }),
      ).rejects.toMatchObject({
        code,
      });
      expect(readFileSync(join(ctx.layout, 'index.json'))).toEqual(index);
      expect(readdirSync(join(ctx.layout, 'blobs/sha256')).sort()).toEqual(blobs);
    });
  }
});

describe('appendLayer sources, read once', () => {
  const sources: Array<[string, (tar: Buffer) => Parameters<typeof appendLayer>[0]['layer']]> = [
    ['bytes', (tar) => tar],
    ['a Node Readable', (tar) => Readable.from([tar.subarray(0, 700), tar.subarray(700)])],
    ['a web ReadableStream', (tar) => new Blob([tar]).stream()],
    [
      'an async iterable',
      (tar) =>
        (async function* () {
          for (let at = 0; at < tar.length; at += 100) yield tar.subarray(at, at + 100);
        })(),
    ],
  ];
  for (const [what, source] of sources) {
    it(`appends a gzip layer from ${what}`, async () => {
      const tar = await layerTar({ 'opt/streamed': `from ${what}\n` });
      const result = await appendLayer({
        base: ctx.base,
        layer: source(gzipSync(tar)),
        dest: `oci:${ctx.layout}:s`,
      });
      expect(result.layer?.diffID).toBe(sha256Of(tar));
    });
  }

  it.each([
    ['an empty stream', Buffer.alloc(0), 'LAYER_EMPTY'],
    [
      'a stream that is not a tar',
      Buffer.from('not a tar at all, just text\n'.repeat(40)),
      'TAR_BAD_CHECKSUM',
    ],
    ['an empty gzip stream', gzipSync(Buffer.alloc(0)), 'LAYER_EMPTY'],
  ])('refuses %s (%s) from a stream, publishing nothing', async (_what, bytes, code) => {
    const index = readFileSync(join(ctx.layout, 'index.json'));
    const error = await appendLayer({
      base: ctx.base,
      layer: Readable.from([bytes]),
      dest: `oci:${ctx.layout}:bad`,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: expect.stringMatching(code === 'TAR_BAD_CHECKSUM' ? /^TAR_/ : code),
    });
    expect(readFileSync(join(ctx.layout, 'index.json'))).toEqual(index);
  });

  it('a missing layer file is FILE_NOT_FOUND naming it', async () => {
    const missing = join(ctx.dir, 'missing.tar');
    await expect(
      appendLayer({ base: ctx.base, layer: missing, dest: `oci:${ctx.layout}:x` }),
    ).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: `${missing}: no such file`,
    });
  });
});
