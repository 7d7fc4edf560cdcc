/**
 * Issue 18: `layerkit images` (alias `ls`) and `layerkit rmi` as the built binary: rmi prints
 * Docker's `Untagged: …` on stdout and where the blobs stay on stderr, refuses a missing tag and
 * a multi-platform tag without `--all` (exit 1, the layout unchanged), usage errors exit 2, and
 * rmi processes racing commit and tag processes on one layout leave every other tag valid.
 * The table's bytes are goldens in tests/golden/cli/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { buildCli, bytesOf, EPOCH, layerkit, layerkitInBackground, ok, readImage, writeTree } from './cli.js';

const work = useScratchDir('cli-images-rmi', { per: 'test' });
const env = { SOURCE_DATE_EPOCH: String(EPOCH) };
let layout: string;

const indexBytes = () => readFileSync(join(layout, 'index.json'));
const tags = () =>
  (
    JSON.parse(indexBytes().toString()) as { manifests: { annotations?: Record<string, string> }[] }
  ).manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']);

beforeAll(() => buildCli());

beforeEach(() => {
  layout = join(work.path, 'images');
  writeTree(join(work.path, 'base'), {
    'etc/hostname': 'base\n',
    'usr/bin/tool': { content: bytesOf(1, 4096), mode: 0o755 },
  });
  ok(['import', '--platform', 'linux/amd64', 'base', `oci:${layout}:nginx`], { cwd: work.path, env });
  ok(['unpack', `oci:${layout}:nginx`, 'rootfs'], { cwd: work.path });
  writeTree(join(work.path, 'rootfs'), { 'etc/motd': 'hello\n' });
  ok(['commit', `oci:${layout}:nginx`, 'rootfs', `oci:${layout}:nginx:v2`], { cwd: work.path, env });
});

describe('rmi', () => {
  it('prints Untagged: like docker rmi, says where the blobs stay, and gc reclaims them', () => {
    const v2 = readImage(layout, 'nginx:v2');
    expect(layerkit(['rmi', `oci:${layout}:nginx:v2`])).toEqual({
      status: 0,
      stdout: 'Untagged: nginx:v2\n',
      stderr: `The untagged images' blobs stay in ${layout} until \`layerkit gc ${layout}\`\n`,
    });
    expect(tags()).toEqual(['nginx']);
    const gc = ok(['gc', layout]);
    expect(gc).toMatch(new RegExp(`^deleted: ${v2.manifestDigest}$`, 'm'));
    expect(gc).toMatch(new RegExp(`^deleted: ${v2.configDigest}$`, 'm'));
    expect(ok(['images', '-q', '--no-trunc', `oci:${layout}`])).toBe(
      `${readImage(layout, 'nginx').configDigest}\n`,
    );
  });

  it('gc takes the layout as oci:DIR too; a tag or another transport is a usage error', () => {
    ok(['rmi', `oci:${layout}:nginx:v2`]);
    const nginxManifest = readImage(layout, 'nginx').manifestDigest;
    const before = indexBytes();
    for (const target of [`oci:${layout}:nginx`, `docker-archive:${layout}`]) {
      const run = layerkit(['gc', target]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/gc works on/);
    }
    expect(ok(['gc', `oci:${layout}`])).toMatch(/^deleted: sha256:/m);
    expect(indexBytes()).toEqual(before);
    expect(ok(['gc', `oci:${layout}`])).toBe('Total reclaimed space: 0 B\n');
    expect(layerkit(['verify', `oci:${layout}:nginx`]).status).toBe(0);
    expect(readImage(layout, 'nginx').manifestDigest).toBe(nginxManifest);
  });

  it('a missing tag: exit 1, the reason on stderr, nothing changed', () => {
    const before = indexBytes();
    const run = layerkit(['rmi', `oci:${layout}:nginx:v2`, `oci:${layout}:nginx:v3`]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `layerkit: rmi: no image tagged "nginx:v3" in ${layout} (tags: nginx, nginx:v2)\n`,
    );
    expect(indexBytes()).toEqual(before);
  });

  it('a multi-platform tag needs --all', () => {
    ok(['index', `oci:${layout}:multi`, `oci:${layout}:nginx`]);
    const refused = layerkit(['rmi', `oci:${layout}:multi`]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^layerkit: rmi: .*multi is a multi-platform image .*--all\n$/);
    expect(tags()).toContain('multi');
    expect(ok(['rmi', '--all', `oci:${layout}:multi`])).toBe('Untagged: multi:latest\n');
    expect(tags()).toEqual(['nginx', 'nginx:v2']);
  });

  it('usage errors exit 2', () => {
    expect(layerkit(['rmi']).status).toBe(2);
    expect(layerkit(['rmi', `oci:${layout}`])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('name the tag (oci:DIR:TAG)'),
    });
  });

  it('rmi racing commit and tag processes on one layout: every other tag stays valid', async () => {
    const rounds = 4;
    for (let i = 0; i < rounds; i++) ok(['tag', `oci:${layout}:nginx`, `oci:${layout}:old-${i}`]);
    const runs = await Promise.all(
      Array.from({ length: rounds }, (_, i) => [
        layerkitInBackground(['rmi', `oci:${layout}:old-${i}`], { cwd: work.path, env }),
        layerkitInBackground(['commit', `oci:${layout}:nginx`, 'rootfs', `oci:${layout}:new-${i}`], {
          cwd: work.path,
          env,
        }),
        layerkitInBackground(['tag', `oci:${layout}:nginx:v2`, `oci:${layout}:copy-${i}`], {
          cwd: work.path,
          env,
        }),
      ]).flat(),
    );
    for (const run of runs) expect(run).toMatchObject({ status: 0 });
    const expected = [
      'nginx',
      'nginx:v2',
      ...['new', 'copy'].flatMap((p) => Array.from({ length: rounds }, (_, i) => `${p}-${i}`)),
    ];
    expect(new Set(tags())).toEqual(new Set(expected));
    expect(tags()).toHaveLength(expected.length);
    ok(['gc', layout]);
    for (const tag of expected) expect(layerkit(['verify', `oci:${layout}:${tag}`]).status).toBe(0);
  });
});

describe('images', () => {
  it('ls is an alias, --help says so', () => {
    expect(ok(['ls', '-q', `oci:${layout}`])).toBe(ok(['images', '-q', `oci:${layout}`]));
    expect(ok(['ls', '--help'])).toMatch(/^Usage: layerkit images .*\n\n.*\n\nAliases: ls\n/);
  });

  it('usage errors exit 2: a bad --format, a reference naming one image, three arguments', () => {
    expect(layerkit(['images', '--format', 'yaml', `oci:${layout}`]).status).toBe(2);
    expect(layerkit(['images', `oci:${layout}:nginx`])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('names one image'),
    });
    expect(layerkit(['images', `oci:${layout}`, 'a', 'b']).status).toBe(2);
  });

  it('a path that holds no layout: exit 1', () => {
    expect(layerkit(['images', `oci:${join(work.path, 'nothing')}`])).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('is not an OCI image layout'),
    });
  });
});
