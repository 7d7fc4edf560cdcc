/**
 * Every operation that takes a `sourceDateEpoch` refuses one that is not whole seconds from 0
 * to year 9999 before any work: `INVALID_SOURCE_DATE_EPOCH` naming the value, and the layout
 * (index.json, blobs, the directory around it) exactly as it was.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  appendLayer,
  build,
  commit,
  importRootfs,
  mutateConfig,
  squash,
  writeLayerFile,
} from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { editedRootfs, readTagged, tempFiles, useBaseLayout } from '../../../fixtures/image-ops.js';
import { rejectionOf } from '../tiny-image.js';

const ctx = useBaseLayout();

/** The inputs the operations read: an edited rootfs and a layer tar (two zero blocks). */
interface Inputs {
  rootfs: string;
  layer: string;
}

type Operation = (inputs: Inputs, sourceDateEpoch: number) => Promise<unknown>;

/** Each entry point, called with a valid everything but the epoch. */
const operations: Record<string, Operation> = {
  commit: ({ rootfs }, sourceDateEpoch) =>
    commit({ base: ctx.base, rootfs, dest: `oci:${ctx.layout}:v2`, sourceDateEpoch }),
  'commit --squash': ({ rootfs }, sourceDateEpoch) =>
    commit({ base: ctx.base, rootfs, dest: `oci:${ctx.layout}:v2`, squash: true, sourceDateEpoch }),
  importRootfs: ({ rootfs }, sourceDateEpoch) =>
    importRootfs({ rootfs, dest: `oci:${ctx.layout}:imported`, sourceDateEpoch }),
  appendLayer: ({ layer }, sourceDateEpoch) =>
    appendLayer({ base: ctx.base, layer, dest: `oci:${ctx.layout}:appended`, sourceDateEpoch }),
  mutateConfig: (_, sourceDateEpoch) =>
    mutateConfig({
      base: ctx.base,
      dest: `oci:${ctx.layout}:edited`,
      changes: ['USER nobody'],
      sourceDateEpoch,
    }),
  build: (_, sourceDateEpoch) =>
    build({
      dest: `oci:${ctx.layout}:built`,
      layers: [{ files: { 'app/VERSION': '1\n' } }],
      sourceDateEpoch,
    }),
  squash: (_, sourceDateEpoch) =>
    squash({ image: ctx.base, dest: `oci:${ctx.layout}:flat`, sourceDateEpoch }),
  writeLayerFile: ({ rootfs }, sourceDateEpoch) =>
    writeLayerFile(undefined, rootfs, join(ctx.dir, 'layer.tar.gz'), { sourceDateEpoch }),
};

/** Makes the inputs in the test's directory, before the state is taken: they are not the call's work. */
function inputs(): Inputs {
  const layer = join(ctx.dir, 'layer.tar');
  writeFileSync(layer, Buffer.alloc(1024));
  return { rootfs: editedRootfs(ctx.dir), layer };
}

/** What an operation could have changed: the layout's index and blobs, the names beside it. */
function state() {
  return {
    index: readFileSync(join(ctx.layout, 'index.json')),
    blobs: readdirSync(join(ctx.layout, 'blobs/sha256')).sort(),
    names: readdirSync(ctx.dir).sort(),
  };
}

describe('a bad sourceDateEpoch fails before any work', () => {
  it.each(Object.keys(operations))('%s: INVALID_SOURCE_DATE_EPOCH, the layout untouched', async (name) => {
    const given = inputs();
    for (const value of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 253_402_300_800]) {
      const before = state();
      const error = await rejectionOf(operations[name]!(given, value));
      expect(error.code).toBe('INVALID_SOURCE_DATE_EPOCH');
      expect(error.message).toContain('SOURCE_DATE_EPOCH must be a whole number of seconds');
      expect(error.message).toContain(JSON.stringify(String(value)));
      expect(state()).toEqual(before);
      expect(existsSync(join(ctx.dir, 'layer.tar.gz'))).toBe(false);
      expect(tempFiles(ctx.dir)).toEqual([]);
    }
  });

  it('accepts the ends of the range: 0 and 253402300799 (9999-12-31T23:59:59Z)', async () => {
    const given = inputs();
    await operations.mutateConfig!(given, 0);
    await operations.build!(given, 253_402_300_799);
    expect(readTagged(ctx.layout, 'edited').config.created).toBe('1970-01-01T00:00:00Z');
    expect(readTagged(ctx.layout, 'built').config.created).toBe('9999-12-31T23:59:59Z');
  });
});
