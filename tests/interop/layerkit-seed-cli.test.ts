/**
 * Issue 7, the seed scenario through the real CLI binary: `demo.js` (unpack, edit index.html,
 * diff, commit --author --message, history, convert to nginx-v2.tar) runs as a subprocess; then
 * podman, Docker and containerd load its archive, show our history rows and hand back the page.
 * The demo image has no shell or `cat`: the page is read with `create` + `cp`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Containerd, startContainerd } from './clients/containerd.js';
import { type Dockerd, startDockerd } from './clients/docker.js';
import { type LayoutImage, readLayoutImage } from './clients/layout.js';
import { createPodman, type Podman } from './clients/podman.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import * as umoci from './clients/umoci.js';
import { HELLO_DOCKER } from './fixtures/busybox-rootfs.js';
import { buildCli, type CliOutput, runDemo, runLayerkit } from './fixtures/layerkit-cli.js';
import { SEED_AUTHOR, SEED_MESSAGE } from './fixtures/layerkit-images.js';

const PAGE = '/usr/share/nginx/html/index.html';
/** What the demo's `convert … docker-archive:nginx-v2.tar:nginx:v2` names the image. */
const DOCKER_NAME = 'nginx:v2';
const FULL_NAME = 'docker.io/library/nginx:v2';

const scratch = useInteropScratchDir('layerkit-seed');
let demoDir: string;
let demo: CliOutput;
let archive: string;
let v2: LayoutImage;

beforeAll(async () => {
  demoDir = join(scratch.path, 'demo');
  await buildCli();
  demo = await runDemo(demoDir);
  archive = join(demoDir, 'nginx-v2.tar');
  v2 = readLayoutImage(join(demoDir, 'images'), 'nginx:v2');
});
/** The history fields runtimes list, newest first. */
const newestFirst = () =>
  (v2.config.history ?? [])
    .map((entry) => ({ createdBy: entry.created_by ?? '', comment: entry.comment ?? '' }))
    .reverse();

describe('the demo, run as a user would', () => {
  it('diffs one change, commits an image ID, and shows the new history row', async () => {
    expect(demo.stdout).toMatch(new RegExp(`^C ${PAGE}$`, 'm'));
    expect(demo.stdout).toContain(v2.manifest.config.digest);
    expect(v2.config.history?.at(-1)).toMatchObject({ author: SEED_AUTHOR, comment: SEED_MESSAGE });
    expect(v2.config.author).toBe(SEED_AUTHOR);
    const history = await runLayerkit(['history', 'oci:images:nginx:v2'], demoDir);
    const [header, top] = history.stdout.split('\n');
    expect(header).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(top).toContain(SEED_MESSAGE);
  });

  it('skopeo and umoci accept the layout; the archive keeps config and diff_ids', async () => {
    const layout = join(demoDir, 'images');
    const facts = await skopeo.inspect(`oci:${layout}:nginx:v2`);
    expect(facts.Digest).toBe(v2.descriptor.digest);
    expect(facts.Layers).toEqual(v2.manifest.layers.map((layer) => layer.digest));
    expect((await skopeo.inspect(skopeo.dockerArchiveRef(archive))).Layers).toEqual(
      v2.config.rootfs.diff_ids,
    );
    const rootfs = await umoci.unpack(layout, 'nginx:v2', join(scratch.path, 'umoci-v2'));
    expect(readFileSync(join(rootfs, PAGE), 'utf8')).toBe(HELLO_DOCKER);
  });
});

describe('podman', () => {
  let podman: Podman;
  beforeAll(() => {
    podman = createPodman();
  });
  afterAll(() => podman?.dispose());

  it('loads nginx-v2.tar: history shows Tao Wang and the comment; the page is the new one', async () => {
    expect(await podman.load(archive)).toEqual([FULL_NAME]);
    const facts = await podman.inspect(FULL_NAME);
    expect(`sha256:${facts.Id}`).toBe(v2.manifest.config.digest);
    expect(facts.History?.at(-1)).toMatchObject({ author: SEED_AUTHOR, comment: SEED_MESSAGE });
    const rows = await podman.history(FULL_NAME);
    expect(rows.map((row) => ({ createdBy: row.CreatedBy ?? '', comment: row.comment ?? '' }))).toEqual(
      newestFirst(),
    );
    expect(rows[0]?.comment).toBe(SEED_MESSAGE);
    expect((await podman.readFile(FULL_NAME, PAGE)).toString('utf8')).toBe(HELLO_DOCKER);
  });
});

describe('dockerd', () => {
  let docker: Dockerd;
  beforeAll(async () => {
    docker = await startDockerd();
  });
  afterAll(() => docker?.stop());

  it('loads nginx-v2.tar: author, history rows, the comment on top; the page is the new one', async () => {
    expect(await docker.load(archive)).toBe(DOCKER_NAME);
    const facts = await docker.inspect(DOCKER_NAME);
    expect(facts.Id).toBe(v2.manifest.config.digest);
    expect(facts.Author).toBe(SEED_AUTHOR);
    const rows = await docker.history(DOCKER_NAME);
    expect(rows.map((row) => ({ createdBy: row.CreatedBy, comment: row.Comment }))).toEqual(newestFirst());
    const text = await docker.historyText(DOCKER_NAME);
    expect(text.split('\n')[1]).toContain(SEED_MESSAGE);
    expect((await docker.readFile(DOCKER_NAME, PAGE)).toString('utf8')).toBe(HELLO_DOCKER);
  });

  it.each([[['--no-trunc', '--human=false']], [['--human=false']]])(
    'layerkit history %j prints exactly what docker history prints',
    async (flags) => {
      const ours = await runLayerkit(['history', ...flags, 'oci:images:nginx:v2'], demoDir);
      expect(ours.stdout).toBe(await docker.historyText(DOCKER_NAME, flags));
    },
  );

  it.each([[['--no-trunc']], [[]]])(
    'layerkit history %j prints what docker history prints',
    async (flags) => {
      // the new row is seconds old: its relative CREATED may tick between the two calls, and
      // with it the column width, so that cell and the padding are compared loosely
      const loose = (text: string) =>
        text
          .replace(/(\d+ seconds|Less than a second|About a minute) ago/g, 'RECENT')
          .replace(/ {2,}/g, '  ');
      const ours = await runLayerkit(['history', ...flags, 'oci:images:nginx:v2'], demoDir);
      const theirs = await docker.historyText(DOCKER_NAME, flags);
      expect(loose(theirs)).toContain('RECENT');
      expect(loose(ours.stdout)).toBe(loose(theirs));
    },
  );
});

describe('containerd', () => {
  let containerd: Containerd;
  beforeAll(async () => {
    containerd = await startContainerd();
  });
  afterAll(() => containerd?.stop());

  it('imports nginx-v2.tar complete and unpacked', async () => {
    const imported = await containerd.import(archive);
    expect(imported.map((entry) => entry.ref)).toEqual([FULL_NAME]);
    const [check] = (await containerd.check()).filter((row) => row.ref === FULL_NAME);
    expect(check).toMatchObject({ complete: true, unpacked: true });
  });
});
