/**
 * The in-memory oci-archive: the same tar, byte for byte, as the file sink of `./node` writes for
 * the same image (so what a browser downloads is what `build` writes to `oci-archive:`), tags as
 * the file sink keeps them, and its life cycle (bytes only once closed, nothing after abort).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildImageOptions, buildImage, MemoryOciArchive } from '@layerkit/image';
import { build } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { EPOCH } from '../../../fixtures/image-ops.js';
import { useScratchDir } from '../../../fixtures/scratch.js';

const INPUTS: Omit<BuildImageOptions, 'sink'> = {
  platform: { os: 'linux', architecture: 'amd64' },
  sourceDateEpoch: EPOCH,
  layers: [
    {
      files: { 'hello.txt': 'hello\n', 'bin/tool': { content: new Uint8Array(70_000).fill(7), mode: 0o755 } },
    },
  ],
  config: { Cmd: ['/bin/tool'] },
};

describe('MemoryOciArchive', () => {
  const scratch = useScratchDir('memory-oci-archive', { per: 'test' });

  it('holds the very bytes the oci-archive file sink writes for the same image', async () => {
    const memory = new MemoryOciArchive({ tag: 'example.com/app:1' });
    await buildImage({ ...INPUTS, sink: memory });
    await memory.close();
    const path = join(scratch.path, 'file.tar');
    await build({
      ...INPUTS,
      dest: { transport: 'oci-archive', path, tag: 'example.com/app:1' },
      deflate: 'portable',
    });
    expect(Buffer.from(memory.bytes()).equals(readFileSync(path))).toBe(true);
  });

  it('keeps one image per tag, the latest', async () => {
    const memory = new MemoryOciArchive({ tag: 'app:1' });
    await buildImage({ ...INPUTS, sink: memory });
    const second = await buildImage({ ...INPUTS, sink: memory, config: { Cmd: ['/bin/other'] } });
    const other = await buildImage({ ...INPUTS, sink: memory, tag: 'app:2' });
    await memory.close();
    const text = new TextDecoder().decode(memory.bytes());
    const index = JSON.parse(text.slice(text.lastIndexOf('{"manifests"'), text.lastIndexOf('}') + 1));
    expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([
      second.manifest.digest,
      other.manifest.digest,
    ]);
  });

  it('gives its bytes only once closed, never after an abort; refuses a bad tag', async () => {
    const memory = new MemoryOciArchive();
    expect(() => memory.bytes()).toThrow(expect.objectContaining({ code: 'ARCHIVE_BUSY' }));
    await memory.abort();
    expect(() => memory.bytes()).toThrow(expect.objectContaining({ code: 'ARCHIVE_CLOSED' }));
    await expect(memory.close()).rejects.toMatchObject({ code: 'ARCHIVE_CLOSED' });
    expect(() => new MemoryOciArchive({ tag: 'no spaces' })).toThrow(
      expect.objectContaining({ code: 'INVALID_REF_NAME' }),
    );
  });
});
