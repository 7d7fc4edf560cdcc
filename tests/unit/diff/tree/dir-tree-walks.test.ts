import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TreeEntry } from '@layerkit/diff';
import { directoryTree } from '@layerkit/diff/node';
import { describe, expect, it } from 'vitest';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { makeRootfs, sh } from '../disk-fixtures.js';

const root = useScratchDir('walkers');

/** Every field of every entry, content and xattrs read, in walk order: streamed or synchronous. */
async function walked(dir: string | Uint8Array, walk: 'streamed' | 'sync') {
  const out: Array<Record<string, unknown>> = [];
  const tree = directoryTree(dir, { xattrs: 'all' });
  for await (const entry of walk === 'sync' ? tree.entriesSync() : tree.entries()) {
    const { content, ...fields } = entry as TreeEntry;
    const bytes = content === undefined ? undefined : Buffer.concat([...(content() as Iterable<Uint8Array>)]);
    out.push({ ...fields, xattrs: entry.xattrs, bytes });
  }
  return out;
}

describe('directoryTree walks', () => {
  it('the streamed walk (batches) yields exactly the synchronous walk, entry for entry', async () => {
    const dir = join(root.path, 'rich');
    mkdirSync(dir);
    makeRootfs(dir);
    sh(dir, 'setcap cap_net_raw+ep bin/ping; printf "caf\\351" | xargs -0 setcap cap_net_admin+ep');
    // More entries than one batch; non-ASCII names.
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < 700; i++) writeFileSync(join(dir, 'many', `f${i}`), `${i}`);
    writeFileSync(join(dir, 'many', 'é'), 'e');
    symlinkSync('é', join(dir, 'many', 'link-é'));
    const sync = await walked(dir, 'sync');
    expect(sync.length).toBeGreaterThan(700);
    expect(await walked(dir, 'streamed')).toEqual(sync);
  });

  it('walks a root whose own path is not ASCII, given as a string or as bytes', async () => {
    const dir = join(root.path, 'wurzel-ö');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'file'), 'x');
    const sync = await walked(dir, 'sync');
    expect(sync.map((e) => e.path)).toEqual(['sub', 'sub/file']);
    expect(await walked(dir, 'streamed')).toEqual(sync);
    expect(await walked(Buffer.from(dir), 'streamed')).toEqual(sync);
  });

  it('a missing root, or one that is not a directory, is a typed error naming it', async () => {
    const missing = join(root.path, 'missing');
    for (const walk of ['streamed', 'sync'] as const) {
      await expect(walked(missing, walk)).rejects.toMatchObject({
        code: 'DIRECTORY_NOT_FOUND',
        message: `${missing}: no such directory`,
      });
    }
    const file = join(root.path, 'plain-file');
    writeFileSync(file, 'x');
    await expect(walked(file, 'streamed')).rejects.toMatchObject({
      code: 'NOT_A_DIRECTORY',
      message: `${file} is not a directory`,
    });
  });
});
