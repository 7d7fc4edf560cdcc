/**
 * The real clients judge layerkit's registry traffic, both ways, on registries the harness starts
 * (distribution 2.8 on 127.0.0.1: plain HTTP, TLS with a CA made for the run, htpasswd and token
 * auth). layerkit runs as its built CLI (one commit through the library).
 *
 * A. layerkit pushes, the clients read: a busybox rootfs imported straight into the registry, a
 *    commit with a change on top (gzip), a library commit with a 9 MiB uncompressed layer sent
 *    in chunks, a commit with `--change` config edits; `tag`, `config`, `append` and `copy`
 *    (through an OCI layout into another repository). skopeo inspects them (manifest digest,
 *    layers, config) and copies them into a layout, re-verifying every blob, where umoci unpacks
 *    exactly the committed tree; podman, Docker Engine (the registry as an insecure registry)
 *    and containerd (`ctr pull --plain-http`) pull and run them; `docker history` lists our rows
 *    and prints the table `layerkit history docker://…` prints. Over TLS (`--cert-dir`; ctr with
 *    the CA in a hosts.toml), with htpasswd auth (`--authfile` written by `podman login`,
 *    `--creds`) and with token auth (pull-only users, anonymous public repositories).
 * B. the clients push, layerkit reads and builds on: skopeo (OCI, and Docker schema 2 with
 *    `--format v2s2`), podman, buildah and Docker each push an image, most with a layer of their
 *    own making (buildah one with the same empty layer twice). layerkit's inspect, history and
 *    verify read what skopeo reads, its unpack equals umoci's unpack of skopeo's copy, and a
 *    layerkit commit on top (base named by digest), pushed into another repository, is read by
 *    skopeo and umoci, run by podman, and pulled by Docker, whose history table layerkit prints
 *    exactly. A podman zstd push: read on every Node (fzstd on Node 20), a commit on top pushed
 *    and read back by skopeo and umoci. A multi-platform OCI index and Docker manifest list (skopeo `copy --all` of
 *    an index written by hand: amd64, arm64/v8, arm/v7): the host's platform by default,
 *    `--platform` (with or without the variant) picks the others, for inspect, history, verify,
 *    unpack and commit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commit } from '@layerkit/image/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { background } from '../fixtures/background.js';
import { type Buildah, createBuildah } from './clients/buildah.js';
import { type Containerd, startContainerd } from './clients/containerd.js';
import { sha256Digest } from './clients/digest.js';
import { type Dockerd, startDockerd } from './clients/docker.js';
import { type Descriptor, readLayoutImage } from './clients/layout.js';
import { createPodman, type Podman } from './clients/podman.js';
import { type Registry, startRegistry } from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import { ClientError, runTool } from './clients/tools.js';
import { type TreeFact, walkTree } from './clients/tree.js';
import * as umoci from './clients/umoci.js';
import { CHANGED_HELLO, EDITS, populateBusyboxRootfs } from './fixtures/busybox-rootfs.js';
import { buildCli, runLayerkit } from './fixtures/layerkit-cli.js';
import { CONFIG_CHANGES, MATRIX_AUTHOR, MATRIX_MESSAGE, withClientRoot } from './fixtures/layerkit-images.js';
import { buildReferenceImage, type ReferenceImage } from './reference-image.js';

const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociGzipLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociTarLayer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

/** A manifest or index as the registry serves it (the fields compared). */
interface ServedManifest {
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}
interface ServedIndex {
  readonly mediaType?: string;
  readonly manifests: readonly (Descriptor & {
    readonly platform?: { architecture: string; os: string; variant?: string };
  })[];
}

/** The history fields every client lists, newest first. */
interface HistoryFacts {
  readonly createdBy: string;
  readonly comment: string;
}

/** What `layerkit inspect` prints (the fields compared). */
interface LayerkitInspect {
  readonly Digest: string;
  readonly ImageID: string;
  readonly Architecture: string;
  readonly Os: string;
  readonly Config?: { readonly Cmd?: readonly string[]; readonly Env?: readonly string[] };
  readonly Layers: readonly { readonly MediaType: string; readonly Digest: string; readonly Size: number }[];
  readonly DiffIDs: readonly string[];
}

/** One row of `layerkit history --format json` (Docker's `{{json .}}` row). */
interface LayerkitHistoryRow {
  readonly ID: string;
  readonly CreatedBy: string;
  readonly Comment: string;
}

const AUTHOR = 'layerkit registry interop <registry@layerkit.invalid>';
const CHANGE_MESSAGE = 'changed hello.txt, pushed by layerkit';
const CONFIG_OUTPUT = 'hello from /srv/app\n';
/** A file of the `plain` layer, bigger than two upload chunks. */
const BIG_FILE_BYTES = 9 * 1024 * 1024;
/** `chunkSize` of the library commit that pushes `plain`. */
const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;

const scratch = useInteropScratchDir('layerkit-registry-interop');
let registry: Registry;
let podman: Podman;
/** Started in the background by the file's beforeAll; only the tests that use them wait. */
let dockerdReady: Promise<Dockerd>;
let containerdReady: Promise<Containerd>;
let dirs = 0;

/** A fresh path in the scratch dir (not created). */
const freshPath = (label: string) => join(scratch.path, `${dirs++}-${label}`);

/** `mkdir -p DIR`; returns DIR. */
function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `layerkit ARGS…` (the built CLI, as a user runs it); its stdout. */
async function layerkit(...args: string[]): Promise<string> {
  return (await runLayerkit(args, scratch.path)).stdout;
}

async function layerkitInspect(ref: string, ...flags: string[]): Promise<LayerkitInspect> {
  return JSON.parse(await layerkit('inspect', ...flags, ref)) as LayerkitInspect;
}

async function layerkitHistory(ref: string, ...flags: string[]): Promise<LayerkitHistoryRow[]> {
  const stdout = await layerkit('history', '--format', 'json', '--no-trunc', ...flags, ref);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LayerkitHistoryRow);
}

/** `layerkit commit` prints the new image ID (config digest) and nothing else. */
async function layerkitCommit(args: readonly string[]): Promise<string> {
  const imageId = (await layerkit('commit', ...args)).trim();
  expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
  return imageId;
}

/** The config's history entries, newest first (what `docker history` lists). */
function historyOf(configBytes: Buffer): HistoryFacts[] {
  const config = JSON.parse(configBytes.toString('utf8')) as {
    history?: { created_by?: string; comment?: string }[];
  };
  return (config.history ?? [])
    .map((entry) => ({ createdBy: entry.created_by ?? '', comment: entry.comment ?? '' }))
    .reverse();
}

/** `HOST:PORT/REPO:TAG` as podman, Docker and ctr name it. */
const plainName = (reg: Registry, repositoryAndTag: string) => `${reg.address}/${repositoryAndTag}`;

async function served(reg: Registry, repository: string, reference: string) {
  const response = await reg.manifest(repository, reference);
  expect(response.headerDigest).toBe(response.digest);
  return { ...response, json: JSON.parse(response.bytes.toString('utf8')) as ServedManifest & ServedIndex };
}

/**
 * skopeo copies `ref` into a fresh OCI layout (re-reading every blob against its descriptor) and
 * umoci unpacks it (digests and diff_ids checked again): the tree another toolchain sees.
 */
async function umociTreeOf(
  ref: string,
  options: skopeo.SkopeoCopyOptions = {},
): Promise<{ tree: TreeFact[]; layout: string }> {
  const layout = freshPath('skopeo-layout');
  await skopeo.copy(ref, skopeo.ociRef(layout, 'image'), options);
  const rootfs = await umoci.unpack(layout, 'image', freshPath('umoci-bundle'));
  return { tree: await walkTree(rootfs), layout };
}

beforeAll(async () => {
  podman = createPodman();
  const [started, built] = await Promise.allSettled([startRegistry(), buildCli()]);
  if (started.status === 'fulfilled') registry = started.value;
  for (const step of [started, built]) if (step.status === 'rejected') throw step.reason;
  // Docker treats 127.0.0.0/8 as insecure anyway; naming the registry does not rely on that
  dockerdReady = background(startDockerd({ insecureRegistries: [registry.address] }));
  containerdReady = background(startContainerd());
});

afterAll(async () => {
  await Promise.all([
    dockerdReady?.then((daemon) => daemon.stop()).catch(() => undefined),
    containerdReady?.then((daemon) => daemon.stop()).catch(() => undefined),
    podman?.dispose(),
  ]);
  await registry?.stop();
});

// ---------------------------------------------------------------------------------------------
// A. layerkit pushes, the clients read
// ---------------------------------------------------------------------------------------------

/** One image layerkit pushed to `lk/busybox`. */
interface PushedImage {
  readonly tag: string;
  readonly title: string;
  /** The image ID layerkit printed (CLI) or returned (library). */
  readonly imageId: string;
  /** The manifest digest, where layerkit returned it (the library's commit). */
  readonly manifestDigest?: string;
  /** The rootfs that was imported or committed, walked right before. */
  readonly tree: readonly TreeFact[];
  readonly layerCount: number;
  readonly topLayerMediaType: string;
}

describe('A. layerkit pushes, the clients read', () => {
  const REPO = 'lk/busybox';
  const images: PushedImage[] = [];
  const ref = (tag: string) => registry.reference(`${REPO}:${tag}`);
  const pushed = (tag: string) => {
    const image = images.find((candidate) => candidate.tag === tag);
    if (image === undefined) throw new Error(`interop: no pushed image ${tag}`);
    return image;
  };
  /** `layerkit unpack` of a pushed image into a fresh dir, which `edit` then changes. */
  const unpackAndEdit = async (tag: string, edit: (rootfs: string) => void | Promise<void>) => {
    const rootfs = freshPath(`rootfs-on-${tag}`);
    await layerkit('unpack', ref(tag), rootfs);
    await edit(rootfs);
    return { rootfs, tree: await walkTree(rootfs) };
  };

  beforeAll(async () => {
    // import straight into the registry
    const base = freshPath('rootfs-base');
    populateBusyboxRootfs(base);
    const baseTree = await walkTree(base);
    const baseId = (
      await layerkit('import', '-c', 'CMD ["/bin/sh"]', '-m', 'busybox rootfs', base, ref('base'))
    ).trim();
    images.push({
      tag: 'base',
      title: 'an imported busybox rootfs',
      imageId: baseId,
      tree: baseTree,
      layerCount: 1,
      topLayerMediaType: MEDIA.ociGzipLayer,
    });

    // registry → unpack → edit → commit → registry, through the CLI
    const change = await unpackAndEdit('base', (rootfs) => {
      EDITS.change.apply(rootfs);
      EDITS.add.apply(rootfs);
    });
    images.push({
      tag: 'change',
      title: 'a commit of a changed and added files (gzip)',
      imageId: await layerkitCommit([
        '-a',
        AUTHOR,
        '-m',
        CHANGE_MESSAGE,
        ref('base'),
        change.rootfs,
        ref('change'),
      ]),
      tree: change.tree,
      layerCount: 2,
      topLayerMediaType: MEDIA.ociGzipLayer,
    });

    // the same through the library, uncompressed
    const plain = await unpackAndEdit('change', (rootfs) => {
      EDITS['delete-file'].apply(rootfs);
      writeFileSync(join(rootfs, 'etc/plain.txt'), 'an uncompressed layer\n');
      // bigger than the upload chunk the library is given: the layer goes up in several PATCHes
      writeFileSync(join(rootfs, 'srv/big.bin'), randomBytes(BIG_FILE_BYTES));
    });
    const plainResult = await commit({
      base: ref('change'),
      rootfs: plain.rootfs,
      dest: ref('plain'),
      compression: 'none',
      comment: 'uncompressed layer',
      registry: { chunkSize: UPLOAD_CHUNK_BYTES },
    });
    images.push({
      tag: 'plain',
      title: 'a library commit with an uncompressed layer',
      imageId: plainResult.imageId,
      manifestDigest: plainResult.manifest.digest,
      tree: plain.tree,
      layerCount: 3,
      topLayerMediaType: MEDIA.ociTarLayer,
    });

    // config edits (`docker commit --change`)
    const config = await unpackAndEdit('plain', EDITS.config.apply);
    const changes = CONFIG_CHANGES.flatMap((change) => ['-c', change]);
    images.push({
      tag: 'config',
      title: 'a commit with --change CMD/ENV/EXPOSE/LABEL/WORKDIR',
      imageId: await layerkitCommit([
        ...changes,
        ...['-a', MATRIX_AUTHOR, '-m', MATRIX_MESSAGE, ref('plain'), config.rootfs, ref('config')],
      ]),
      tree: config.tree,
      layerCount: 4,
      topLayerMediaType: MEDIA.ociGzipLayer,
    });
  });

  describe('skopeo', () => {
    it.each(['base', 'change', 'plain', 'config'])(
      'inspect %s: the digest, layers and config layerkit wrote',
      async (tag) => {
        const image = pushed(tag);
        const manifest = await served(registry, REPO, tag);
        expect(manifest.mediaType).toBe(MEDIA.ociManifest);
        const facts = await skopeo.inspect(ref(tag));
        expect(facts.Digest).toBe(manifest.digest);
        expect(facts.Layers).toEqual(manifest.json.layers.map((layer) => layer.digest));
        expect(facts.Layers).toHaveLength(image.layerCount);
        expect(manifest.json.layers.at(-1)?.mediaType).toBe(image.topLayerMediaType);
        expect(facts.RepoTags).toContain(tag);
        const configBytes = await skopeo.inspectConfigRaw(ref(tag));
        expect(sha256Digest(configBytes)).toBe(image.imageId);
        expect(manifest.json.config.digest).toBe(image.imageId);
        // layerkit names the image the registry and skopeo name
        if (image.manifestDigest !== undefined) expect(image.manifestDigest).toBe(manifest.digest);
        const ours = await layerkitInspect(ref(tag));
        expect([ours.Digest, ours.ImageID]).toEqual([manifest.digest, image.imageId]);
      },
    );

    it.each(['base', 'change', 'plain', 'config'])(
      'copy %s into an OCI layout (every blob re-verified): umoci unpacks the committed tree',
      async (tag) => {
        const image = pushed(tag);
        const manifest = await served(registry, REPO, tag);
        const { tree, layout } = await umociTreeOf(ref(tag), { preserveDigests: true });
        expect(readLayoutImage(layout, 'image').manifestBytes.equals(manifest.bytes)).toBe(true);
        expect(tree).toEqual(withClientRoot(image.tree));
      },
    );

    it('plain: the 9 MiB layer went up in 4 MiB chunks (chunkSize), and reads back intact', async () => {
      const manifest = await served(registry, REPO, 'plain');
      const top = manifest.json.layers.at(-1);
      expect(top?.size).toBeGreaterThan(BIG_FILE_BYTES);
      const chunks = new Map<string, number>();
      for (const request of await registry.requests()) {
        if (request.method !== 'PATCH' || !request.path.startsWith(`/v2/${REPO}/blobs/uploads/`)) continue;
        expect(request.status).toBe(202);
        chunks.set(request.path, (chunks.get(request.path) ?? 0) + 1);
      }
      // (the last part may travel in the closing PUT)
      expect(Math.max(...chunks.values())).toBeGreaterThanOrEqual(
        Math.floor((top?.size ?? 0) / UPLOAD_CHUNK_BYTES),
      );
      expect(sha256Digest(await registry.blob(REPO, top?.digest ?? ''))).toBe(top?.digest);
    });

    it('layerkit copy registry → OCI layout → another repository keeps every digest', async () => {
      const layout = freshPath('layerkit-copy');
      await layerkit('copy', ref('config'), `oci:${layout}:config`);
      const local = readLayoutImage(layout, 'config');
      const original = await served(registry, REPO, 'config');
      expect(local.manifestBytes.equals(original.bytes)).toBe(true);
      const copyRef = registry.reference('lk/copied:config');
      await layerkit('copy', `oci:${layout}:config`, copyRef);
      const copied = await served(registry, 'lk/copied', 'config');
      expect(copied.digest).toBe(original.digest);
      const facts = await skopeo.inspect(copyRef);
      expect(facts.Digest).toBe(original.digest);
      const { tree } = await umociTreeOf(copyRef);
      expect(tree).toEqual(withClientRoot(pushed('config').tree));
      expect(registry.errors()).toEqual([]);
    });
  });

  describe('tag, config and append straight into the registry', () => {
    it('tag: another repository and tag, the same manifest digest for skopeo', async () => {
      const original = await served(registry, REPO, 'config');
      const tagged = registry.reference('lk/tagged:t1');
      expect((await layerkit('tag', ref('config'), tagged)).trim()).toBe(original.digest);
      expect((await served(registry, 'lk/tagged', 't1')).bytes.equals(original.bytes)).toBe(true);
      expect((await skopeo.inspect(tagged)).Digest).toBe(original.digest);
    });

    it('config: a config-only image (no new layer) that podman runs with the new ENV', async () => {
      await layerkit(
        'config',
        '-c',
        'ENV MODE=registry',
        '-c',
        'LABEL org.example.step=config',
        ref('change'),
        ref('configured'),
      );
      const base = await served(registry, REPO, 'change');
      const next = await served(registry, REPO, 'configured');
      expect(next.json.layers).toEqual(base.json.layers);
      const facts = await skopeo.inspect(ref('configured'));
      expect(facts.Env).toContain('MODE=registry');
      expect(facts.Labels).toMatchObject({ 'org.example.step': 'config' });
      const name = plainName(registry, `${REPO}:configured`);
      await podman.pull(name);
      expect(await podman.run(name, ['sh', '-c', 'echo "$MODE" && cat /etc/hello.txt'])).toBe(
        `registry\n${CHANGED_HELLO}`,
      );
    });

    it('append: a GNU tar layer on top; umoci unpacks it over the base, podman runs it', async () => {
      const dir = freshPath('append-layer');
      writeFileSync(join(ensureDir(join(dir, 'opt/appended')), 'note.txt'), 'appended by layerkit\n');
      const tarball = freshPath('append.tar.gz');
      await runTool('tar', ['--numeric-owner', '-C', dir, '-czf', tarball, 'opt']);
      await layerkit('append', ref('change'), tarball, ref('appended'));
      const next = await served(registry, REPO, 'appended');
      expect(next.json.layers).toHaveLength(3);
      const { tree } = await umociTreeOf(ref('appended'));
      const note = tree.find((fact) => fact.path === '/opt/appended/note.txt');
      expect(note?.sha256).toBe(createHash('sha256').update('appended by layerkit\n').digest('hex'));
      expect(tree.filter((fact) => fact.path !== '/opt' && !fact.path.startsWith('/opt/'))).toEqual(
        withClientRoot(pushed('change').tree),
      );
      const name = plainName(registry, `${REPO}:appended`);
      await podman.pull(name);
      expect(await podman.run(name, ['cat', '/opt/appended/note.txt'])).toBe('appended by layerkit\n');
    });
  });

  describe('podman', () => {
    it('pulls change: podman names our image and digest, lists our history rows, runs cat', async () => {
      const image = pushed('change');
      const name = plainName(registry, `${REPO}:change`);
      expect(`sha256:${await podman.pull(name)}`).toBe(image.imageId);
      const manifest = await served(registry, REPO, 'change');
      const facts = await podman.inspect(name);
      expect(facts.Digest).toBe(manifest.digest);
      expect(facts.RootFS.Layers).toHaveLength(2);
      const configBytes = await registry.blob(REPO, image.imageId);
      const rows = await podman.history(name);
      expect(rows.map((row) => ({ createdBy: row.CreatedBy ?? '', comment: row.comment ?? '' }))).toEqual(
        historyOf(configBytes),
      );
      expect(rows[0]?.comment).toBe(CHANGE_MESSAGE);
      expect(await podman.run(name, ['cat', '/etc/hello.txt'])).toBe(CHANGED_HELLO);
    });

    it('pulls config (an uncompressed layer below): its CMD, ENV and WORKDIR run', async () => {
      const name = plainName(registry, `${REPO}:config`);
      expect(`sha256:${await podman.pull(name)}`).toBe(pushed('config').imageId);
      expect(await podman.runImage(name)).toBe(CONFIG_OUTPUT);
      expect(await podman.run(name, ['cat', '/etc/plain.txt', '/etc/hello.txt'])).toBe(
        `an uncompressed layer\n${CHANGED_HELLO}`,
      );
    });
  });

  describe('Docker Engine 20.10 (the registry as an insecure registry)', () => {
    let docker: Dockerd;
    beforeAll(async () => {
      docker = await dockerdReady;
    });

    it('pulls change: the digest and image ID are ours; run cat prints the committed file', async () => {
      const name = plainName(registry, `${REPO}:change`);
      const manifest = await served(registry, REPO, 'change');
      expect(await docker.pull(name)).toBe(manifest.digest);
      const facts = await docker.inspect(name);
      expect(facts.Id).toBe(pushed('change').imageId);
      expect(facts.Author).toBe(AUTHOR);
      expect(facts.RootFS.Layers).toHaveLength(2);
      expect(await docker.run(name, ['cat', '/etc/hello.txt'])).toBe(CHANGED_HELLO);
    });

    it('docker history lists our rows; layerkit history docker://… prints exactly the same table', async () => {
      const name = plainName(registry, `${REPO}:change`);
      const rows = await docker.history(name);
      const configBytes = await registry.blob(REPO, pushed('change').imageId);
      expect(rows.map((row) => ({ createdBy: row.CreatedBy, comment: row.Comment }))).toEqual(
        historyOf(configBytes),
      );
      expect(rows[0]?.Comment).toBe(CHANGE_MESSAGE);
      for (const flags of [['--no-trunc', '--human=false'], ['--human=false']]) {
        const ours = await layerkit('history', ...flags, ref('change'));
        expect(ours).toBe(await docker.historyText(name, flags));
      }
    });

    it('docker diff of a container after edits equals layerkit diff docker://… of a rootfs after the same', async () => {
      const name = plainName(registry, `${REPO}:change`);
      await docker.pull(name);
      const script =
        'echo edited > /etc/hello.txt && rm /bin/ls && rm -r /usr/share/doc && ' +
        'mkdir -p /srv/added && echo new > /srv/added/file.txt && chmod 600 /etc/passwd';
      const theirs = await docker.diffAfterRun(name, ['sh', '-c', script]);
      const rootfs = freshPath('diff-rootfs');
      await layerkit('unpack', ref('change'), rootfs);
      writeFileSync(join(rootfs, 'etc/hello.txt'), 'edited\n');
      rmSync(join(rootfs, 'bin/ls'));
      rmSync(join(rootfs, 'usr/share/doc'), { recursive: true });
      writeFileSync(join(ensureDir(join(rootfs, 'srv/added')), 'file.txt'), 'new\n');
      chmodSync(join(rootfs, 'etc/passwd'), 0o600);
      const ours = await layerkit('diff', ref('change'), rootfs);
      // docker diff lists siblings in Go map order, layerkit sorted: the same lines are the contract
      const lines = (text: string) => text.split('\n').filter(Boolean).sort();
      expect(lines(theirs)).toContain('D /usr/share/doc');
      expect(lines(ours)).toEqual(lines(theirs));
    });

    it('pulls config (OCI manifest, an uncompressed layer): CMD, ENV and WORKDIR run', async () => {
      const name = plainName(registry, `${REPO}:config`);
      const manifest = await served(registry, REPO, 'config');
      expect(await docker.pull(name)).toBe(manifest.digest);
      expect((await docker.inspect(name)).Id).toBe(pushed('config').imageId);
      expect(await docker.run(name, ['sh', '-c', './run.sh'])).toBe(CONFIG_OUTPUT);
      const rows = await docker.history(name);
      expect(rows.map((row) => ({ createdBy: row.CreatedBy, comment: row.Comment }))).toEqual(
        historyOf(await registry.blob(REPO, pushed('config').imageId)),
      );
    });
  });

  describe('containerd 1.6', () => {
    it('ctr pull --plain-http: complete and unpacked; ctr run cat prints the committed files', async () => {
      const containerd = await containerdReady;
      const name = plainName(registry, `${REPO}:config`);
      await containerd.pull(name, { plainHttp: true });
      const manifest = await served(registry, REPO, 'config');
      const [check] = (await containerd.check()).filter((row) => row.ref === name);
      expect(check).toMatchObject({ digest: manifest.digest, complete: true, unpacked: true });
      // absolute: ctr adds no default PATH when the config has an Env (ENV GREETING=hello)
      expect(await containerd.run(name, ['/bin/cat', '/etc/hello.txt', '/etc/plain.txt'])).toBe(
        `${CHANGED_HELLO}an uncompressed layer\n`,
      );
    });
  });

  describe('over TLS with the run’s CA (--cert-dir)', () => {
    let tls: Registry;
    let imageId: string;
    let tree: TreeFact[];
    const TLS_REPO = 'lk/tls';
    /** The commit goes to another repository: its base layer is mounted over TLS. */
    const NEXT = 'lk/tls-next';
    beforeAll(async () => {
      tls = await startRegistry({ tls: true });
      const certDir = tls.certDir ?? '';
      const base = freshPath('rootfs-tls-base');
      populateBusyboxRootfs(base);
      await layerkit(
        'import',
        '--cert-dir',
        certDir,
        '-c',
        'CMD ["/bin/sh"]',
        base,
        tls.reference(`${TLS_REPO}:base`),
      );
      const rootfs = freshPath('rootfs-tls');
      await layerkit('unpack', '--cert-dir', certDir, tls.reference(`${TLS_REPO}:base`), rootfs);
      EDITS.change.apply(rootfs);
      tree = await walkTree(rootfs);
      imageId = await layerkitCommit([
        ...['--cert-dir', certDir, '-m', 'over TLS'],
        ...[tls.reference(`${TLS_REPO}:base`), rootfs, tls.reference(`${NEXT}:v2`)],
      ]);
    });
    afterAll(() => tls?.stop());

    it('took both pushes over HTTPS, the base layer mounted into the other repository', async () => {
      expect(tls.scheme).toBe('https');
      const requests = await tls.requests();
      const base = await served(tls, TLS_REPO, 'base');
      expect(requests).toContainEqual({
        method: 'PUT',
        path: `/v2/${TLS_REPO}/manifests/base`,
        query: {},
        status: 201,
      });
      expect(requests).toContainEqual({
        method: 'PUT',
        path: `/v2/${NEXT}/manifests/v2`,
        query: {},
        status: 201,
      });
      expect(requests).toContainEqual({
        method: 'POST',
        path: `/v2/${NEXT}/blobs/uploads/`,
        query: { mount: base.json.layers[0]?.digest, from: TLS_REPO },
        status: 201,
      });
      expect(tls.errors()).toEqual([]);
    });

    it('skopeo --cert-dir inspects and copies it: digest and config are layerkit’s', async () => {
      const ref = tls.reference(`${NEXT}:v2`);
      const manifest = await served(tls, NEXT, 'v2');
      const facts = await skopeo.inspect(ref, tls.skopeoAccess());
      expect(facts.Digest).toBe(manifest.digest);
      expect(facts.Layers).toEqual(manifest.json.layers.map((layer) => layer.digest));
      expect(manifest.json.config.digest).toBe(imageId);
      expect((await layerkitInspect(ref, '--cert-dir', tls.certDir ?? '')).Digest).toBe(manifest.digest);
      const { tree: theirs } = await umociTreeOf(ref, { src: tls.skopeoAccess(), preserveDigests: true });
      expect(theirs).toEqual(withClientRoot(tree));
    });

    it('layerkit copy from the plain-HTTP registry into this one (--cert-dir): skopeo sees the same digest', async () => {
      const source = await served(registry, REPO, 'config');
      const dest = tls.reference('lk/copied:config');
      await layerkit('copy', '--cert-dir', tls.certDir ?? '', ref('config'), dest);
      const copied = await served(tls, 'lk/copied', 'config');
      expect(copied.bytes.equals(source.bytes)).toBe(true);
      expect((await skopeo.inspect(dest, tls.skopeoAccess())).Digest).toBe(source.digest);
      const { tree } = await umociTreeOf(dest, { src: tls.skopeoAccess() });
      expect(tree).toEqual(withClientRoot(pushed('config').tree));
    });

    it('podman --cert-dir pulls and runs it', async () => {
      const name = plainName(tls, `${NEXT}:v2`);
      expect(`sha256:${await podman.pull(name, { certDir: tls.certDir ?? '' })}`).toBe(imageId);
      expect(await podman.run(name, ['cat', '/etc/hello.txt'])).toBe(CHANGED_HELLO);
    });

    it('ctr pull (the CA in a hosts.toml) pulls it complete and unpacked', async () => {
      const containerd = await containerdReady;
      const name = plainName(tls, `${NEXT}:v2`);
      await containerd.pull(name, { caFile: tls.caFile ?? '' });
      const manifest = await served(tls, NEXT, 'v2');
      const [check] = (await containerd.check()).filter((row) => row.ref === name);
      expect(check).toMatchObject({ digest: manifest.digest, complete: true, unpacked: true });
    });
  });

  describe('with htpasswd auth (--authfile from podman login, --creds)', () => {
    let auth: Registry;
    let authFile: string;
    let creds: string;
    let imageId: string;
    const AUTH_REPO = 'lk/auth';
    /** The commit goes to another repository: its base layer is mounted with Basic auth. */
    const NEXT = 'lk/auth-next';
    beforeAll(async () => {
      auth = await startRegistry({ auth: 'htpasswd' });
      creds = `alice:${auth.users.alice}`;
      authFile = join(scratch.path, 'podman-auth.json');
      // podman checks the password against the registry and writes containers' auth.json
      await podman.login(auth.address, authFile, { creds });
      const base = freshPath('rootfs-auth-base');
      populateBusyboxRootfs(base);
      await layerkit(
        'import',
        '--authfile',
        authFile,
        '-c',
        'CMD ["/bin/sh"]',
        base,
        auth.reference(`${AUTH_REPO}:base`),
      );
      const rootfs = freshPath('rootfs-auth');
      await layerkit('unpack', '--creds', creds, auth.reference(`${AUTH_REPO}:base`), rootfs);
      EDITS.change.apply(rootfs);
      imageId = await layerkitCommit([
        ...['--creds', creds, '-m', 'with htpasswd auth'],
        ...[auth.reference(`${AUTH_REPO}:base`), rootfs, auth.reference(`${NEXT}:v2`)],
      ]);
    });
    afterAll(() => auth?.stop());

    it('refuses anonymous clients: the pushes (and the mount into the other repository) were authenticated', async () => {
      const anonymous = skopeo.inspect(auth.reference(`${NEXT}:v2`), auth.skopeoAccess(null));
      await expect(anonymous).rejects.toThrow(ClientError);
      await expect(anonymous).rejects.toThrow(/unauthorized|authentication required/i);
      const puts = (await auth.requests()).filter((request) => request.method === 'PUT');
      expect(puts.filter((request) => request.path.includes('/manifests/'))).toEqual([
        { method: 'PUT', path: `/v2/${AUTH_REPO}/manifests/base`, query: {}, status: 201 },
        { method: 'PUT', path: `/v2/${NEXT}/manifests/v2`, query: {}, status: 201 },
      ]);
      expect(puts.every((request) => request.status === 201)).toBe(true);
      const base = await served(auth, AUTH_REPO, 'base');
      expect(await auth.requests()).toContainEqual({
        method: 'POST',
        path: `/v2/${NEXT}/blobs/uploads/`,
        query: { mount: base.json.layers[0]?.digest, from: AUTH_REPO },
        status: 201,
      });
    });

    it('skopeo --creds inspects and copies it: digest and config are layerkit’s', async () => {
      const ref = auth.reference(`${NEXT}:v2`);
      const manifest = await served(auth, NEXT, 'v2');
      const facts = await skopeo.inspect(ref, auth.skopeoAccess());
      expect(facts.Digest).toBe(manifest.digest);
      expect(manifest.json.config.digest).toBe(imageId);
      await skopeo.copy(ref, skopeo.ociRef(freshPath('auth-copy'), 'v2'), { src: auth.skopeoAccess() });
    });

    it('podman --creds pulls and runs it', async () => {
      const name = plainName(auth, `${NEXT}:v2`);
      expect(`sha256:${await podman.pull(name, { creds })}`).toBe(imageId);
      expect(await podman.run(name, ['cat', '/etc/hello.txt'])).toBe(CHANGED_HELLO);
    });
  });

  describe('with token auth (Bearer tokens per user and repository)', () => {
    let token: Registry;
    let alice: string;
    let bob: string;
    let imageId: string;
    /** Anonymous users may pull `public/*`; alice pushes anywhere, bob only pulls. */
    const PUBLIC = 'public/busybox';
    const PRIVATE = 'private/busybox';
    beforeAll(async () => {
      token = await startRegistry({ auth: 'token' });
      alice = `alice:${token.users.alice}`;
      bob = `bob:${token.users.bob}`;
      const base = freshPath('rootfs-token-base');
      populateBusyboxRootfs(base);
      await layerkit(
        'import',
        '--creds',
        alice,
        '-c',
        'CMD ["/bin/sh"]',
        base,
        token.reference(`${PUBLIC}:base`),
      );
      // anonymous: the public base is readable without credentials
      const rootfs = freshPath('rootfs-token');
      await layerkit('unpack', token.reference(`${PUBLIC}:base`), rootfs);
      EDITS.change.apply(rootfs);
      imageId = await layerkitCommit([
        ...['--creds', alice, '-m', 'with token auth'],
        ...[token.reference(`${PUBLIC}:base`), rootfs, token.reference(`${PRIVATE}:v2`)],
      ]);
    });
    afterAll(() => token?.stop());

    it('the issuer granted alice push on the private repository and pull on the public one (the mount)', async () => {
      const granted = token
        .tokenRequests()
        .flatMap((request) => (request.status === 200 ? request.granted : []));
      expect(granted).toContain(`repository:${PRIVATE}:pull,push`);
      expect(granted).toContain(`repository:${PUBLIC}:pull`);
      const base = await served(token, PUBLIC, 'base');
      expect(await token.requests()).toContainEqual({
        method: 'POST',
        path: `/v2/${PRIVATE}/blobs/uploads/`,
        query: { mount: base.json.layers[0]?.digest, from: PUBLIC },
        status: 201,
      });
    });

    it('skopeo reads the public base anonymously and the private image only with credentials', async () => {
      const publicFacts = await skopeo.inspect(token.reference(`${PUBLIC}:base`), token.skopeoAccess(null));
      expect(publicFacts.Digest).toBe((await served(token, PUBLIC, 'base')).digest);
      const anonymous = skopeo.inspect(token.reference(`${PRIVATE}:v2`), token.skopeoAccess(null));
      await expect(anonymous).rejects.toThrow(ClientError);
      const next = await served(token, PRIVATE, 'v2');
      const facts = await skopeo.inspect(token.reference(`${PRIVATE}:v2`), { creds: bob });
      expect([facts.Digest, next.json.config.digest]).toEqual([next.digest, imageId]);
    });

    it('podman pulls it as bob (pull only) and runs it', async () => {
      const name = plainName(token, `${PRIVATE}:v2`);
      expect(`sha256:${await podman.pull(name, { creds: bob })}`).toBe(imageId);
      expect(await podman.run(name, ['cat', '/etc/hello.txt'])).toBe(CHANGED_HELLO);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// B. the clients push, layerkit reads and builds on
// ---------------------------------------------------------------------------------------------

/** An image a client pushed (most with a layer of the client's own making). */
interface ForeignImage {
  readonly label: string;
  /** Repository in the plain registry; the client pushes tag `v1`. */
  readonly repository: string;
  readonly mediaType: string;
  /** A file the client's own layer holds, and its content. */
  readonly marker?: { readonly path: string; readonly content: string };
  /** The top two layers are one blob (two empty layers): the manifest names a digest twice. */
  readonly duplicateTop?: boolean;
  /** Pushed by the Docker Engine the tests compare history tables with (not pulled by it). */
  readonly builtByDocker?: boolean;
  readonly push: () => Promise<void>;
}

let reference: ReferenceImage;
let buildah: Buildah;

/** The umoci-built reference image (two layers, xattrs, a hardlink, a non-UTF-8 name), pushed by skopeo. */
const SKOPEO_OCI = 'skopeo/oci';
const SKOPEO_DOCKER = 'skopeo/docker';

const FOREIGN: readonly ForeignImage[] = [
  {
    label: 'skopeo, an OCI image (digests preserved)',
    repository: SKOPEO_OCI,
    mediaType: MEDIA.ociManifest,
    push: () => registry.push(skopeo.ociRef(reference.layout, 'v2'), `${SKOPEO_OCI}:v1`),
  },
  {
    label: 'skopeo --format v2s2, a Docker schema 2 image',
    repository: SKOPEO_DOCKER,
    mediaType: MEDIA.dockerManifest,
    push: () =>
      skopeo.copy(skopeo.ociRef(reference.layout, 'v2'), registry.reference(`${SKOPEO_DOCKER}:v1`), {
        format: 'v2s2',
        dest: registry.skopeoAccess(),
      }),
  },
  {
    label: 'podman, a layer of its own (podman run + commit + push)',
    repository: 'podman/made',
    mediaType: MEDIA.ociManifest,
    marker: { path: '/etc/podman.txt', content: 'written in a podman container\n' },
    async push() {
      const base = plainName(registry, `${SKOPEO_OCI}:v1`);
      await podman.pull(base);
      await podman.commitAfterRun(
        base,
        ['sh', '-c', 'echo "written in a podman container" > /etc/podman.txt && rm /etc/hello-link.txt'],
        'localhost/podman/made:v1',
      );
      await podman.push('localhost/podman/made:v1', registry.reference('podman/made:v1'));
    },
  },
  {
    label: 'buildah --format v2s2, a layer of its own (from + copy + commit + push)',
    repository: 'buildah/made',
    mediaType: MEDIA.dockerManifest,
    marker: { path: '/etc/buildah.txt', content: 'copied in by buildah\n' },
    async push() {
      const container = await buildah.fromRegistry(registry.reference(`${SKOPEO_DOCKER}:v1`));
      const file = freshPath('buildah.txt');
      writeFileSync(file, 'copied in by buildah\n');
      await buildah.copy(container, file, '/etc/buildah.txt');
      await buildah.commit(container, 'localhost/buildah/made:v1');
      await buildah.push('localhost/buildah/made:v1', registry.reference('buildah/made:v1'), {}, 'v2s2');
    },
  },
  {
    label: 'buildah, two empty layers with one digest (commit without a change, twice)',
    repository: 'buildah/empty-twice',
    mediaType: MEDIA.ociManifest,
    duplicateTop: true,
    async push() {
      const first = await buildah.fromRegistry(registry.reference(`${SKOPEO_OCI}:v1`));
      await buildah.commit(first, 'localhost/buildah/empty-once:v1');
      const second = await buildah.fromStored('localhost/buildah/empty-once:v1');
      await buildah.commit(second, 'localhost/buildah/empty-twice:v1');
      await buildah.push('localhost/buildah/empty-twice:v1', registry.reference('buildah/empty-twice:v1'));
    },
  },
  {
    label: 'Docker Engine 20.10, a layer of its own (run + commit + push: Docker schema 2)',
    repository: 'docker/made',
    mediaType: MEDIA.dockerManifest,
    marker: { path: '/etc/docker.txt', content: 'written in a docker container\n' },
    builtByDocker: true,
    async push() {
      const docker = await dockerdReady;
      const base = plainName(registry, `${SKOPEO_DOCKER}:v1`);
      await docker.pull(base);
      const name = plainName(registry, 'docker/made:v1');
      await docker.diffAfterRun(
        base,
        ['sh', '-c', 'echo "written in a docker container" > /etc/docker.txt'],
        name,
      );
      await docker.push(name);
    },
  },
];

describe('B. the clients push, layerkit reads and builds on', () => {
  beforeAll(async () => {
    buildah = createBuildah();
    reference = await buildReferenceImage();
  });
  afterAll(async () => {
    await buildah?.dispose();
    reference?.dispose();
  });

  describe.each(FOREIGN.map((image) => [image.label, image] as const))('%s', (_label, image) => {
    const ref = (tag: string) => registry.reference(`${image.repository}:${tag}`);
    /** layerkit's commit goes to another repository: the base layers are mounted, not sent. */
    const target = `layerkit/on-${image.repository.replace('/', '-')}`;
    const hello = `changed by layerkit on top of ${image.repository}\n`;
    /** The layerkit commit on top (made by beforeAll): what was committed and the image ID printed. */
    let committed: { tree: TreeFact[]; imageId: string };
    beforeAll(async () => {
      await image.push();
      // unpack (by tag) → edit → commit (base by digest) → another repository
      const rootfs = freshPath(`layerkit-commit-${image.repository.replace('/', '-')}`);
      await layerkit('unpack', ref('v1'), rootfs);
      writeFileSync(join(rootfs, 'etc/hello.txt'), hello);
      writeFileSync(join(rootfs, 'etc/layerkit.txt'), 'added by layerkit\n');
      rmSync(join(rootfs, 'root/new.txt'));
      const tree = await walkTree(rootfs);
      const { digest } = await served(registry, image.repository, 'v1');
      const imageId = await layerkitCommit([
        ...[
          '-m',
          `on top of ${image.repository}`,
          registry.reference(`${image.repository}@${digest}`),
          rootfs,
        ],
        registry.reference(`${target}:v2`),
      ]);
      committed = { tree, imageId };
    });

    it('the registry holds it as pushed; layerkit inspect, history and verify read what skopeo reads', async () => {
      const manifest = await served(registry, image.repository, 'v1');
      expect(manifest.mediaType).toBe(image.mediaType);
      const layers = manifest.json.layers.map((layer) => layer.digest);
      if (image.duplicateTop) expect(layers.at(-1)).toBe(layers.at(-2));
      const facts = await skopeo.inspect(ref('v1'));
      const inspected = await layerkitInspect(ref('v1'));
      expect(inspected.Digest).toBe(manifest.digest);
      expect(facts.Digest).toBe(manifest.digest);
      expect(inspected.ImageID).toBe(manifest.json.config.digest);
      expect(inspected.Layers.map((layer) => [layer.MediaType, layer.Digest, layer.Size])).toEqual(
        manifest.json.layers.map((layer) => [layer.mediaType, layer.digest, layer.size]),
      );
      expect(inspected.Layers.map((layer) => layer.Digest)).toEqual(facts.Layers);
      const configBytes = await skopeo.inspectConfigRaw(ref('v1'));
      expect(sha256Digest(configBytes)).toBe(manifest.json.config.digest);
      const config = JSON.parse(configBytes.toString('utf8')) as { rootfs: { diff_ids: string[] } };
      expect(inspected.DiffIDs).toEqual(config.rootfs.diff_ids);
      const rows = await layerkitHistory(ref('v1'));
      expect(rows.map((row) => ({ createdBy: row.CreatedBy, comment: row.Comment }))).toEqual(
        historyOf(configBytes),
      );
      expect(rows[0]?.ID).toBe(manifest.json.config.digest);
      const report = (await layerkit('verify', ref('v1'))).split('\n').filter(Boolean);
      expect(report).toEqual([...layers.map((digest) => `ok  layer ${digest}`), `ok  ${manifest.digest}`]);
    });

    it('layerkit unpack (by digest) equals umoci’s unpack of skopeo’s copy', async () => {
      const { digest } = await served(registry, image.repository, 'v1');
      const ours = freshPath(`layerkit-unpack-${image.repository.replace('/', '-')}`);
      await layerkit('unpack', registry.reference(`${image.repository}@${digest}`), ours);
      const { tree } = await umociTreeOf(ref('v1'));
      expect(withClientRoot(await walkTree(ours))).toEqual(tree);
      if (image.marker !== undefined) {
        expect(readFileSync(join(ours, image.marker.path), 'utf8')).toBe(image.marker.content);
      }
      expect(readFileSync(join(ours, 'etc/hello.txt'), 'utf8')).toBe(reference.hello);
    });

    it('a layerkit commit on top, pushed to another repository: skopeo and umoci read it, podman runs it', async () => {
      const { tree: committedTree, imageId } = committed;
      const base = await served(registry, image.repository, 'v1');
      const next = await served(registry, target, 'v2');
      expect(next.mediaType).toBe(MEDIA.ociManifest);
      expect(next.json.config.digest).toBe(imageId);
      // the base's layers are referenced byte for byte, one new layer on top
      expect(next.json.layers.slice(0, -1).map((layer) => [layer.digest, layer.size])).toEqual(
        base.json.layers.map((layer) => [layer.digest, layer.size]),
      );
      const facts = await skopeo.inspect(registry.reference(`${target}:v2`));
      expect(facts.Digest).toBe(next.digest);
      expect(facts.Layers).toEqual(next.json.layers.map((layer) => layer.digest));
      const { tree } = await umociTreeOf(registry.reference(`${target}:v2`), { preserveDigests: true });
      expect(tree).toEqual(withClientRoot(committedTree));

      const name = plainName(registry, `${target}:v2`);
      expect(`sha256:${await podman.pull(name)}`).toBe(imageId);
      expect(await podman.run(name, ['cat', '/etc/hello.txt', '/etc/layerkit.txt'])).toBe(
        `${hello}added by layerkit\n`,
      );
      const rows = await podman.history(name);
      expect(rows[0]?.comment).toBe(`on top of ${image.repository}`);
      expect(registry.errors()).toEqual([]);
    });

    it('Docker pulls it and the commit on top: layerkit history prints docker history’s table', async () => {
      const docker = await dockerdReady;
      // Docker built its own image here: its rows name local parent images, so it is left out
      const tags = image.builtByDocker
        ? [[target, 'v2']]
        : [
            [image.repository, 'v1'],
            [target, 'v2'],
          ];
      for (const [repository = '', tag = ''] of tags) {
        const name = plainName(registry, `${repository}:${tag}`);
        expect(await docker.pull(name)).toBe((await served(registry, repository, tag)).digest);
        for (const flags of [['--no-trunc', '--human=false'], ['--human=false']]) {
          const ours = await layerkit('history', ...flags, registry.reference(`${repository}:${tag}`));
          expect(ours).toBe(await docker.historyText(name, flags));
        }
      }
      const name = plainName(registry, `${target}:v2`);
      expect(await docker.run(name, ['cat', '/etc/layerkit.txt'])).toBe('added by layerkit\n');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// B. zstd layers (podman push --compression-format zstd)
// ---------------------------------------------------------------------------------------------

/** The zstd layer's text file. */
const ZSTD_TEXT = 'compressed with zstd\n';

describe('B. podman push --compression-format zstd: a tar+zstd layer', () => {
  const REPO = 'podman/zstd';
  const ref = () => registry.reference(`${REPO}:v1`);
  let zstdLayer: Descriptor;
  beforeAll(async () => {
    const rootfs = freshPath('rootfs-zstd-base');
    populateBusyboxRootfs(rootfs);
    await layerkit('import', '-c', 'CMD ["/bin/sh"]', rootfs, registry.reference(`${REPO}:base`));
    const base = plainName(registry, `${REPO}:base`);
    await podman.pull(base);
    await podman.commitAfterRun(
      base,
      // 72 KiB that do not compress: a layer blob a little over one 64 KiB socket read, the size
      // at which an abandoned download is most often left with its last bytes unread (see below)
      [
        'sh',
        '-c',
        `echo "${ZSTD_TEXT.trim()}" > /etc/zstd.txt && busybox dd if=/dev/urandom of=/etc/zstd.bin bs=1k count=72`,
      ],
      'localhost/podman/zstd:v1',
    );
    await podman.push('localhost/podman/zstd:v1', registry.reference(`${REPO}:v1`), {}, 'oci', 'zstd');
    const manifest = await served(registry, REPO, 'v1');
    const top = manifest.json.layers.at(-1);
    if (top === undefined) throw new Error('interop: the zstd image has no layers');
    zstdLayer = top;
  });

  it('podman wrote its own layer as tar+zstd; layerkit inspect names it as skopeo does', async () => {
    expect(zstdLayer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    const manifest = await served(registry, REPO, 'v1');
    const inspected = await layerkitInspect(ref());
    expect(inspected.Digest).toBe(manifest.digest);
    expect((await skopeo.inspect(ref())).Layers).toEqual(inspected.Layers.map((layer) => layer.Digest));
  });

  // Every Node reads it: node:zlib from 22.15, fzstd before (the same checks on both).
  it('verify is clean; unpack equals umoci’s unpack of skopeo’s gzip copy', async () => {
    expect((await layerkit('verify', ref())).split('\n')).toContain(`ok  layer ${zstdLayer.digest}`);
    const rootfs = freshPath('zstd-unpack');
    await layerkit('unpack', ref(), rootfs);
    const { tree } = await umociTreeOf(ref(), { destCompressFormat: 'gzip' });
    expect(withClientRoot(await walkTree(rootfs))).toEqual(tree);
    expect(readFileSync(join(rootfs, 'etc/zstd.txt'), 'utf8')).toBe(ZSTD_TEXT);
  });

  it('history, diff and a commit on top (pushed to another repository) read the zstd layer', async () => {
    // a row per history entry (podman's base, its commit) and the header
    expect((await layerkit('history', ref())).trim().split('\n').length).toBeGreaterThan(2);
    const rootfs = freshPath('zstd-commit');
    await layerkit('unpack', ref(), rootfs);
    expect(await layerkit('diff', ref(), rootfs)).toBe('');
    writeFileSync(join(rootfs, 'etc/zstd-next.txt'), 'on top of zstd\n');
    await layerkit('commit', ref(), rootfs, registry.reference('podman/zstd-next:v2'));
    const { tree } = await umociTreeOf(registry.reference('podman/zstd-next:v2'), {
      destCompressFormat: 'gzip',
    });
    expect(tree).toEqual(withClientRoot(await walkTree(rootfs)));
  });
});

// ---------------------------------------------------------------------------------------------
// B. a multi-platform index, as an OCI index and as a Docker manifest list
// ---------------------------------------------------------------------------------------------

/** One platform of the multi-platform image: `--platform` spelling and the index entry's fields. */
interface Platform {
  /** Tag in the layout, file content of `/etc/platform.txt`. */
  readonly name: string;
  /** `os/arch[/variant]` for layerkit's `--platform`. */
  readonly spec: string;
  readonly architecture: string;
  readonly variant?: string;
}

const PLATFORMS: readonly Platform[] = [
  { name: 'amd64', spec: 'linux/amd64', architecture: 'amd64' },
  { name: 'arm64', spec: 'linux/arm64/v8', architecture: 'arm64', variant: 'v8' },
  { name: 'armv7', spec: 'linux/arm/v7', architecture: 'arm', variant: 'v7' },
];
/** Node's `process.arch` → the PLATFORMS entry of the host (the default choice). */
const HOST_PLATFORM: Partial<Record<NodeJS.Architecture, string>> = { x64: 'amd64', arm64: 'arm64' };

describe('B. a multi-platform image (skopeo copy --all of an index written by hand)', () => {
  const hostName = HOST_PLATFORM[process.arch];
  const host = PLATFORMS.find((platform) => platform.name === hostName);
  let layout: string;

  beforeAll(async () => {
    if (host === undefined) {
      throw new Error(`interop: the multi-platform tests need an amd64 or arm64 host, not ${process.arch}`);
    }
    layout = freshPath('multi-layout');
    for (const platform of PLATFORMS) {
      const rootfs = freshPath(`rootfs-${platform.name}`);
      populateBusyboxRootfs(rootfs);
      writeFileSync(join(rootfs, 'etc/platform.txt'), `${platform.name}\n`);
      const dest = `oci:${layout}:${platform.name}`;
      await layerkit('import', '--platform', platform.spec, '-c', 'CMD ["/bin/sh"]', rootfs, dest);
    }
    // the index blob, by hand: every manifest with its platform, tagged `multi`
    const indexPath = join(layout, 'index.json');
    const top = JSON.parse(readFileSync(indexPath, 'utf8')) as { manifests: Record<string, unknown>[] };
    const manifests = PLATFORMS.map(({ name, architecture, variant }) => {
      const { mediaType, digest, size } = readLayoutImage(layout, name).descriptor;
      return {
        mediaType,
        digest,
        size,
        platform: { architecture, os: 'linux', ...(variant ? { variant } : {}) },
      };
    });
    const indexBytes = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }),
    );
    const indexDigest = sha256Digest(indexBytes);
    writeFileSync(join(layout, 'blobs', 'sha256', indexDigest.slice('sha256:'.length)), indexBytes);
    top.manifests.push({
      mediaType: MEDIA.ociIndex,
      digest: indexDigest,
      size: indexBytes.length,
      annotations: { 'org.opencontainers.image.ref.name': 'multi' },
    });
    writeFileSync(indexPath, JSON.stringify(top));
  });

  /** skopeo's `--override-arch/--override-variant` for a platform. */
  const skopeoPlatform = (platform: Platform): skopeo.SkopeoCopyOptions => ({
    overrideArch: platform.architecture,
    ...(platform.variant ? { overrideVariant: platform.variant } : {}),
  });

  describe.each([
    ['an OCI index (skopeo copy --all --preserve-digests)', 'multi/oci', MEDIA.ociIndex, MEDIA.ociManifest],
    [
      'a Docker manifest list (skopeo copy --all --format v2s2)',
      'multi/docker',
      MEDIA.dockerList,
      MEDIA.dockerManifest,
    ],
  ] as const)('%s', (_label, repository, listType, manifestType) => {
    const ref = (tag: string) => registry.reference(`${repository}:${tag}`);
    /** The served index's entry per platform name. */
    const entries = new Map<string, Descriptor>();
    beforeAll(async () => {
      await skopeo.copy(skopeo.ociRef(layout, 'multi'), ref('v1'), {
        all: true,
        ...(listType === MEDIA.dockerList ? { format: 'v2s2' as const } : { preserveDigests: true }),
        dest: registry.skopeoAccess(),
      });
      const index = await served(registry, repository, 'v1');
      expect(index.mediaType).toBe(listType);
      for (const entry of index.json.manifests) {
        expect(entry.mediaType).toBe(manifestType);
        const platform = PLATFORMS.find(
          (candidate) =>
            candidate.architecture === entry.platform?.architecture &&
            candidate.variant === entry.platform.variant,
        );
        entries.set(platform?.name ?? JSON.stringify(entry.platform), entry);
      }
      expect([...entries.keys()].sort()).toEqual(PLATFORMS.map((platform) => platform.name).sort());
    });
    const entry = (name: string) => {
      const found = entries.get(name);
      if (found === undefined) throw new Error(`interop: no ${name} entry`);
      return found;
    };

    it('inspect, history and verify pick the host’s platform by default and the one --platform names', async () => {
      const cases: [string[], string][] = [
        [[], host?.name ?? ''],
        ...PLATFORMS.map((platform): [string[], string] => [['--platform', platform.spec], platform.name]),
        // the variant left out: arm64 means arm64/v8, arm means arm/v7 (containerd's normalisation)
        [['--platform', 'linux/arm64'], 'arm64'],
        [['--platform', 'linux/arm'], 'armv7'],
      ];
      for (const [flags, name] of cases) {
        const platform = PLATFORMS.find((candidate) => candidate.name === name);
        const inspected = await layerkitInspect(ref('v1'), ...flags);
        expect([inspected.Digest, inspected.Architecture, inspected.Os]).toEqual([
          entry(name).digest,
          platform?.architecture,
          'linux',
        ]);
        const manifest = await served(registry, repository, entry(name).digest);
        expect(inspected.ImageID).toBe(manifest.json.config.digest);
        const rows = await layerkitHistory(ref('v1'), ...flags);
        expect(rows[0]?.ID).toBe(manifest.json.config.digest);
        expect(await layerkit('verify', ...flags, ref('v1'))).toContain(`ok  ${entry(name).digest}`);
      }
      // skopeo resolves the same manifest for the host (its Digest is the index's own)
      const facts = await skopeo.inspect(ref('v1'));
      const index = await served(registry, repository, 'v1');
      const hostManifest = await served(registry, repository, entry(host?.name ?? '').digest);
      expect(facts.Digest).toBe(index.digest);
      expect([facts.Architecture, facts.Layers]).toEqual([
        host?.architecture,
        hostManifest.json.layers.map((layer) => layer.digest),
      ]);
    });

    it('refuses a platform the index does not hold (linux/arm/v6, linux/s390x)', async () => {
      for (const spec of ['linux/arm/v6', 'linux/s390x']) {
        await expect(layerkit('inspect', '--platform', spec, ref('v1'))).rejects.toThrow(
          /no image for the requested platform/,
        );
      }
    });

    it('unpack of each platform equals umoci’s unpack of skopeo’s copy of that platform', async () => {
      for (const platform of PLATFORMS) {
        const ours = freshPath(`unpack-${platform.name}`);
        await layerkit('unpack', '--platform', platform.spec, ref('v1'), ours);
        expect(readFileSync(join(ours, 'etc/platform.txt'), 'utf8')).toBe(`${platform.name}\n`);
        const { tree } = await umociTreeOf(ref('v1'), skopeoPlatform(platform));
        expect(withClientRoot(await walkTree(ours))).toEqual(tree);
      }
      const byDefault = freshPath('unpack-default');
      await layerkit('unpack', ref('v1'), byDefault);
      expect(readFileSync(join(byDefault, 'etc/platform.txt'), 'utf8')).toBe(`${host?.name}\n`);
    });

    it('commit on top of each platform, pushed back: skopeo reads each, podman runs the host’s', async () => {
      for (const platform of PLATFORMS) {
        const rootfs = freshPath(`commit-${platform.name}`);
        await layerkit('unpack', '--platform', platform.spec, ref('v1'), rootfs);
        writeFileSync(join(rootfs, 'etc/hello.txt'), `committed on ${platform.name}\n`);
        const committed = await walkTree(rootfs);
        const imageId = await layerkitCommit([
          ...['--platform', platform.spec, '-m', `on top of ${platform.name}`],
          ...[ref('v1'), rootfs, ref(`${platform.name}-v2`)],
        ]);
        const next = await served(registry, repository, `${platform.name}-v2`);
        const base = await served(registry, repository, entry(platform.name).digest);
        expect(next.json.config.digest).toBe(imageId);
        expect(next.json.layers[0]?.digest).toBe(base.json.layers[0]?.digest);
        const config = JSON.parse((await registry.blob(repository, imageId)).toString('utf8')) as {
          architecture: string;
          variant?: string;
        };
        expect([config.architecture, config.variant]).toEqual([platform.architecture, platform.variant]);
        const facts = await skopeo.inspect(ref(`${platform.name}-v2`));
        expect([facts.Digest, facts.Architecture, facts.Os]).toEqual([
          next.digest,
          platform.architecture,
          'linux',
        ]);
        const { tree } = await umociTreeOf(ref(`${platform.name}-v2`), skopeoPlatform(platform));
        expect(tree).toEqual(withClientRoot(committed));
      }
      const name = plainName(registry, `${repository}:${host?.name}-v2`);
      await podman.pull(name);
      expect(await podman.run(name, ['cat', '/etc/platform.txt', '/etc/hello.txt'])).toBe(
        `${host?.name}\ncommitted on ${host?.name}\n`,
      );
    });
  });
});
