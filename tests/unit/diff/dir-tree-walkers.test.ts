import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TreeEntry } from '@layerkit/diff';
import { directoryTree } from '@layerkit/diff/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRootfs, scratch, sh } from './disk-fixtures.js';

let root: string;
beforeAll(() => {
  root = scratch('walkers');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every field of every entry, content and xattrs read, in walk order. */
async function walked(dir: string | Uint8Array, walker: 'worker' | 'inline') {
  const out: Array<Record<string, unknown>> = [];
  for await (const entry of directoryTree(dir, { walker, xattrs: 'all' }).entries()) {
    const { content, ...fields } = entry as TreeEntry;
    const bytes = content === undefined ? undefined : Buffer.concat([...(content() as Iterable<Uint8Array>)]);
    out.push({ ...fields, xattrs: entry.xattrs, bytes });
  }
  return out;
}

describe('directoryTree walkers', () => {
  it('the worker walk yields exactly the inline walk, entry for entry', async () => {
    const dir = join(root, 'rich');
    mkdirSync(dir);
    makeRootfs(dir);
    sh(dir, 'setcap cap_net_raw+ep bin/ping; printf "caf\\351" | xargs -0 setcap cap_net_admin+ep');
    // More entries than one batch, names that sort differently as bytes than as UTF-16.
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < 700; i++) writeFileSync(join(dir, 'many', `f${i}`), `${i}`);
    writeFileSync(join(dir, 'many', 'é'), 'e');
    symlinkSync('é', join(dir, 'many', 'link-é'));
    const inline = await walked(dir, 'inline');
    expect(inline.length).toBeGreaterThan(700);
    expect(await walked(dir, 'worker')).toEqual(inline);
  });

  it('walks a root whose own path is not ASCII, given as a string or as bytes', async () => {
    const dir = join(root, 'wurzel-ö');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'file'), 'x');
    const inline = await walked(dir, 'inline');
    expect(inline.map((e) => e.path)).toEqual(['sub', 'sub/file']);
    expect(await walked(dir, 'worker')).toEqual(inline);
    expect(await walked(Buffer.from(dir), 'worker')).toEqual(inline);
  });

  it('a root that cannot be read fails with the same fs error from either walker', async () => {
    const missing = join(root, 'missing');
    const failure = async (walker: 'worker' | 'inline') =>
      walked(missing, walker).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => [error.code, error.syscall, error.message],
      );
    const inline = await failure('inline');
    expect(inline?.[0]).toBe('ENOENT');
    expect(await failure('worker')).toEqual(inline);
  });

  it('stopping early ends the worker walk without an error', async () => {
    const dir = join(root, 'early');
    mkdirSync(dir);
    for (let i = 0; i < 6000; i++) writeFileSync(join(dir, `f${i}`), ''); // more than the batches in flight
    let seen = 0;
    for await (const _ of directoryTree(dir, { walker: 'worker' }).entries()) if (++seen === 3) break;
    expect(seen).toBe(3);
  });
});
