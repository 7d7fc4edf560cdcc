/**
 * Issue 17: zstd layers (`application/vnd.oci.image.layer.v1.tar+zstd`) between layerkit and the
 * real clients, both ways.
 *
 * - The clients write zstd, layerkit reads it on every Node (node:zlib from 22.15, fzstd before):
 *   `skopeo copy --dest-compress-format zstd` of a gzip image, and `podman push` / `buildah push
 *   --compression-format zstd` of their own commits into an `oci:` layout. layerkit's unpack equals
 *   umoci's unpack of the gzip original (umoci 0.4.7 reads no zstd), verify is clean, and a commit
 *   on top is accepted by skopeo.
 * - layerkit writes zstd (`commit --compression zstd`) where node:zlib has an encoder (the CI's
 *   Node 24 pass): the `zstd` tool tests every frame, skopeo copies it (digests and diff_ids
 *   re-checked), podman and containerd run it; umoci 0.4.7 refuses it (recorded, not hidden). On a
 *   Node without an encoder the same commit fails with `UNSUPPORTED_COMPRESSION`, naming the
 *   Node version needed and the one running.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commit, convert, importRootfs, unpack, verify } from '@layerkit/image/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_HAS_ZSTD_ENCODER } from '../fixtures/zstd-encoder.js';
import { type Buildah, createBuildah } from './clients/buildah.js';
import { type Containerd, startContainerd } from './clients/containerd.js';
import { blobPath, readLayoutImage } from './clients/layout.js';
import { createPodman, type Podman } from './clients/podman.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import { ClientError, runTool } from './clients/tools.js';
import { type TreeFact, walkTree } from './clients/tree.js';
import * as umoci from './clients/umoci.js';
import { populateBusyboxRootfs } from './fixtures/busybox-rootfs.js';
import { withClientRoot } from './fixtures/layerkit-images.js';

const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
const ADDED = 'written with zstd\n';

const scratch = useInteropScratchDir('layerkit-zstd');
const path = (name: string) => join(scratch.path, name);
/** The gzip base image (a busybox rootfs, imported by layerkit) and umoci's unpack of it. */
let baseLayout: string;
let baseTree: TreeFact[];

beforeAll(async () => {
  const rootfs = path('base-rootfs');
  populateBusyboxRootfs(rootfs);
  baseLayout = path('base');
  await importRootfs({ rootfs, dest: skopeo.ociRef(baseLayout, 'base'), changes: ['CMD ["/bin/sh"]'] });
  baseTree = await walkTree(await umoci.unpack(baseLayout, 'base', path('umoci-base')));
});

/**
 * skopeo's gzip copy of the layout image `ref` (it decompresses every layer, zstd included),
 * unpacked by umoci, which checks every DiffID: the tree the image holds, as the clients see it.
 * (Docker's formats have no zstd: skopeo refuses to write a zstd layer into a docker-archive.)
 */
async function clientTreeOf(label: string, ref: string): Promise<TreeFact[]> {
  const gzipLayout = path(`${label}-as-gzip`);
  await skopeo.copy(ref, skopeo.ociRef(gzipLayout, 'image'), { destCompressFormat: 'gzip' });
  return walkTree(await umoci.unpack(gzipLayout, 'image', path(`umoci-${label}`)));
}

/** layerkit unpacks `ref`, verifies it, and commits a change on top, which the clients read back. */
async function layerkitReads(label: string, ref: string): Promise<TreeFact[]> {
  const rootfs = path(`layerkit-${label}`);
  await unpack(ref, rootfs);
  const report = await verify(ref);
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
  const tree = withClientRoot(await walkTree(rootfs));
  writeFileSync(join(rootfs, 'etc/on-top.txt'), `on top of ${label}\n`);
  const committed = withClientRoot(await walkTree(rootfs));
  const next = skopeo.ociRef(path(`next-${label}`), 'next');
  await commit({ base: ref, rootfs, dest: next });
  expect(await clientTreeOf(`next-${label}`, next)).toEqual(committed);
  return tree;
}

describe(`clients write zstd, layerkit reads it (Node ${process.versions.node})`, () => {
  it('skopeo copy --dest-compress-format zstd: unpack equals umoci’s unpack of the gzip original', async () => {
    const layout = path('skopeo-zstd');
    await skopeo.copy(skopeo.ociRef(baseLayout, 'base'), skopeo.ociRef(layout, 'image'), {
      destCompressFormat: 'zstd',
    });
    expect(readLayoutImage(layout, 'image').manifest.layers.map((l) => l.mediaType)).toEqual([ZSTD]);
    expect(await layerkitReads('skopeo', skopeo.ociRef(layout, 'image'))).toEqual(baseTree);
  });

  it('podman push --compression-format zstd into an oci: layout: its own layer is read', async () => {
    const podman: Podman = createPodman();
    try {
      const archive = path('base.oci.tar');
      await convert(skopeo.ociRef(baseLayout, 'base'), `oci-archive:${archive}:example.com/zstd/base:v1`);
      await podman.load(archive);
      await podman.commitAfterRun(
        'example.com/zstd/base:v1',
        ['sh', '-c', `echo "${ADDED.trim()}" > /etc/podman.txt`],
        'localhost/zstd/podman:v1',
      );
      const layout = path('podman-zstd');
      await podman.push('localhost/zstd/podman:v1', skopeo.ociRef(layout, 'image'), {}, 'oci', 'zstd');
      const layers = readLayoutImage(layout, 'image').manifest.layers;
      expect(layers.at(-1)?.mediaType).toBe(ZSTD);
      const tree = await layerkitReads('podman', skopeo.ociRef(layout, 'image'));
      // umoci reads gzip only: its view of the same image comes from skopeo's gzip copy
      expect(tree).toEqual(await clientTreeOf('podman', skopeo.ociRef(layout, 'image')));
      expect(tree.find((fact) => fact.path === '/etc/podman.txt')).toBeDefined();
    } finally {
      await podman.dispose();
    }
  });

  it('buildah push --compression-format zstd into an oci: layout: every layer is read', async () => {
    const buildah: Buildah = createBuildah();
    try {
      const container = await buildah.from(baseLayout, 'base');
      const file = path('buildah.txt');
      writeFileSync(file, ADDED);
      await buildah.copy(container, file, '/etc/buildah.txt');
      await buildah.commit(container, 'localhost/zstd/buildah:v1');
      const layout = path('buildah-zstd');
      await buildah.push('localhost/zstd/buildah:v1', skopeo.ociRef(layout, 'image'), {}, 'oci', 'zstd');
      expect(readLayoutImage(layout, 'image').manifest.layers.at(-1)?.mediaType).toBe(ZSTD);
      const tree = await layerkitReads('buildah', skopeo.ociRef(layout, 'image'));
      expect(tree).toEqual(await clientTreeOf('buildah', skopeo.ociRef(layout, 'image')));
      expect(tree.find((fact) => fact.path === '/etc/buildah.txt')).toBeDefined();
    } finally {
      await buildah.dispose();
    }
  });
});

describe.runIf(NODE_HAS_ZSTD_ENCODER)(
  `layerkit writes zstd (Node ${process.versions.node}), the clients read it`,
  () => {
    const layout = () => path('layerkit-zstd');
    const ref = () => skopeo.ociRef(layout(), 'zstd');
    let committed: TreeFact[];
    beforeAll(async () => {
      const rootfs = path('zstd-rootfs');
      await unpack(skopeo.ociRef(baseLayout, 'base'), rootfs);
      writeFileSync(join(rootfs, 'etc/zstd.txt'), ADDED);
      committed = withClientRoot(await walkTree(rootfs));
      await commit({ base: skopeo.ociRef(baseLayout, 'base'), rootfs, dest: ref(), compression: 'zstd' });
    });

    it('the new layer is tar+zstd; the zstd tool tests it (checksum in the frame)', async () => {
      const top = readLayoutImage(layout(), 'zstd').manifest.layers.at(-1);
      expect(top?.mediaType).toBe(ZSTD);
      const { stdout } = await runTool('zstd', ['-lv', blobPath(layout(), top?.digest ?? '')]);
      expect(stdout).toMatch(/Check: XXH64/);
      await runTool('zstd', ['-t', '-q', blobPath(layout(), top?.digest ?? '')]);
    });

    it('skopeo copies it as it is (digests checked), and decompresses it into the committed tree', async () => {
      const copy = path('skopeo-copy');
      await skopeo.copy(ref(), skopeo.ociRef(copy, 'image'), { preserveDigests: true });
      expect(readLayoutImage(copy, 'image').manifest).toEqual(readLayoutImage(layout(), 'zstd').manifest);
      expect(await clientTreeOf('layerkit-zstd', ref())).toEqual(committed);
    });

    it('umoci 0.4.7 cannot unpack tar+zstd layers (a limit of umoci, recorded)', async () => {
      const error = await umoci.unpack(layout(), 'zstd', path('umoci-zstd')).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(ClientError);
      expect((error as ClientError).stderr).toContain(
        'blob is not correct mediatype: application/vnd.oci.image.layer.v1.tar+zstd',
      );
    });

    it('podman loads it (as an oci-archive) and runs it', async () => {
      const podman: Podman = createPodman();
      try {
        const archive = path('zstd.oci.tar');
        await convert(ref(), `oci-archive:${archive}:example.com/layerkit/zstd:v1`);
        expect(await podman.load(archive)).toEqual(['example.com/layerkit/zstd:v1']);
        expect(await podman.run('example.com/layerkit/zstd:v1', ['cat', '/etc/zstd.txt'])).toBe(ADDED);
      } finally {
        await podman.dispose();
      }
    });

    describe('containerd', () => {
      let containerd: Containerd;
      beforeAll(async () => {
        containerd = await startContainerd();
      });
      afterAll(() => containerd?.stop());

      it('imports it complete and unpacked, and runs it', async () => {
        const archive = path('zstd-ctr.oci.tar');
        const name = 'example.com/layerkit/zstd:ctr';
        const descriptor = await convert(ref(), `oci-archive:${archive}:${name}`);
        const imported = await containerd.import(archive);
        expect(imported).toEqual(
          [{ ref: name, digest: descriptor.digest }].map((e) => expect.objectContaining(e)),
        );
        const [check] = (await containerd.check()).filter((row) => row.ref === name);
        expect(check).toMatchObject({ complete: true, unpacked: true });
        expect(await containerd.run(name, ['/bin/cat', '/etc/zstd.txt'])).toBe(ADDED);
      });
    });
  },
);

describe.runIf(!NODE_HAS_ZSTD_ENCODER)(`layerkit cannot write zstd on Node ${process.versions.node}`, () => {
  it('commit --compression zstd fails with UNSUPPORTED_COMPRESSION naming Node 22.15, and tags nothing', async () => {
    const rootfs = path('refused-rootfs');
    await unpack(skopeo.ociRef(baseLayout, 'base'), rootfs);
    writeFileSync(join(rootfs, 'etc/zstd.txt'), ADDED);
    const dest = skopeo.ociRef(path('refused'), 'zstd');
    await expect(
      commit({ base: skopeo.ociRef(baseLayout, 'base'), rootfs, dest, compression: 'zstd' }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_COMPRESSION',
      message: expect.stringContaining(
        `Node ${process.versions.node} has no zstd encoder (added in Node 22.15)`,
      ),
    });
    await expect(skopeo.inspect(dest)).rejects.toBeInstanceOf(ClientError);
  });
});
