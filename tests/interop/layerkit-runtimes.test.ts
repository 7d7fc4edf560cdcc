/**
 * Issue 7, the runtimes: podman, Docker Engine 20.10 and containerd load the archives layerkit
 * wrote (convert and direct commits), report our image ID, layers and history rows, and run
 * commands in them (busybox images: `cat` the committed files, the seed page included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Containerd, startContainerd } from './clients/containerd.js';
import { type Dockerd, startDockerd } from './clients/docker.js';
import { createPodman, type Podman } from './clients/podman.js';
import * as skopeo from './clients/skopeo.js';
import { CHANGED_HELLO, HELLO_DOCKER } from './fixtures/busybox-rootfs.js';
import {
  type ArchiveImage,
  buildLayerkitImages,
  type LayerkitImages,
  MATRIX_AUTHOR,
  MATRIX_MESSAGE,
  SEED_AUTHOR,
  SEED_MESSAGE,
} from './fixtures/layerkit-images.js';

type ArchiveKind = keyof LayerkitImages['archives'];

/** A command run in a container of the archive's image, and what it must print. */
interface Probe {
  readonly command: readonly string[];
  readonly output: string;
}

/** Per archive: what running it proves (contents, and ENV/WORKDIR for the config step). */
const PROBES: Record<ArchiveKind, readonly Probe[]> = {
  topOci: [
    { command: ['cat', '/etc/hello.txt'], output: CHANGED_HELLO },
    { command: ['sh', '-c', './run.sh'], output: 'hello from /srv/app\n' },
  ],
  topDocker: [
    { command: ['cat', '/etc/hello.txt'], output: CHANGED_HELLO },
    { command: ['sh', '-c', './run.sh'], output: 'hello from /srv/app\n' },
  ],
  squashDocker: [{ command: ['cat', '/etc/hello.txt'], output: CHANGED_HELLO }],
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
