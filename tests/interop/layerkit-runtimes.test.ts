/**
 * Issue 7, the runtimes: podman, Docker Engine 20.10 and containerd load the archives layerkit
 * wrote (convert and direct commits), report our image ID, layers and history rows, and run
 * commands in them (busybox images: `cat` the committed files, the seed page included).
 */
import {
  chmodSync,
  chownSync,
  createReadStream,
  linkSync,
  mkdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { formatDockerDiff } from '@layerkit/diff';
import { renderHistoryTable } from '@layerkit/history';
import { commit, diffImage, imageHistory, unpack } from '@layerkit/image/node';
import { extract as tarExtract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Containerd, startContainerd } from './clients/containerd.js';
import { type Dockerd, startDockerd } from './clients/docker.js';
import { blobPath, readLayoutImage } from './clients/layout.js';
import { createPodman, type Podman } from './clients/podman.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import { type TreeFact, walkTree } from './clients/tree.js';
import * as umoci from './clients/umoci.js';
import { CHANGED_HELLO, HELLO_DOCKER } from './fixtures/busybox-rootfs.js';
import {
  type ArchiveImage,
  buildLayerkitImages,
  type LayerkitImages,
  MATRIX_AUTHOR,
  MATRIX_MESSAGE,
  SEED_AUTHOR,
  SEED_MESSAGE,
  withClientRoot,
} from './fixtures/layerkit-images.js';

type ArchiveKind = keyof LayerkitImages['archives'];

/** A command run in a container of the archive's image, and what it must print. */
interface Probe {
  readonly command: readonly string[];
  readonly output: string;
}

/**
 * The runtime applied every whiteout and type change of the chain: deleted file and directory
 * gone, the directory that was deleted and recreated holds only its new content, a symlink
 * where a directory was, a directory where a file was.
 */
const CHAIN_APPLIED: Probe = {
  command: [
    'sh',
    '-c',
    'test ! -e /bin/ls && test ! -e /usr/share/doc && test ! -e /srv/data/app.conf && ' +
      'test -L /var/www && test -d /etc/issue && cat /srv/data/other.conf /var/www/deep/file.txt',
  ],
  output: 'other=2\ndeep\n',
};

/** Per archive: what running it proves (contents, and ENV/WORKDIR for the config step). */
const PROBES: Record<ArchiveKind, readonly Probe[]> = {
  topOci: [
    { command: ['cat', '/etc/hello.txt'], output: CHANGED_HELLO },
    { command: ['sh', '-c', './run.sh'], output: 'hello from /srv/app\n' },
    CHAIN_APPLIED,
  ],
  topDocker: [
    { command: ['cat', '/etc/hello.txt'], output: CHANGED_HELLO },
    { command: ['sh', '-c', './run.sh'], output: 'hello from /srv/app\n' },
    CHAIN_APPLIED,
  ],
  squashDocker: [{ command: ['cat', '/etc/hello.txt'], output: CHANGED_HELLO }, CHAIN_APPLIED],
  seedOci: [{ command: ['cat', '/usr/share/nginx/html/index.html'], output: HELLO_DOCKER }],
  seedDocker: [{ command: ['cat', '/usr/share/nginx/html/index.html'], output: HELLO_DOCKER }],
  directOci: [{ command: ['cat', '/etc/direct.txt'], output: 'committed into an archive\n' }],
  directDocker: [{ command: ['cat', '/etc/direct.txt'], output: 'committed into an archive\n' }],
};

const OCI_ARCHIVES = ['topOci', 'seedOci', 'directOci'] as const;
const DOCKER_ARCHIVES = ['topDocker', 'squashDocker', 'seedDocker', 'directDocker'] as const;

/** The image config inside an archive, as skopeo reads it. */
interface ArchiveConfig {
  readonly author?: string;
  readonly rootfs: { readonly diff_ids: readonly string[] };
  readonly history: readonly {
    readonly created_by?: string;
    readonly author?: string;
    readonly comment?: string;
    readonly empty_layer?: boolean;
  }[];
}

let built: LayerkitImages;
const configs = new Map<ArchiveKind, ArchiveConfig>();

async function configOf(kind: ArchiveKind): Promise<ArchiveConfig> {
  let config = configs.get(kind);
  if (config === undefined) {
    const raw = await skopeo.inspectConfigRaw(built.archives[kind].ref);
    config = JSON.parse(raw.toString('utf8')) as ArchiveConfig;
    configs.set(kind, config);
  }
  return config;
}

/** Entry names of the top layer of the layout's `image` tag (tar-stream as the oracle), sorted. */
async function topLayerEntries(layout: string): Promise<string[]> {
  const top = readLayoutImage(layout, 'image').manifest.layers.at(-1);
  if (top === undefined) throw new Error(`interop: ${layout} has no layers`);
  const names: string[] = [];
  const extract = tarExtract();
  extract.on('entry', (header, stream, next) => {
    names.push(header.name);
    stream.resume();
    stream.on('end', next);
  });
  const raw = createReadStream(blobPath(layout, top.digest));
  await pipeline(top.mediaType.endsWith('+gzip') ? raw.pipe(createGunzip()) : raw, extract);
  return names.sort();
}

/** History fields a runtime lists per row, newest first. */
const newestFirst = (config: ArchiveConfig) =>
  config.history
    .map((entry) => ({ createdBy: entry.created_by ?? '', comment: entry.comment ?? '' }))
    .reverse();

beforeAll(async () => {
  built = await buildLayerkitImages();
});

afterAll(() => built?.dispose());

describe('the archives carry the metadata the runtimes are checked against', () => {
  it('seed: author and comment on the top entry; top: config author and comment', async () => {
    expect((await configOf('seedDocker')).history.at(-1)).toMatchObject({
      author: SEED_AUTHOR,
      comment: SEED_MESSAGE,
    });
    expect(await configOf('topOci')).toMatchObject({ author: MATRIX_AUTHOR });
    expect((await configOf('topOci')).history.at(-1)).toMatchObject({ comment: MATRIX_MESSAGE });
  });
});

describe('podman', () => {
  let podman: Podman;
  beforeAll(() => {
    podman = createPodman();
  });
  afterAll(() => podman?.dispose());

  it.each([...OCI_ARCHIVES, ...DOCKER_ARCHIVES].map((kind) => [kind]))(
    'loads %s: image ID, layers, history rows; runs it',
    async (kind) => {
      const archive: ArchiveImage = built.archives[kind];
      const config = await configOf(kind);
      expect(await podman.load(archive.file)).toEqual([archive.name]);
      const facts = await podman.inspect(archive.name);
      expect(`sha256:${facts.Id}`).toBe(archive.imageId);
      expect(facts.RootFS.Layers).toEqual(config.rootfs.diff_ids);
      expect(facts.History?.map((entry) => entry.author)).toEqual(
        config.history.map((entry) => entry.author),
      );
      const rows = await podman.history(archive.name);
      // podman leaves empty fields out of its JSON rows
      expect(rows.map((row) => ({ createdBy: row.CreatedBy ?? '', comment: row.comment ?? '' }))).toEqual(
        newestFirst(config),
      );
      for (const probe of PROBES[kind])
        expect(await podman.run(archive.name, probe.command)).toBe(probe.output);
    },
  );
});

describe('dockerd', () => {
  let docker: Dockerd;
  beforeAll(async () => {
    docker = await startDockerd();
  });
  afterAll(() => docker?.stop());

  it.each(DOCKER_ARCHIVES.map((kind) => [kind]))(
    'loads %s: image ID, layers, author, history rows; runs it',
    async (kind) => {
      const archive = built.archives[kind];
      const config = await configOf(kind);
      expect(await docker.load(archive.file)).toBe(archive.name);
      const facts = await docker.inspect(archive.name);
      expect(facts.Id).toBe(archive.imageId);
      expect(facts.RootFS.Layers).toEqual(config.rootfs.diff_ids);
      expect(facts.Author).toBe(config.author ?? '');
      const rows = await docker.history(archive.name);
      expect(rows.map((row) => ({ createdBy: row.CreatedBy, comment: row.Comment }))).toEqual(
        newestFirst(config),
      );
      expect(rows[0]?.ID).toBe(archive.imageId);
      for (const probe of PROBES[kind])
        expect(await docker.run(archive.name, probe.command)).toBe(probe.output);
    },
  );

  it('docker history prints the seed commit row with its comment', async () => {
    const text = await docker.historyText(built.archives.seedDocker.name);
    expect(text).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n/);
    expect(text.split('\n')[1]).toContain(SEED_MESSAGE);
  });

  it.each(DOCKER_ARCHIVES.map((kind) => [kind]))(
    "%s: layerkit's history table (timestamps, byte sizes) is docker history's, byte for byte",
    async (kind) => {
      const archive = built.archives[kind];
      const { rows } = await imageHistory(archive.ref);
      // the dockerd runs in this process's time zone, as the docker CLI renders it
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      for (const noTrunc of [false, true]) {
        const ours = renderHistoryTable(rows, { human: false, noTrunc, timeZone });
        const flags = ['--human=false', ...(noTrunc ? ['--no-trunc'] : [])];
        expect(ours).toBe(await docker.historyText(archive.name, flags));
      }
    },
  );
});

describe('docker diff vs layerkit diff', () => {
  let docker: Dockerd;
  const scratch = useInteropScratchDir('layerkit-diff');
  beforeAll(async () => {
    docker = await startDockerd();
  });
  afterAll(async () => {
    await docker?.stop();
  });

  /** A day far from now, so that `touch` is a change for both sides. */
  const TOUCHED = new Date('2030-01-01T00:00:00Z');

  /** One edit, as a busybox command in the container and as the same operation on the host. */
  interface TwinEdit {
    readonly shell: string;
    readonly host: (at: (path: string) => string) => void;
  }

  /** Every kind of change docker diff distinguishes (docs/design.md#compat-docker-diff), on the top image. */
  const EDITS: readonly TwinEdit[] = [
    // one of two hardlinks: the other keeps content and mtime (only its nlink and ctime change)
    { shell: 'busybox rm /etc/hello.txt', host: (at) => rmSync(at('etc/hello.txt')) },
    { shell: 'echo changed > /root/new.txt', host: (at) => writeFileSync(at('root/new.txt'), 'changed\n') },
    {
      shell: 'busybox mkdir -p /srv/x/y && echo z > /srv/x/y/z',
      host: (at) => {
        mkdirSync(at('srv/x/y'), { recursive: true });
        writeFileSync(at('srv/x/y/z'), 'z\n');
      },
    },
    { shell: 'busybox rm -r /srv/team', host: (at) => rmSync(at('srv/team'), { recursive: true }) },
    { shell: 'busybox chmod 600 /etc/issue/README', host: (at) => chmodSync(at('etc/issue/README'), 0o600) },
    { shell: 'busybox chmod 700 /srv/new', host: (at) => chmodSync(at('srv/new'), 0o700) },
    { shell: 'busybox chown 1000:1000 /etc/passwd', host: (at) => chownSync(at('etc/passwd'), 1000, 1000) },
    {
      shell: 'busybox touch -d "2030-01-01 00:00:00" /etc/group',
      host: (at) => utimesSync(at('etc/group'), TOUCHED, TOUCHED),
    },
    {
      // dir → file: C on the path, no D for the old children
      shell: 'busybox rm -r /srv/new/deep && echo flat > /srv/new/deep',
      host: (at) => {
        rmSync(at('srv/new/deep'), { recursive: true });
        writeFileSync(at('srv/new/deep'), 'flat\n');
      },
    },
    {
      // file → dir: C on the path, A for the children
      shell:
        'busybox rm /root/shared-a.txt && busybox mkdir /root/shared-a.txt && echo in > /root/shared-a.txt/f',
      host: (at) => {
        rmSync(at('root/shared-a.txt'));
        mkdirSync(at('root/shared-a.txt'));
        writeFileSync(at('root/shared-a.txt/f'), 'in\n');
      },
    },
    {
      shell: 'busybox ln -sfn ../tmp /var/www',
      host: (at) => {
        rmSync(at('var/www'));
        symlinkSync('../tmp', at('var/www'));
      },
    },
    // a new hardlink to an unchanged file: only the new name is a change
    {
      shell: 'busybox ln /srv/shared.txt /srv/shared-c.txt',
      host: (at) => linkSync(at('srv/shared.txt'), at('srv/shared-c.txt')),
    },
  ];

  it('the same edits in a container and in a layerkit-unpacked rootfs: same A/C/D lines, same committed tree', async () => {
    const archive = built.archives.topDocker;
    expect(await docker.load(archive.file)).toBe(archive.name);
    const script = EDITS.map((edit) => edit.shell).join(' && ');
    const dockerCommit = 'layerkit/docker-commit:latest';
    const theirs = await docker.diffAfterRun(archive.name, ['sh', '-c', `TZ=UTC0 ${script}`], dockerCommit);

    const rootfs = join(scratch.path, 'rootfs');
    await unpack(archive.ref, rootfs);
    for (const edit of EDITS) edit.host((path) => join(rootfs, path));
    const ours = formatDockerDiff(await diffImage(archive.ref, rootfs));

    // docker diff emits siblings in Go map order (random; docs/design.md#compat-docker-diff), layerkit sorted:
    // the same lines are the contract
    const lines = (text: string) => text.split('\n').filter(Boolean).sort();
    expect(lines(theirs)).toContain('D /etc/hello.txt');
    expect(lines(ours)).toEqual(lines(theirs));

    // docker commit's image and layerkit's commit unpack (umoci) to the same tree, with one
    // documented difference: the new hardlink /srv/shared-c.txt joins a group whose other names
    // are unchanged. Docker's naive differ exports only the new name, so the link is split on
    // apply; layerkit re-emits the unchanged siblings as links to one copy (containerd's way,
    // docs/design.md#compat-hardlinks), so its image keeps the group the rootfs has.
    const saved = join(scratch.path, 'docker-commit.tar');
    await docker.save(dockerCommit, saved);
    const dockerLayout = join(scratch.path, 'docker-commit');
    await skopeo.copy(skopeo.dockerArchiveRef(saved), skopeo.ociRef(dockerLayout, 'image'));
    const ourLayout = join(scratch.path, 'layerkit-commit');
    await commit({ base: archive.ref, rootfs, dest: `oci:${ourLayout}:image` });
    const dockerTree = await walkTree(
      await umoci.unpack(dockerLayout, 'image', join(scratch.path, 'umoci-docker')),
    );
    const ourTree = await walkTree(
      await umoci.unpack(ourLayout, 'image', join(scratch.path, 'umoci-layerkit')),
    );
    expect(ourTree).toEqual(withClientRoot(await walkTree(rootfs)));
    const splitByDocker = (fact: TreeFact) =>
      fact.path === '/srv/shared-c.txt' ? { ...fact, hardlinkOf: null } : fact;
    expect(ourTree.find((fact) => fact.path === '/srv/shared-c.txt')?.hardlinkOf).toBe(
      '/srv/new/shared-b.txt',
    );
    expect(ourTree.map(splitByDocker)).toEqual(dockerTree);
    const layers = (layout: string) => readLayoutImage(layout, 'image').config.rootfs.diff_ids.length;
    expect(layers(ourLayout)).toBe(layers(dockerLayout));
    // and the new layers name the same entries (changed parents, whiteouts, added files), plus
    // the re-linked siblings
    const dockerEntries = await topLayerEntries(dockerLayout);
    expect(dockerEntries).toContain('srv/.wh.team');
    const ourEntries = await topLayerEntries(ourLayout);
    expect(ourEntries.filter((name) => !dockerEntries.includes(name))).toEqual([
      'srv/new/shared-b.txt',
      'srv/shared.txt',
    ]);
    expect(dockerEntries.filter((name) => !ourEntries.includes(name))).toEqual([]);
  });
});

describe('containerd', () => {
  let containerd: Containerd;
  beforeAll(async () => {
    containerd = await startContainerd();
  });
  afterAll(() => containerd?.stop());

  it.each([...OCI_ARCHIVES, ...DOCKER_ARCHIVES].map((kind) => [kind]))(
    'imports %s complete and unpacked; runs it',
    async (kind) => {
      const archive = built.archives[kind];
      const imported = await containerd.import(archive.file);
      expect(imported.map((entry) => entry.ref)).toEqual([archive.name]);
      if (kind.endsWith('Oci')) expect(imported[0]?.digest).toBe(archive.manifestDigest);
      const [check] = (await containerd.check()).filter((row) => row.ref === archive.name);
      expect(check).toMatchObject({ complete: true, unpacked: true });
      for (const { command, output } of PROBES[kind]) {
        // `ctr run` puts a default PATH only into images without any Env; the config step's
        // `ENV GREETING=hello` leaves one without PATH (as `docker commit --change` does on an
        // imported image: checked on this dockerd), so the binary is named by its path
        const [program = '', ...args] = command;
        expect(await containerd.run(archive.name, [`/bin/${program}`, ...args])).toBe(output);
      }
    },
  );
});
