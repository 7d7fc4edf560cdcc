/**
 * A failed step leaves nothing visible: the destination layout's `index.json` keeps its exact
 * bytes, an archive destination is neither created nor replaced, and no temp file remains.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commit, importRootfs } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import {
  blobPath,
  EPOCH,
  editedRootfs,
  flipByte,
  readTagged,
  tempFiles,
  useBaseLayout,
} from '../../../fixtures/image-ops.js';
import { rejectionOf } from '../tiny-image.js';
import { bigLayerImage, zlibBreakingOffset } from './big-layer.js';

const ctx = useBaseLayout();

/** Corrupts the base's only layer blob (one flipped byte, same size); returns its digest. */
function corruptBaseLayer(): string {
  const layer = readTagged(ctx.layout, 'base').manifest.layers[0]!;
  flipByte(blobPath(ctx.layout, layer.digest), Math.floor(layer.size / 2));
  return layer.digest;
}

/** Every name in the test's directory: nothing may appear beyond what was there. */
const namesIn = (dir: string) => readdirSync(dir).sort();

describe('a commit whose base layer blob is corrupt', () => {
  it('into the same layout: BLOB_CORRUPT naming the digest, index.json byte-identical, no temp files', async () => {
    const rootfs = editedRootfs(ctx.dir);
    const digest = corruptBaseLayer();
    const index = readFileSync(join(ctx.layout, 'index.json'));
    const error = await rejectionOf(commit({ base: ctx.base, rootfs, dest: `oci:${ctx.layout}:v2` }));
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(digest);
    expect(readFileSync(join(ctx.layout, 'index.json')).equals(index)).toBe(true);
    expect(tempFiles(ctx.dir)).toEqual([]);
  });

  it.each(['oci-archive', 'docker-archive'])(
    'into a new %s: no archive and no temp file',
    async (transport) => {
      const rootfs = editedRootfs(ctx.dir);
      const digest = corruptBaseLayer();
      const before = namesIn(ctx.dir);
      const archive = join(ctx.dir, 'out.tar');
      const error = await rejectionOf(
        commit({ base: ctx.base, rootfs, dest: `${transport}:${archive}:example.com/app:2` }),
      );
      expect(error.message).toContain(digest);
      expect(existsSync(archive)).toBe(false);
      expect(namesIn(ctx.dir)).toEqual(before);
      expect(tempFiles(ctx.dir)).toEqual([]);
    },
  );
});

describe('a commit whose multi-MiB base layer is damaged where zlib fails first', () => {
  it('still reports BLOB_CORRUPT naming the digest; index.json byte-identical', async () => {
    const big = await bigLayerImage(ctx);
    const file = blobPath(ctx.layout, big.digest);
    flipByte(file, zlibBreakingOffset(readFileSync(file)));
    const index = readFileSync(join(ctx.layout, 'index.json'));
    const error = await rejectionOf(
      commit({ base: `oci:${ctx.layout}:big`, rootfs: editedRootfs(ctx.dir), dest: `oci:${ctx.layout}:v2` }),
    );
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toContain(big.digest);
    expect(readFileSync(join(ctx.layout, 'index.json')).equals(index)).toBe(true);
    expect(tempFiles(ctx.dir)).toEqual([]);
  });
});

describe('a commit that fails after its layer was written', () => {
  // A bad --change is only parsed when the config is built, after the layer blob is stored.
  const badChange = ['EXPOSE not-a-port'];

  it('into the same layout: index.json byte-identical, no temp files', async () => {
    const rootfs = editedRootfs(ctx.dir);
    const index = readFileSync(join(ctx.layout, 'index.json'));
    const blobs = namesIn(join(ctx.layout, 'blobs/sha256')).length;
    const error = await rejectionOf(
      commit({
        base: ctx.base,
        rootfs,
        dest: `oci:${ctx.layout}:v2`,
        changes: badChange,
        sourceDateEpoch: EPOCH,
      }),
    );
    expect(error.code).toBe('INVALID_CHANGE');
    // The premise: the layer blob was stored (an unreferenced blob, for gc) before the failure.
    expect(namesIn(join(ctx.layout, 'blobs/sha256')).length).toBe(blobs + 1);
    expect(readFileSync(join(ctx.layout, 'index.json')).equals(index)).toBe(true);
    expect(tempFiles(ctx.dir)).toEqual([]);
  });

  it.each(['oci-archive', 'docker-archive'])(
    'into an existing %s: the old archive keeps its bytes',
    async (transport) => {
      const rootfs = editedRootfs(ctx.dir);
      const archive = join(ctx.dir, 'out.tar');
      writeFileSync(archive, 'the previous archive');
      const before = namesIn(ctx.dir);
      const error = await rejectionOf(
        commit({
          base: ctx.base,
          rootfs,
          dest: `${transport}:${archive}:example.com/app:2`,
          changes: badChange,
        }),
      );
      expect(error.code).toBe('INVALID_CHANGE');
      expect(readFileSync(archive, 'utf8')).toBe('the previous archive');
      expect(namesIn(ctx.dir)).toEqual(before);
      expect(tempFiles(ctx.dir)).toEqual([]);
    },
  );
});

describe('an import whose rootfs does not exist', () => {
  it('into a new layout: DIRECTORY_NOT_FOUND naming it, and no layout is left behind', async () => {
    const missing = join(ctx.dir, 'no-such-rootfs');
    const layout = join(ctx.dir, 'fresh-layout');
    const before = namesIn(ctx.dir);
    const error = await rejectionOf(importRootfs({ rootfs: missing, dest: `oci:${layout}:x` }));
    expect(error.code).toBe('DIRECTORY_NOT_FOUND');
    expect(error.message).toBe(`${missing}: no such directory`);
    expect(existsSync(layout)).toBe(false);
    expect(namesIn(ctx.dir)).toEqual(before);
  });

  it('into an existing layout: the layout stays, index.json byte-identical', async () => {
    const index = readFileSync(join(ctx.layout, 'index.json'));
    const error = await rejectionOf(
      importRootfs({ rootfs: join(ctx.dir, 'nope'), dest: `oci:${ctx.layout}:x` }),
    );
    expect(error.code).toBe('DIRECTORY_NOT_FOUND');
    expect(readFileSync(join(ctx.layout, 'index.json')).equals(index)).toBe(true);
    expect(tempFiles(ctx.dir)).toEqual([]);
  });
});
