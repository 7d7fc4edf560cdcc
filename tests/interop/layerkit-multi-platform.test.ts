/**
 * Multi-platform images layerkit makes, judged by the real clients, and the reverse.
 *
 * layerkit (the built CLI) imports three images — linux/amd64 (a runnable busybox rootfs),
 * linux/arm64 and linux/arm/v7 (with its variant) — and `layerkit index` lists them in a new
 * layout; `layerkit copy --all` writes it into an oci-archive and pushes it to a registry.
 *   - oci-image-tool validates the layout, and the index, each manifest and config against their
 *     schemas; skopeo `inspect --raw` of the layout and of the archive is the index's bytes and
 *     `skopeo copy --all --preserve-digests` of both keeps every digest; umoci unpacks each
 *     platform's image, named by the digest the index lists, into exactly the imported tree.
 *   - the registry serves the exact index bytes under the tag and each manifest by digest;
 *     `layerkit index` straight into the registry gives the same digest; skopeo `copy --all`
 *     from the registry reproduces every digest; podman pulls it and runs the host's image,
 *     `--platform linux/arm64` and `--arch arm --variant v7` store the others; buildah
 *     `manifest inspect` lists the same entries; Docker Engine pulls the amd64 image and runs it.
 *   - the reverse: indexes buildah writes (`manifest create/add/push --all`, as an OCI index and
 *     as a Docker manifest list, of images buildah built) are copied whole by `layerkit copy
 *     --all docker://… oci:…` keeping every digest and byte, unpacked per platform, and pushed
 *     back unchanged.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { background } from '../fixtures/background.js';
import { sha256Digest } from './clients/digest.js';
import { type Dockerd, startDockerd } from './clients/docker.js';
import { blobPath, type Descriptor, readLayoutImage } from './clients/layout.js';
import { validateDocument, validateLayout } from './clients/oci-image-tool.js';
import { createPodman, type Podman, registryFlags } from './clients/podman.js';
import { type Registry, startRegistry } from './clients/registry.js';
import { interopScratchDir, useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import { runTool } from './clients/tools.js';
import { type TreeFact, walkTree } from './clients/tree.js';
import * as umoci from './clients/umoci.js';
import { populateBusyboxRootfs } from './fixtures/busybox-rootfs.js';
import { buildCli, runLayerkit } from './fixtures/layerkit-cli.js';
import { withClientRoot } from './fixtures/layerkit-images.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const REF_NAME = 'org.opencontainers.image.ref.name';

interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}
interface IndexEntry extends Descriptor {
  readonly platform?: Platform;
}
interface Index {
  readonly schemaVersion: number;
  readonly mediaType?: string;
  readonly manifests: readonly IndexEntry[];
  readonly annotations?: Readonly<Record<string, string>>;
}
interface Manifest {
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** The three images: a name, the `--platform` layerkit imports it with, and its platform. */
const PLATFORMS = [
  { name: 'amd64', flag: 'linux/amd64', platform: { os: 'linux', architecture: 'amd64' } },
  { name: 'arm64', flag: 'linux/arm64', platform: { os: 'linux', architecture: 'arm64' } },
  { name: 'armv7', flag: 'linux/arm/v7', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
] as const;
type PlatformName = (typeof PLATFORMS)[number]['name'];

/** One image of the index, as layerkit imported it. */
interface Imported {
  readonly name: PlatformName;
  readonly platform: Platform;
  /** The tree that was imported, walked right before. */
  readonly tree: readonly TreeFact[];
  /** The entry the index lists for it (manifest digest and size, platform). */
  readonly entry: IndexEntry;
  readonly manifestBytes: Buffer;
  readonly manifest: Manifest;
}

const scratch = useInteropScratchDir('layerkit-multi-platform');
let registry: Registry;
let podman: Podman;
let dockerdReady: Promise<Dockerd>;
/** The layout `layerkit index` wrote (only the index is tagged there: `app`). */
let multiLayout: string;
/** `layerkit copy --all` of it into an oci-archive, tag `app`. */
let multiArchive: string;
let indexDigest: string;
let indexBytes: Buffer;
let index: Index;
const imported = new Map<PlatformName, Imported>();
let dirs = 0;

const freshPath = (label: string) => join(scratch.path, `${dirs++}-${label}`);
const image = (name: PlatformName) => {
  const found = imported.get(name);
  if (found === undefined) throw new Error(`interop: no image ${name}`);
  return found;
};

/** `layerkit ARGS…` (the built CLI); its stdout. */
async function layerkit(...args: string[]): Promise<string> {
  return (await runLayerkit(args, scratch.path)).stdout;
}

/** A blob of a layout, checked against its digest. */
function layoutBlob(layout: string, digest: string): Buffer {
  const bytes = readFileSync(blobPath(layout, digest));
  expect(sha256Digest(bytes), `blob ${digest} of ${layout}`).toBe(digest);
  return bytes;
}

/** The descriptor a layout's index.json tags `tag`. */
function taggedIn(layout: string, tag: string): IndexEntry {
  const entries = (JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as Index).manifests;
  const entry = entries.find((candidate) => candidate.annotations?.[REF_NAME] === tag);
  if (entry === undefined) throw new Error(`interop: no tag ${tag} in ${layout}`);
  return entry;
}

/**
 * Checks that `layout` holds the index `digest` and, byte for byte, every manifest, config and
 * layer blob that `expected` (a layout holding the same index) holds for it.
 */
function expectSameIndexClosure(layout: string, expected: string, digest: string): void {
  expect(layoutBlob(layout, digest).equals(layoutBlob(expected, digest))).toBe(true);
  const listed = JSON.parse(layoutBlob(expected, digest).toString('utf8')) as Index;
  for (const entry of listed.manifests) {
    const manifestBytes = layoutBlob(expected, entry.digest);
    expect(layoutBlob(layout, entry.digest).equals(manifestBytes), entry.digest).toBe(true);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    for (const blob of [manifest.config, ...manifest.layers]) {
      expect(layoutBlob(layout, blob.digest).equals(layoutBlob(expected, blob.digest)), blob.digest).toBe(
        true,
      );
    }
  }
}

/** A small tree for the images that cannot run here: the platform's name and a few files. */
function populateForeignRootfs(rootfs: string, name: string): void {
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  mkdirSync(join(rootfs, 'usr/share/doc/app'), { recursive: true });
  writeFileSync(join(rootfs, 'usr/share/doc/app/README'), `an image for ${name}\n`);
  writeFileSync(join(rootfs, 'usr/share/doc/app/data.bin'), Buffer.alloc(8192, name.length));
}

/**
 * A private buildah store (vfs, chroot isolation) with a registries.conf that lets it reach the
 * test registry over plain HTTP (`manifest inspect` has no `--tls-verify`).
 */
function createManifestBuildah(registryAddress: string) {
  const homeScratch = interopScratchDir('buildah');
  const home = homeScratch.path;
  const conf = join(home, 'registries.conf');
  writeFileSync(conf, `[[registry]]\nlocation = "${registryAddress}"\ninsecure = true\n`);
  const global = [
    ...['--root', join(home, 'root'), '--runroot', join(home, 'run'), '--storage-driver', 'vfs'],
    ...['--registries-conf', conf],
  ];
  const env = { BUILDAH_ISOLATION: 'chroot', TMPDIR: home };
  const buildah = async (...args: string[]) =>
    (await runTool('buildah', [...global, ...args], { cwd: home, env })).stdout.trim();
  let files = 0;
  return {
    buildah,
    /** `buildah from scratch` + a file at /etc/platform + `config --os/--arch/--variant` + `commit`. */
    async buildImage(name: string, platform: Platform, content: string): Promise<void> {
      const container = await buildah('from', 'scratch');
      const file = join(home, `file-${files++}`);
      writeFileSync(file, content);
      await buildah('copy', '--quiet', container, file, '/etc/platform');
      await buildah(
        'config',
        ...['--os', platform.os, '--arch', platform.architecture],
        ...(platform.variant === undefined ? [] : ['--variant', platform.variant]),
        container,
      );
      await buildah('commit', '--quiet', '--format', 'oci', container, name);
      await buildah('rm', container);
    },
    dispose: () => homeScratch.remove(),
  };
}

beforeAll(async () => {
  podman = createPodman();
  const [started, built] = await Promise.allSettled([startRegistry(), buildCli()]);
  if (started.status === 'fulfilled') registry = started.value;
  for (const step of [started, built]) if (step.status === 'rejected') throw step.reason;
  dockerdReady = background(startDockerd({ insecureRegistries: [registry.address] }));

  const sources = join(scratch.path, 'images');
  const trees = new Map<PlatformName, { platform: Platform; tree: TreeFact[] }>();
  for (const { name, flag, platform } of PLATFORMS) {
    const rootfs = freshPath(`rootfs-${name}`);
    if (name === 'amd64') populateBusyboxRootfs(rootfs);
    else populateForeignRootfs(rootfs, name);
    writeFileSync(join(rootfs, 'etc/platform'), `${name}\n`);
    const tree = await walkTree(rootfs);
    await layerkit('import', '--quiet', '--platform', flag, rootfs, `oci:${sources}:${name}`);
    trees.set(name, { platform, tree });
  }
  multiLayout = join(scratch.path, 'multi');
  indexDigest = (
    await layerkit(
      'index',
      '--quiet',
      `oci:${multiLayout}:app`,
      ...PLATFORMS.map(({ name }) => `oci:${sources}:${name}`),
    )
  ).trim();
  expect(indexDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  multiArchive = join(scratch.path, 'multi.tar');
  expect(
    (
      await layerkit('copy', '--all', '--quiet', `oci:${multiLayout}:app`, `oci-archive:${multiArchive}:app`)
    ).trim(),
  ).toBe(indexDigest);
  indexBytes = layoutBlob(multiLayout, indexDigest);
  index = JSON.parse(indexBytes.toString('utf8')) as Index;
  for (const { name } of PLATFORMS) {
    // the entry of the manifest layerkit imported (the first test checks the order)
    const digest = readLayoutImage(sources, name).descriptor.digest;
    const entry = index.manifests.find((candidate) => candidate.digest === digest);
    if (entry === undefined) throw new Error(`interop: the index does not list ${name} (${digest})`);
    const manifestBytes = layoutBlob(multiLayout, entry.digest);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    const { platform, tree } = trees.get(name)!;
    imported.set(name, { name, platform, tree, entry, manifestBytes, manifest });
  }
});

afterAll(async () => {
  await Promise.all([
    dockerdReady?.then((daemon) => daemon.stop()).catch(() => undefined),
    podman?.dispose(),
  ]);
  await registry?.stop();
});

describe('the index layerkit writes into a layout and an oci-archive', () => {
  it('lists each image once with its platform (the variant too); the layout tags the index only', () => {
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(OCI_INDEX);
    expect(index.manifests).toEqual(
      PLATFORMS.map(({ name, platform }) => ({
        mediaType: OCI_MANIFEST,
        digest: image(name).entry.digest,
        size: image(name).manifestBytes.length,
        platform,
      })),
    );
    expect(new Set(index.manifests.map((entry) => entry.digest)).size).toBe(PLATFORMS.length);
    const entries = (JSON.parse(readFileSync(join(multiLayout, 'index.json'), 'utf8')) as Index).manifests;
    expect(entries).toEqual([
      {
        mediaType: OCI_INDEX,
        digest: indexDigest,
        size: indexBytes.length,
        annotations: { [REF_NAME]: 'app' },
      },
    ]);
  });

  it('oci-image-tool validates the layout, the index, every manifest and config', async () => {
    await expect(validateLayout(multiLayout, 'app')).resolves.toMatch(/Validation succeeded/);
    // rc1 does not descend into an index from index.json: each document is checked on its own
    await expect(validateDocument('imageIndex', blobPath(multiLayout, indexDigest))).resolves.toMatch(
      /succeeded/,
    );
    for (const { name } of PLATFORMS) {
      const { entry, manifest } = image(name);
      await expect(validateDocument('manifest', blobPath(multiLayout, entry.digest))).resolves.toMatch(
        /succeeded/,
      );
      await expect(
        validateDocument('config', blobPath(multiLayout, manifest.config.digest)),
      ).resolves.toMatch(/succeeded/);
    }
  });

  it.each([
    ['layout', () => skopeo.ociRef(multiLayout, 'app')],
    ['oci-archive', () => skopeo.ociArchiveRef(multiArchive, 'app')],
  ])('skopeo: inspect --raw of the %s is the index; copy --all keeps every digest', async (_kind, refOf) => {
    const ref = refOf();
    expect((await skopeo.inspectRaw(ref)).equals(indexBytes)).toBe(true);
    const host = await skopeo.inspect(ref);
    expect(host.Digest).toBe(indexDigest);
    expect(host.Architecture).toBe('amd64');
    expect(host.Layers).toEqual(image('amd64').manifest.layers.map((layer) => layer.digest));
    const copied = freshPath('skopeo-copy');
    await skopeo.copy(ref, skopeo.ociRef(copied, 'copy'), { all: true, preserveDigests: true });
    expect(taggedIn(copied, 'copy')).toMatchObject({ mediaType: OCI_INDEX, digest: indexDigest });
    expectSameIndexClosure(copied, multiLayout, indexDigest);
  });

  it('umoci unpacks each platform’s image, named by the digest the index lists, into the imported tree', async () => {
    // umoci reads images from index.json tags: a copy of the layout tags each listed digest
    const byDigest = freshPath('by-digest');
    cpSync(multiLayout, byDigest, { recursive: true });
    writeFileSync(
      join(byDigest, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: index.manifests.map((entry, i) => ({
          ...entry,
          annotations: { [REF_NAME]: PLATFORMS[i]?.name },
        })),
      }),
    );
    // no --ref: rc1's filter fails on three refs; without it every ref (image) is validated
    await expect(validateLayout(byDigest)).resolves.toMatch(/Validation succeeded/);
    for (const { name } of PLATFORMS) {
      const rootfs = await umoci.unpack(byDigest, name, freshPath(`umoci-${name}`));
      expect(await walkTree(rootfs)).toEqual(withClientRoot(image(name).tree));
      expect(readFileSync(join(rootfs, 'etc/platform'), 'utf8')).toBe(`${name}\n`);
    }
  });
});

describe('pushed to a registry with layerkit copy --all', () => {
  const REPO = 'lk/multi';
  const ref = () => registry.reference(`${REPO}:v1`);
  let pushed: Promise<void> | undefined;
  /** Pushes once, for every test of the block (each may run alone). */
  const push = () => {
    pushed ??= (async () => {
      expect((await layerkit('copy', '--all', '--quiet', `oci:${multiLayout}:app`, ref())).trim()).toBe(
        indexDigest,
      );
    })();
    return pushed;
  };

  it('the registry serves the exact index under the tag and each manifest by digest', async () => {
    await push();
    const served = await registry.manifest(REPO, 'v1');
    expect(served.headerDigest).toBe(indexDigest);
    expect(served.mediaType).toBe(OCI_INDEX);
    expect(served.bytes.equals(indexBytes)).toBe(true);
    for (const { name } of PLATFORMS) {
      const { entry, manifestBytes } = image(name);
      const manifest = await registry.manifest(REPO, entry.digest);
      expect(manifest.digest).toBe(entry.digest);
      expect(manifest.mediaType).toBe(OCI_MANIFEST);
      expect(manifest.bytes.equals(manifestBytes)).toBe(true);
    }
    // `layerkit index` straight into the registry makes the same document
    const sources = join(scratch.path, 'images');
    const direct = await layerkit(
      'index',
      '--quiet',
      registry.reference('lk/direct:v1'),
      ...PLATFORMS.map(({ name }) => `oci:${sources}:${name}`),
    );
    expect(direct.trim()).toBe(indexDigest);
    expect((await registry.manifest('lk/direct', 'v1')).bytes.equals(indexBytes)).toBe(true);
    expect(registry.errors()).toEqual([]);
  });

  it('an index refused for two amd64 images moves no tag in the registry', async () => {
    const sources = join(scratch.path, 'images');
    const rootfs = freshPath('rootfs-other');
    populateForeignRootfs(rootfs, 'other amd64');
    await layerkit('import', '--quiet', '--platform', 'linux/amd64', rootfs, `oci:${sources}:other`);
    const failed = await runLayerkit(
      [
        'index',
        '--quiet',
        registry.reference('lk/refused:v1'),
        `oci:${sources}:amd64`,
        `oci:${sources}:other`,
      ],
      scratch.path,
    ).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/^layerkit: index: two images for linux\/amd64[^\n]*\n$/);
    await expect(registry.manifest('lk/refused', 'v1')).rejects.toThrow(/HTTP 404/);
  });

  it('skopeo copy --all from the registry reproduces every digest', async () => {
    await push();
    const copied = freshPath('skopeo-pull');
    await registry.pull(`${REPO}:v1`, skopeo.ociRef(copied, 'pulled'));
    expect(taggedIn(copied, 'pulled')).toMatchObject({ mediaType: OCI_INDEX, digest: indexDigest });
    expectSameIndexClosure(copied, multiLayout, indexDigest);
  });

  it('podman pulls and runs the host’s image; --platform and --arch/--variant store the others', async () => {
    await push();
    const plain = `${registry.address}/${REPO}:v1`;
    const hostId = await podman.pull(plain);
    expect(`sha256:${hostId}`).toBe(image('amd64').manifest.config.digest);
    expect(await podman.run(plain, ['/bin/cat', '/etc/platform'])).toBe('amd64\n');
    // A second store pulls the other platforms (each pull retags the name).
    const homeScratch = interopScratchDir('podman-platforms');
    const home = homeScratch.path;
    try {
      const store = ['--root', join(home, 'root'), '--runroot', join(home, 'run'), '--storage-driver', 'vfs'];
      const podmanAt = async (...args: string[]) =>
        (
          await runTool(
            'podman',
            [...store, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--tmpdir', home, ...args],
            {
              env: { TMPDIR: home },
            },
          )
        ).stdout.trim();
      for (const [name, flags] of [
        ['arm64', ['--platform', 'linux/arm64']],
        ['armv7', ['--arch', 'arm', '--variant', 'v7']],
      ] as const) {
        const id = (await podmanAt('pull', '--quiet', ...registryFlags(), ...flags, plain))
          .split('\n')
          .at(-1);
        expect(`sha256:${id}`).toBe(image(name).manifest.config.digest);
        const [inspected] = JSON.parse(await podmanAt('image', 'inspect', id ?? '')) as {
          Architecture: string;
          Os: string;
          Digest: string;
        }[];
        expect(inspected).toMatchObject({
          Architecture: image(name).platform.architecture,
          Os: 'linux',
          Digest: indexDigest,
        });
      }
    } finally {
      homeScratch.remove();
    }
  });

  it('buildah manifest inspect lists the same entries', async () => {
    await push();
    const buildah = createManifestBuildah(registry.address);
    try {
      const listed = JSON.parse(
        await buildah.buildah('manifest', 'inspect', `${registry.address}/${REPO}:v1`),
      ) as Index;
      expect(listed.manifests.map(({ digest, size, platform }) => ({ digest, size, platform }))).toEqual(
        index.manifests.map(({ digest, size, platform }) => ({ digest, size, platform })),
      );
    } finally {
      buildah.dispose();
    }
  });

  it('Docker Engine pulls the amd64 image from the index and runs it', async () => {
    await push();
    const docker = await dockerdReady;
    const plain = `${registry.address}/${REPO}:v1`;
    expect(await docker.pull(plain)).toBe(indexDigest);
    const inspected = await docker.inspect(plain);
    expect(inspected.Id).toBe(image('amd64').manifest.config.digest);
    expect(inspected.Architecture).toBe('amd64');
    expect(await docker.run(plain, ['/bin/cat', '/etc/platform'])).toBe('amd64\n');
  });
});

describe('the reverse: layerkit copies whole what buildah writes', () => {
  const BUILT: readonly { name: string; platform: Platform }[] = [
    { name: 'bh-amd64', platform: { os: 'linux', architecture: 'amd64' } },
    { name: 'bh-arm64', platform: { os: 'linux', architecture: 'arm64' } },
    { name: 'bh-armv7', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
  ];

  it.each([
    ['an OCI index', 'oci', OCI_INDEX, OCI_MANIFEST],
    ['a Docker manifest list', 'v2s2', DOCKER_LIST, DOCKER_MANIFEST],
  ] as const)(
    'buildah manifest push --all (%s): every digest and byte kept',
    async (_what, format, listType, manifestType) => {
      const buildah = createManifestBuildah(registry.address);
      const repository = `bh/${format}`;
      try {
        for (const { name, platform } of BUILT) await buildah.buildImage(name, platform, `${name}\n`);
        await buildah.buildah('manifest', 'create', 'bhlist');
        for (const { name } of BUILT) await buildah.buildah('manifest', 'add', 'bhlist', name);
        await buildah.buildah(
          'manifest',
          'push',
          '--quiet',
          '--all',
          '--format',
          format,
          ...registryFlags(),
          'bhlist',
          registry.reference(`${repository}:v1`),
        );
      } finally {
        buildah.dispose();
      }
      const served = await registry.manifest(repository, 'v1');
      expect(served.mediaType).toBe(listType);
      const list = JSON.parse(served.bytes.toString('utf8')) as Index;
      expect(list.manifests.map(({ mediaType, platform }) => ({ mediaType, platform }))).toEqual(
        BUILT.map(({ platform }) => ({ mediaType: manifestType, platform })),
      );

      const layout = freshPath(`from-buildah-${format}`);
      expect(
        (
          await layerkit(
            'copy',
            '--all',
            '--quiet',
            registry.reference(`${repository}:v1`),
            `oci:${layout}:copy`,
          )
        ).trim(),
      ).toBe(served.digest);
      expect(taggedIn(layout, 'copy')).toMatchObject({ mediaType: listType, digest: served.digest });
      expect(layoutBlob(layout, served.digest).equals(served.bytes)).toBe(true);
      for (const [i, entry] of list.manifests.entries()) {
        const manifest = await registry.manifest(repository, entry.digest);
        expect(layoutBlob(layout, entry.digest).equals(manifest.bytes)).toBe(true);
        const parsed = JSON.parse(manifest.bytes.toString('utf8')) as Manifest;
        for (const blob of [parsed.config, ...parsed.layers]) {
          expect(layoutBlob(layout, blob.digest).equals(await registry.blob(repository, blob.digest))).toBe(
            true,
          );
        }
        const built = BUILT[i]!;
        const flag = [built.platform.os, built.platform.architecture, built.platform.variant ?? '']
          .filter(Boolean)
          .join('/');
        const rootfs = freshPath(`unpacked-${built.name}`);
        await layerkit('unpack', '--quiet', '--platform', flag, `oci:${layout}:copy`, rootfs);
        expect(readFileSync(join(rootfs, 'etc/platform'), 'utf8')).toBe(`${built.name}\n`);
      }
      // …and pushes it back unchanged
      expect(
        (
          await layerkit(
            'copy',
            '--all',
            '--quiet',
            `oci:${layout}:copy`,
            registry.reference(`${repository}-back:v1`),
          )
        ).trim(),
      ).toBe(served.digest);
      expect((await registry.manifest(`${repository}-back`, 'v1')).bytes.equals(served.bytes)).toBe(true);
    },
  );
});
