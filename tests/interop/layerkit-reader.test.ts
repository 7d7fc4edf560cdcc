/**
 * Issue 7, item 8: layerkit reads what the real clients write. For each client-written image —
 * skopeo's oci / oci-archive / docker-archive copies, a umoci-built layout, `docker save` from a
 * private dockerd, `ctr images export`, a buildah commit — layerkit unpacks it (the tree must
 * equal umoci's unpack of the same image), verifies it, and commits a change on top, which
 * skopeo and umoci must accept and unpack to exactly the committed tree.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendLayer, commit, unpack, verify } from '@layerkit/image/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buildah, createBuildah } from './clients/buildah.js';
import { type Containerd, startContainerd } from './clients/containerd.js';
import { type Dockerd, startDockerd } from './clients/docker.js';
import { readLayoutImage } from './clients/layout.js';
import { createPodman, type Podman } from './clients/podman.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import { runTool } from './clients/tools.js';
import { type TreeFact, walkTree } from './clients/tree.js';
import * as umoci from './clients/umoci.js';
import { LONG_NAME, populateForeignLayer } from './fixtures/busybox-rootfs.js';
import { buildCli, runLayerkit } from './fixtures/layerkit-cli.js';
import { buildLayerkitImages, type LayerkitImages, withClientRoot } from './fixtures/layerkit-images.js';
import { buildReferenceImage, type ReferenceImage } from './reference-image.js';

let built: LayerkitImages;
let reference: ReferenceImage;
const scratch = useInteropScratchDir('layerkit-reader');

beforeAll(async () => {
  [built, reference] = await Promise.all([buildLayerkitImages(), buildReferenceImage(), buildCli()]);
});

afterAll(() => {
  built?.dispose();
  reference?.dispose();
});

/** An image a client wrote, and the same image as an OCI layout umoci can unpack. */
interface ClientImage {
  /** layerkit's (skopeo-style) reference to the client's output. */
  readonly ref: string;
  readonly umociLayout: string;
  readonly umociTag: string;
}

/** `ref` as a layout for umoci, copied by skopeo (which converts Docker formats to OCI). */
async function asLayout(label: string, ref: string): Promise<ClientImage> {
  const umociLayout = join(scratch.path, `layout-${label}`);
  await skopeo.copy(ref, skopeo.ociRef(umociLayout, 'image'));
  return { ref, umociLayout, umociTag: 'image' };
}

/**
 * The checks of item 8 on one client-written image: layerkit unpack == umoci unpack, verify is
 * clean (the library's report, and `layerkit verify` exits 0), and a layerkit commit on top (a
 * changed, an added and a deleted file) is accepted by skopeo (into docker-archive, diff_ids
 * re-checked) and unpacked by umoci to the committed tree.
 */
async function readAndCommitOnTop(label: string, image: ClientImage): Promise<TreeFact[]> {
  const ours = join(scratch.path, `layerkit-${label}`);
  await unpack(image.ref, ours);
  const theirs = await walkTree(
    await umoci.unpack(image.umociLayout, image.umociTag, join(scratch.path, `umoci-${label}`)),
  );
  expect(withClientRoot(await walkTree(ours))).toEqual(theirs);
  const report = await verify(image.ref);
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
  // and the CLI exits 0 (a non-zero exit rejects)
  expect((await runLayerkit(['verify', image.ref], scratch.path)).stdout).toMatch(
    /^ok {2}sha256:[0-9a-f]{64}$/m,
  );

  writeFileSync(join(ours, 'etc/hello.txt'), `changed on top of ${label}\n`);
  writeFileSync(join(ours, 'etc/reader.txt'), `added on top of ${label}\n`);
  rmSync(join(ours, 'bin/cat'));
  const committed = await walkTree(ours);
  const out = join(scratch.path, `next-${label}`);
  const result = await commit({
    base: image.ref,
    rootfs: ours,
    dest: `oci:${out}:next`,
    comment: `on top of ${label}`,
  });
  expect(result.layer).toBeDefined();
  const next = readLayoutImage(out, 'next');
  expect((await skopeo.inspect(skopeo.ociRef(out, 'next'))).Digest).toBe(result.manifest.digest);
  const archive = join(scratch.path, `next-${label}.docker.tar`);
  await skopeo.copy(skopeo.ociRef(out, 'next'), skopeo.dockerArchiveRef(archive, `layerkit/next:${label}`));
  expect((await skopeo.inspect(skopeo.dockerArchiveRef(archive))).Layers).toEqual(
    next.config.rootfs.diff_ids,
  );
  const rootfs = await umoci.unpack(out, 'next', join(scratch.path, `umoci-next-${label}`));
  expect(await walkTree(rootfs)).toEqual(withClientRoot(committed));
  return theirs;
}

/** The matrix's most layered image (every change kind, config edits) as a layout ref. */
const topLayoutRef = () => skopeo.ociRef(built.layout, 'config');

describe('skopeo copies of a layerkit image', () => {
  it('oci: a layout skopeo wrote (it compresses our uncompressed layers on the way)', async () => {
    const layout = join(scratch.path, 'skopeo-oci');
    await skopeo.copy(topLayoutRef(), skopeo.ociRef(layout, 'copied'));
    const image = { ref: skopeo.ociRef(layout, 'copied'), umociLayout: layout, umociTag: 'copied' };
    await readAndCommitOnTop('skopeo-oci', image);
  });

  it('oci-archive', async () => {
    const file = join(scratch.path, 'skopeo.oci.tar');
    await skopeo.copy(topLayoutRef(), skopeo.ociArchiveRef(file, 'example.com/skopeo/copied:v1'));
    await readAndCommitOnTop(
      'skopeo-oci-archive',
      await asLayout('skopeo-oci-archive', `oci-archive:${file}`),
    );
  });

  it('docker-archive', async () => {
    const file = join(scratch.path, 'skopeo.docker.tar');
    await skopeo.copy(topLayoutRef(), skopeo.dockerArchiveRef(file, 'example.com/skopeo/copied:v1'));
    const image = await asLayout('skopeo-docker-archive', `docker-archive:${file}`);
    await readAndCommitOnTop('skopeo-docker-archive', image);
  });
});

describe('images other clients built', () => {
  it('a umoci-built layout (the harness reference image)', async () => {
    const ref = skopeo.ociRef(reference.layout, 'v2');
    await readAndCommitOnTop('umoci', { ref, umociLayout: reference.layout, umociTag: 'v2' });
  });

  it('buildah commit of a container made from our image (OCI layout and docker-archive)', async () => {
    const buildah: Buildah = createBuildah();
    try {
      const container = await buildah.from(built.layout, 'config');
      const layout = join(scratch.path, 'buildah-commit');
      await buildah.commit(container, skopeo.ociRef(layout, 'committed'));
      const ref = skopeo.ociRef(layout, 'committed');
      await readAndCommitOnTop('buildah', { ref, umociLayout: layout, umociTag: 'committed' });
      // and in Docker's format, straight into a docker-archive
      const file = join(scratch.path, 'buildah.docker.tar');
      await buildah.commit(
        container,
        skopeo.dockerArchiveRef(file, 'example.com/buildah/committed:v1'),
        'docker',
      );
      await readAndCommitOnTop('buildah-docker', await asLayout('buildah-docker', `docker-archive:${file}`));
    } finally {
      await buildah.dispose();
    }
  });
});

describe('podman save', () => {
  let podman: Podman;
  beforeAll(() => {
    podman = createPodman();
  });
  afterAll(() => podman?.dispose());

  it.each([['oci-archive'], ['docker-archive']] as const)('--format %s', async (format) => {
    const archive = built.archives.topDocker;
    expect(await podman.load(archive.file)).toEqual([archive.name]);
    const file = join(scratch.path, `podman-save.${format}.tar`);
    await podman.save(archive.name, file, format);
    const label = `podman-${format}`;
    await readAndCommitOnTop(label, await asLayout(label, `${format}:${file}`));
  });
});

describe('daemon exports', () => {
  let docker: Dockerd;
  let containerd: Containerd;
  beforeAll(async () => {
    [docker, containerd] = await Promise.all([startDockerd(), startContainerd()]);
  });
  afterAll(async () => {
    await Promise.all([docker?.stop(), containerd?.stop()]);
  });

  it('docker save (Docker 20.10: the classic per-layer-directory archive)', async () => {
    const name = await docker.load(built.archives.topDocker.file);
    const file = join(scratch.path, 'docker-save.tar');
    await docker.save(name, file);
    await readAndCommitOnTop('docker-save', await asLayout('docker-save', `docker-archive:${file}`));
  });

  it('ctr images export (read as an oci-archive)', async () => {
    const archive = built.archives.topOci;
    await containerd.import(archive.file);
    const file = join(scratch.path, 'ctr-export.tar');
    await containerd.export(archive.name, file);
    await readAndCommitOnTop('ctr-export', await asLayout('ctr-export', `oci-archive:${file}`));
  });
});

describe('layers other tar tools wrote, appended with appendLayer', () => {
  const tools = [
    // GNU tar's own format: ././@LongLink names, "./" prefixes, a "./" root entry, gzip
    ['tar', ['--format=gnu', '--xattrs', '--xattrs-include=security.capability', '--numeric-owner', '-czf']],
    // libarchive's restricted pax, uncompressed
    ['bsdtar', ['--xattrs', '--numeric-owner', '-cf']],
  ] as const;

  it.each(tools)(
    '%s: whiteouts, opaque dir, long names, hardlink and capability as umoci applies them',
    async (tool, flags) => {
      const source = join(scratch.path, `${tool}-layer-source`);
      await populateForeignLayer(source);
      const layer = join(scratch.path, `${tool}.layer`);
      await runTool(tool, [...flags, layer, '-C', source, '.']);
      const layout = join(scratch.path, `${tool}-appended`);
      const result = await appendLayer({
        base: topLayoutRef(),
        layer,
        dest: `oci:${layout}:image`,
        comment: tool,
      });
      expect(result.layer).toBeDefined();
      const tree = await readAndCommitOnTop(`append-${tool}`, {
        ref: `oci:${layout}:image`,
        umociLayout: layout,
        umociTag: 'image',
      });
      const paths = tree.map((fact) => fact.path);
      expect(paths).not.toContain('/etc/hello.txt');
      expect(paths.filter((path) => path.startsWith('/srv/data/'))).toEqual(['/srv/data/fresh.conf']);
      expect(paths).toContain(`/opt/tool/${LONG_NAME}`);
      expect(tree.find((fact) => fact.path === '/opt/tool/bin/run-again')?.hardlinkOf).toBe(
        '/opt/tool/bin/run',
      );
      expect(tree.find((fact) => fact.path === '/opt/tool/bin/ping')?.xattrs).toHaveProperty(
        'security.capability',
      );
    },
  );
});
