import { type LayerEntry, layerEntriesFromTar, writeLayerTar } from '@layerkit/diff';
import { isLayerkitError } from '@layerkit/digest';
import { describe, expect, it } from 'vitest';
import { fixtureEntries } from '../../../fixtures/fixture-layer.js';
import { chunked, collect, craftEntry, END_OF_ARCHIVE } from '../../../fixtures/tar-helpers.js';

describe('layerEntriesFromTar', () => {
  it('reads back what writeLayerTar wrote: entries, whiteouts, opaque markers, hardlinks, content', async () => {
    const written = fixtureEntries();
    const bytes = await collect(writeLayerTar(written));
    const read: LayerEntry[] = [];
    const contents = new Map<string, string>();
    for await (const item of layerEntriesFromTar(chunked(bytes, [1000]))) {
      read.push(item);
      if (item.kind === 'entry' && item.entry.content) {
        contents.set(
          item.entry.path,
          Buffer.from(await collect(item.entry.content() as AsyncIterable<Uint8Array>)).toString(),
        );
      }
    }
    expect(
      read.map((e) => (e.kind === 'entry' ? [e.kind, e.entry.path, e.entry.type] : [e.kind, e.path])),
    ).toEqual(
      written.map((e) => (e.kind === 'entry' ? [e.kind, e.entry.path, e.entry.type] : [e.kind, e.path])),
    );
    const hard = read.find((e) => e.kind === 'entry' && e.entry.path === 'etc/hosts-hard');
    expect(hard).toMatchObject({ entry: { type: 'hardlink', linkTarget: 'etc/hosts', size: 0 } });
    const device = read.find((e) => e.kind === 'entry' && e.entry.path === 'etc/null');
    expect(device).toMatchObject({ entry: { type: 'char', devMajor: 1, devMinor: 3 } });
    expect(contents.get('etc/hosts')).toBe('hello\n');
  });

  it('normalizes names, skips the root entry and AUFS metadata', async () => {
    const archive = Buffer.concat([
      craftEntry('./', '5'),
      craftEntry('./a/', '5'),
      craftEntry('/a/./b', '0'),
      craftEntry('.wh..wh.plnk/1.2', '0'),
      craftEntry('./a/.wh.c', '0'),
      craftEntry('x', '1', undefined, (b) => b.set(Buffer.from('./a/b'), 157)),
      END_OF_ARCHIVE,
    ]);
    const read: unknown[] = [];
    for await (const item of layerEntriesFromTar(chunked(archive))) {
      read.push(
        item.kind === 'entry'
          ? [item.entry.path, item.entry.type, item.entry.linkTarget]
          : [item.kind, item.path],
      );
    }
    expect(read).toEqual([
      ['a', 'dir', undefined],
      ['a/b', 'file', undefined],
      ['whiteout', 'a/c'],
      ['x', 'hardlink', 'a/b'],
    ]);
  });

  it.each([
    ['../escape', '0', ''],
    ['link', '1', '../../etc/shadow'],
  ])(
    'rejects %j (typeflag %s, link %j) escaping the root with TAR_PATH_ESCAPE',
    async (name, typeflag, link) => {
      const archive = Buffer.concat([
        craftEntry(name, typeflag, undefined, (b) => b.set(Buffer.from(link), 157)),
        END_OF_ARCHIVE,
      ]);
      const error = await collect(
        (async function* () {
          for await (const _ of layerEntriesFromTar(chunked(archive))) yield new Uint8Array();
        })(),
      ).catch((e: unknown) => e);
      expect(isLayerkitError(error, 'TAR_PATH_ESCAPE')).toBe(true);
      expect((error as Error).message).toContain(JSON.stringify(name));
    },
  );

  it('rejects malformed whiteouts (T10)', async () => {
    const archive = Buffer.concat([craftEntry('etc/.wh..', '0'), END_OF_ARCHIVE]);
    const error = await (async () => {
      for await (const _ of layerEntriesFromTar(chunked(archive)));
    })().catch((e: unknown) => e);
    expect(isLayerkitError(error, 'INVALID_WHITEOUT')).toBe(true);
  });
});
