/**
 * `appendLayer` refuses a file that is not a valid layer tar before anything is written: the
 * destination keeps its index.json byte for byte and gains no blob.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendLayer } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { useBaseLayout } from './fixture.js';

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
