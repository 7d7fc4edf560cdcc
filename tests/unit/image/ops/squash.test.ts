/**
 * `squash(image)`: every layer of an image folded into one (whiteouts resolved), the config
 * kept and the history summarised, so that the image's root filesystem is unchanged.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mapHistoryToLayers } from '@layerkit/history';
import { commit, squash, unpack } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import {
  BASE_TREE,
  EPOCH,
  editTree,
  readTagged,
  treeFacts,
  useBaseLayout,
  writeTree,
} from '../../../fixtures/image-ops.js';

const ctx = useBaseLayout();

describe('squash', () => {
  it('a two-layer image with deletions becomes one layer with the same root filesystem', async () => {
    const rootfs = join(ctx.dir, 'rootfs');
    writeTree(rootfs, BASE_TREE);
    editTree(rootfs); // adds, changes and deletes: the second layer carries whiteouts
    await commit({ base: ctx.base, rootfs, dest: `oci:${ctx.layout}:v2`, sourceDateEpoch: EPOCH });

    const result = await squash({
      image: `oci:${ctx.layout}:v2`,
      dest: `oci:${ctx.layout}:flat`,
      sourceDateEpoch: EPOCH,
    });

    const before = readTagged(ctx.layout, 'v2');
    const after = readTagged(ctx.layout, 'flat');
    expect(before.manifest.layers).toHaveLength(2);
    expect(after.manifest.layers).toHaveLength(1);
    expect(after.config.rootfs.diff_ids).toEqual([result.layer!.diffID]);
    expect(after.config.config).toEqual(before.config.config);
    expect(after.config.history!.slice(0, -1)).toEqual(
      before.config.history!.map((entry) => ({ ...entry, empty_layer: true })),
    );
    expect(mapHistoryToLayers(after.config.history!, after.config.rootfs.diff_ids).validation.ok).toBe(true);

    const original = join(ctx.dir, 'original');
    const flat = join(ctx.dir, 'flat');
    await unpack(`oci:${ctx.layout}:v2`, original);
    await unpack(`oci:${ctx.layout}:flat`, flat);
    expect(treeFacts(flat)).toEqual(treeFacts(original));
  });

  it('keeps device nodes and FIFOs (as root): the squashed rootfs has /dev/null', async () => {
    const rootfs = join(ctx.dir, 'rootfs');
    writeTree(rootfs, BASE_TREE);
    mkdirSync(join(rootfs, 'dev'));
    execFileSync('mknod', ['-m', '0666', join(rootfs, 'dev/null'), 'c', '1', '3']);
    execFileSync('mknod', ['-m', '0600', join(rootfs, 'dev/initctl'), 'p']);
    await commit({ base: ctx.base, rootfs, dest: `oci:${ctx.layout}:dev`, sourceDateEpoch: EPOCH });

    await squash({ image: `oci:${ctx.layout}:dev`, dest: `oci:${ctx.layout}:flat`, sourceDateEpoch: EPOCH });

    const flat = join(ctx.dir, 'flat');
    await unpack(`oci:${ctx.layout}:flat`, flat);
    const nul = lstatSync(join(flat, 'dev/null'));
    expect([nul.isCharacterDevice(), nul.rdev, nul.mode & 0o777]).toEqual([true, 0x103, 0o666]);
    expect(lstatSync(join(flat, 'dev/initctl')).isFIFO()).toBe(true);
  });
});
