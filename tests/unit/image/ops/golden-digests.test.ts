/**
 * Golden digests: a commit and an import of fixed inputs (contents, modes, owners, times,
 * SOURCE_DATE_EPOCH, platform) produce these exact layer, config and manifest bytes. A change
 * here changes every image layerkit builds: it must be deliberate, and the new values pinned.
 */
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { CompressionName } from '@layerkit/digest';
import { commit, importRootfs } from '@layerkit/image/node';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  BASE_TREE,
  buildBase,
  EPOCH,
  editTree,
  PLATFORM,
  readBlob,
  readTagged,
  sha256Of,
  writeTree,
} from '../../../fixtures/image-ops.js';
import { useScratchDir } from '../../../fixtures/scratch.js';

const tmp = useScratchDir('ops-golden', { per: 'test' });

/** The digests that identify one built image. */
interface Golden {
  diffID: string;
  layer: string;
  imageId: string;
  manifest: string;
}

/** Reads the top layer of `tag` back from disk and checks the step's result against it. */
function goldenOf(
  layout: string,
  tag: string,
  result: { imageId: string; manifest: { digest: string } },
): Golden {
  const image = readTagged(layout, tag);
  expect(image.manifestDigest).toBe(result.manifest.digest);
  expect(image.manifest.config.digest).toBe(result.imageId);
  const top = image.manifest.layers.at(-1)!;
  readBlob(layout, top.digest);
  return {
    diffID: image.config.rootfs.diff_ids.at(-1)!,
    layer: top.digest,
    imageId: result.imageId,
    manifest: result.manifest.digest,
  };
}

/** Imports {@link BASE_TREE} into a fresh layout under `name`. */
async function goldenImport(name: string, compression: CompressionName): Promise<Golden> {
  const rootfs = join(tmp.path, `${name}-rootfs`);
  writeTree(rootfs, BASE_TREE);
  const layout = join(tmp.path, name);
  const result = await importRootfs({
    rootfs,
    dest: `oci:${layout}:golden`,
    platform: PLATFORM,
    sourceDateEpoch: EPOCH,
    createdBy: 'ADD rootfs.tar /',
    changes: ['CMD ["/bin/tool", "serve"]'],
    compression,
  });
  return goldenOf(layout, 'golden', result);
}

/** Builds the base in a fresh layout under `name` and commits the standard edits on top. */
async function goldenCommit(name: string, compression: CompressionName): Promise<Golden> {
  const layout = join(tmp.path, name);
  await buildBase(join(tmp.path), layout);
  const rootfs = join(tmp.path, `${name}-rootfs`);
  writeTree(rootfs, BASE_TREE);
  editTree(rootfs);
  const result = await commit({
    base: `oci:${layout}:base`,
    rootfs,
    dest: `oci:${layout}:golden`,
    author: 'Tao Wang <twang2218@gmail.com>',
    comment: '修改了默认网页',
    sourceDateEpoch: EPOCH,
    compression,
  });
  return goldenOf(layout, 'golden', result);
}

/** The pinned values (computed once, stable across runs and layouts). */
const PINNED: Record<'import' | 'commit', Record<CompressionName & ('gzip' | 'none'), Golden>> = {
  import: {
    gzip: {
      diffID: 'sha256:d239ecf3d9c5199e67fe7f05520a5718335bb2aa8342d63ee01c363e5037a831',
      layer: 'sha256:9b07b0910202c5e871a63f61149023a0c818c05e5e7758d4cedb3a5b128517fa',
      imageId: 'sha256:2625fbb245c2a16b561074a20ae24b36673197c71ad43062218f73e243962ca0',
      manifest: 'sha256:e665ea952a72420a1f989215bbd848dac27dab705042d1bb44f23c80f14472ad',
    },
    none: {
      diffID: 'sha256:d239ecf3d9c5199e67fe7f05520a5718335bb2aa8342d63ee01c363e5037a831',
      layer: 'sha256:d239ecf3d9c5199e67fe7f05520a5718335bb2aa8342d63ee01c363e5037a831',
      imageId: 'sha256:2625fbb245c2a16b561074a20ae24b36673197c71ad43062218f73e243962ca0',
      manifest: 'sha256:dadc7de8e37732f2137e0a90b14ba3a4d5efcf9b0c560e727f849afad4b2eac1',
    },
  },
  commit: {
    gzip: {
      diffID: 'sha256:6061b21fd8ebbb9956fd18b6f30a9fc41b7d90149d09e1b9ecdaa471155c85c4',
      layer: 'sha256:c0f9f588ee81ccd43be42a69c48e37db9617cbe7c7a2b2f289dac90111f7b745',
      imageId: 'sha256:dfb5b8e2a0637a3e9298fdf747b2710e16c24aa43fc1b5b4f460f365c0e5a357',
      manifest: 'sha256:c489d94dd2cba91cd612318412699e5c5ec3c8319c107f66be328dcf814ba1b8',
    },
    none: {
      diffID: 'sha256:6061b21fd8ebbb9956fd18b6f30a9fc41b7d90149d09e1b9ecdaa471155c85c4',
      layer: 'sha256:6061b21fd8ebbb9956fd18b6f30a9fc41b7d90149d09e1b9ecdaa471155c85c4',
      imageId: 'sha256:dfb5b8e2a0637a3e9298fdf747b2710e16c24aa43fc1b5b4f460f365c0e5a357',
      manifest: 'sha256:f573f060de0c574879bf1ae3f24d0dc245b13af60dcd557196f2e5f8b9ba9e6b',
    },
  },
};

/** The commit layer, as `tar -tv` would list it: what the pinned DiffID stands for. */
const COMMIT_LAYER_LISTING = [
  'etc/ 5 755 0:0 1700000000',
  'etc/app.conf 0 640 1000:1000 1700000060 10',
  'srv/ 5 755 0:0 1700000000',
  'srv/data/ 5 750 33:33 1700000000',
  'srv/data/.wh.old.txt 0 0 0:0 0 0',
  `srv/data/new.txt 0 644 33:33 ${EPOCH} 4`,
  'usr/ 5 755 0:0 1700000000',
  'usr/local/ 5 755 0:0 1700000000',
  'usr/local/bin/ 5 755 0:0 1700000000',
  'usr/local/bin/hello 0 755 0:0 1700000000 21',
];

/** The layer tar of `digest` listed by tar-stream (an independent reader), after an independent gunzip. */
async function listLayer(layout: string, digest: string, diffID: string): Promise<string[]> {
  const blob = readBlob(layout, digest);
  const tar = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
  expect(sha256Of(tar)).toBe(diffID);
  const lines: string[] = [];
  const reader = extract();
  const done = (async () => {
    for await (const entry of reader) {
      const h = entry.header;
      const size = h.type === 'directory' ? '' : ` ${h.size}`;
      const type = h.type === 'directory' ? '5' : '0';
      lines.push(
        `${h.name} ${type} ${(h.mode ?? 0).toString(8)} ${h.uid}:${h.gid} ${(h.mtime?.getTime() ?? 0) / 1000}${size}`,
      );
      entry.resume();
    }
  })();
  reader.end(tar);
  await done;
  return lines;
}

describe.each(['gzip', 'none'] as const)('golden digests, compression %s', (compression) => {
  it('import of the base tree', async () => {
    const first = await goldenImport('a', compression);
    const second = await goldenImport('b', compression);
    expect(second).toEqual(first);
    expect(first).toEqual(PINNED.import[compression]);
  });

  it('commit of the standard edits on the base image', async () => {
    const first = await goldenCommit('a', compression);
    const second = await goldenCommit('b', compression);
    expect(second).toEqual(first);
    expect(await listLayer(join(tmp.path, 'a'), first.layer, first.diffID)).toEqual(COMMIT_LAYER_LISTING);
    expect(first).toEqual(PINNED.commit[compression]);
  });
});
