/**
 * Issue 6: every `layerkit` command's happy path, run as the built binary: what it prints on
 * stdout (and that stderr stays empty off a TTY), and what it leaves in the layout, read back.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { portableRuntime } from '@layerkit/digest';
import { collectBytes } from '@layerkit/digest/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import {
  buildCli,
  bytesOf,
  EPOCH,
  fixTimes,
  layerkit,
  MTIME,
  ok,
  REPO,
  readImage,
  text,
  writeTree,
} from './cli.js';

const IMAGE_ID = /^sha256:[0-9a-f]{64}\n$/;
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

const work = useScratchDir('cli-commands');
let layout: string;
let base: string;
const env = { SOURCE_DATE_EPOCH: String(EPOCH) };
const run = (args: string[]) => ok(args, { cwd: work.path, env });

/** The base image as it was before the seed scenario's commit, and what that commit printed. */
let baseBeforeCommit: ReturnType<typeof readImage>;
let commitOutput: string;

/**
 * Everything the tests read, made here and not by earlier tests (so any test runs alone, with
 * `-t`, and one failure does not fail the tests after it): the base image, the seed scenario
 * (`rootfs` unpacked from it and edited, committed as `v2`) and the tree the layer tests add.
 */
beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  base = `oci:${layout}:base`;
  writeTree(join(work.path, 'base-rootfs'), {
    'etc/hostname': 'base\n',
    'etc/app.conf': 'port=80\n',
    'usr/bin/tool': { content: bytesOf(1, 4096), mode: 0o755 },
    'var/log/old.log': 'old\n',
  });
  run(['import', '--platform', 'linux/amd64', '-c', 'CMD ["/usr/bin/tool"]', 'base-rootfs', base]);
  run(['unpack', base, 'rootfs']);
  const rootfs = join(work.path, 'rootfs');
  writeFileSync(join(rootfs, 'etc/app.conf'), 'port=8080\n');
  writeFileSync(join(rootfs, 'etc/new.conf'), 'new\n');
  rmSync(join(rootfs, 'var/log/old.log'));
  baseBeforeCommit = readImage(layout, 'base');
  commitOutput = run([
    'commit',
    '-a',
    'Tao Wang <twang2218@gmail.com>',
    '-m',
    '修改了默认网页',
    '-c',
    'ENV MODE=production',
    '--change',
    'EXPOSE 8080',
    base,
    'rootfs',
    `oci:${layout}:v2`,
  ]);
  writeTree(join(work.path, 'extra'), { 'opt/extra.txt': 'extra\n' });
});

describe('help and version', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'packages/cli/package.json'), 'utf8'));
    expect(layerkit(['--version'])).toEqual({ status: 0, stdout: `layerkit ${version}\n`, stderr: '' });
  });

  const names = ['unpack', 'diff', 'commit', 'history', 'import', 'append', 'config', 'layer'];
  const all = [...names, 'images', 'rmi', 'convert', 'tag', 'inspect', 'verify', 'gc'];

  it('--help lists every command', () => {
    const help = layerkit(['--help']);
    expect(help.status).toBe(0);
    for (const name of all) expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });

  it.each(all)('%s --help shows its usage and an example', (name) => {
    const help = layerkit([name, '--help']);
    expect(help.status).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(new RegExp(`^Usage: layerkit ${name} `));
    expect(help.stdout).toMatch(new RegExp(`Example:\\n  layerkit ${name} `));
  });
});

describe('import, unpack, diff, commit, history: the seed scenario', () => {
  it('import printed the config digest as the image ID, like docker import', () => {
    const image = readImage(layout, 'base');
    const again = layerkit(
      [
        'import',
        '--platform',
        'linux/amd64',
        '-c',
        'CMD ["/usr/bin/tool"]',
        'base-rootfs',
        `oci:${layout}:again`,
      ],
      { cwd: work.path, env },
    );
    expect(again.stdout).toMatch(IMAGE_ID);
    expect(again.stdout.trim()).toBe(image.configDigest);
    expect(again.stderr).toBe('');
    expect(image.config.config?.Cmd).toEqual(['/usr/bin/tool']);
  });

  it('unpack wrote the image root filesystem and a snapshot beside it', () => {
    const rootfs = join(work.path, 'rootfs');
    expect(text(join(rootfs, 'etc/hostname'))).toBe('base\n');
    expect(statSync(join(rootfs, 'usr/bin/tool')).mode & 0o777).toBe(0o755);
    expect(existsSync(join(work.path, '.rootfs.layerkit'))).toBe(true);
  });

  it('unpack refuses a directory that exists (exit 1), leaving it alone', () => {
    const again = layerkit(['unpack', base, 'rootfs'], { cwd: work.path });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^layerkit: unpack: .*rootfs.* already exists\n$/);
    expect(text(join(work.path, 'rootfs/etc/app.conf'))).toBe('port=8080\n');
  });

  it('diff IMAGE DIR lists the changes like docker diff, in every mode', () => {
    const expected = 'C /etc\nC /etc/app.conf\nA /etc/new.conf\nC /var\nC /var/log\nD /var/log/old.log\n';
    expect(run(['diff', base, 'rootfs'])).toBe(expected);
    expect(run(['diff', '--mode', 'content', base, 'rootfs'])).toBe(expected);
    expect(run(['diff', '--mode', 'metadata', base, 'rootfs'])).toBe(expected);
  });

  it('diff --format json prints the Engine API form', () => {
    expect(JSON.parse(run(['diff', '--format', 'json', base, 'rootfs']))).toEqual([
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/app.conf', Kind: 0 },
      { Path: '/etc/new.conf', Kind: 1 },
      { Path: '/var', Kind: 0 },
      { Path: '/var/log', Kind: 0 },
      { Path: '/var/log/old.log', Kind: 2 },
    ]);
  });

  it('diff DIR_A DIR_B compares two directories; --mode decides about a touch', () => {
    const copy = join(work.path, 'copy');
    cpSync(join(work.path, 'base-rootfs'), copy, { recursive: true });
    fixTimes(copy);
    expect(run(['diff', 'base-rootfs', 'copy'])).toBe('');
    utimesSync(join(copy, 'etc/hostname'), MTIME + 60, MTIME + 60);
    expect(run(['diff', '--mode', 'metadata', 'base-rootfs', 'copy'])).toBe('C /etc\nC /etc/hostname\n');
    expect(run(['diff', '--mode', 'content', 'base-rootfs', 'copy'])).toBe('');
    writeFileSync(join(copy, 'etc/hostname'), 'other\n');
    expect(run(['diff', '--mode', 'content', 'base-rootfs', 'copy'])).toBe('C /etc\nC /etc/hostname\n');
  });

  it('diff --upperdir reads an overlayfs upperdir (whiteouts are char 0/0 devices)', () => {
    const upper = join(work.path, 'upper');
    writeTree(upper, { 'etc/app.conf': 'port=9090\n' });
    expect(spawnSync('mknod', [join(upper, 'etc/hostname'), 'c', '0', '0']).status).toBe(0);
    expect(run(['diff', '--upperdir', 'upper', 'base-rootfs'])).toBe(
      'C /etc\nC /etc/app.conf\nD /etc/hostname\n',
    );
  });

  it('commit -a -m -c prints the new image ID and tags it in the same layout; the base is untouched', () => {
    const [before, out] = [baseBeforeCommit, commitOutput];
    expect(out).toMatch(IMAGE_ID);
    const v2 = readImage(layout, 'v2');
    expect(out.trim()).toBe(v2.configDigest);
    expect(readImage(layout, 'base')).toEqual(before);
    expect(v2.manifest.layers.slice(0, -1)).toEqual(before.manifest.layers);
    expect(v2.config.author).toBe('Tao Wang <twang2218@gmail.com>');
    expect(v2.config.config?.Env).toContain('MODE=production');
    expect(v2.config.config?.ExposedPorts).toEqual({ '8080/tcp': {} });
    expect(v2.config.history?.at(-1)).toMatchObject({
      author: 'Tao Wang <twang2218@gmail.com>',
      comment: '修改了默认网页',
      created: '2024-06-01T00:00:00Z',
    });
  });

  it('history shows the new row on top', () => {
    const [header, top, second, end] = run(['history', `oci:${layout}:v2`]).split('\n');
    expect(header).toMatch(/^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    expect(top).toMatch(
      new RegExp(`^${readImage(layout, 'v2').configDigest.slice(7, 19)} .* 修改了默认网页$`),
    );
    expect(second).toMatch(/^<missing> /);
    expect(end).toBe('');
  });

  it('commit --compression none writes an uncompressed layer; --squash a single layer', () => {
    run(['commit', '--compression', 'none', base, 'rootfs', `oci:${layout}:plain`]);
    expect(readImage(layout, 'plain').manifest.layers.at(-1)?.mediaType).toBe(
      'application/vnd.oci.image.layer.v1.tar',
    );
    run(['commit', '--squash', base, 'rootfs', `oci:${layout}:squashed`]);
    const squashed = readImage(layout, 'squashed');
    expect(squashed.manifest.layers).toHaveLength(1);
    expect(squashed.config.rootfs.diff_ids).toHaveLength(1);
  });
});

describe('the other commands', () => {
  it('layer DIR_A DIR_B -o FILE writes the layer and prints its descriptor', () => {
    const descriptor = JSON.parse(run(['layer', 'base-rootfs', 'extra', '-o', 'extra.tar.gz']));
    const file = readFileSync(join(work.path, 'extra.tar.gz'));
    expect(descriptor).toMatchObject({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: sha256(file),
      size: file.length,
    });
    expect(descriptor.diffID).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('layer --deflate portable writes the gzip the portable core writes in any runtime', async () => {
    const native = JSON.parse(run(['layer', 'extra', '-o', 'native.tar.gz']));
    const portable = JSON.parse(run(['layer', '--deflate', 'portable', 'extra', '-o', 'portable.tar.gz']));
    expect(portable.diffID).toBe(native.diffID);
    const blob = readFileSync(join(work.path, 'portable.tar.gz'));
    expect(portable.digest).toBe(sha256(blob));
    const expected = await collectBytes(portableRuntime.codec('gzip').compress(once(gunzipSync(blob))));
    expect(sha256(expected)).toBe(portable.digest);
    expect(portable.digest).not.toBe(native.digest);
  });

  it('append IMAGE LAYER.tar DEST adds that layer on top', () => {
    const { diffID } = JSON.parse(run(['layer', 'extra', '-o', 'only-extra.tar']));
    const out = run(['append', '-m', 'appended', base, 'only-extra.tar', `oci:${layout}:appended`]);
    const appended = readImage(layout, 'appended');
    expect(out.trim()).toBe(appended.configDigest);
    expect(appended.config.rootfs.diff_ids.at(-1)).toBe(diffID);
    expect(appended.config.history?.at(-1)?.comment).toBe('appended');
  });

  it('config sets env, cmd, entrypoint, labels, user, workdir and ports with an empty-layer step', () => {
    const out = run([
      'config',
      '--env',
      'GREETING=hello world',
      '--cmd',
      '["serve"]',
      '--entrypoint',
      'exec /usr/bin/tool',
      '--label',
      'org.example.team=web',
      '--user',
      'www:www',
      '--workdir',
      '/srv',
      '--expose',
      '8080',
      base,
      `oci:${layout}:configured`,
    ]);
    const image = readImage(layout, 'configured');
    expect(out.trim()).toBe(image.configDigest);
    expect(image.manifest.layers).toEqual(readImage(layout, 'base').manifest.layers);
    expect(image.config.config).toMatchObject({
      Cmd: ['serve'],
      Entrypoint: ['/bin/sh', '-c', 'exec /usr/bin/tool'],
      Labels: { 'org.example.team': 'web' },
      User: 'www:www',
      WorkingDir: '/srv',
      ExposedPorts: { '8080/tcp': {} },
    });
    expect(image.config.config?.Env).toContain('GREETING=hello world');
    expect(image.config.history?.at(-1)?.empty_layer).toBe(true);
  });

  it('convert copies to oci-archive and docker-archive keeping the manifest digest', () => {
    const { manifestDigest } = readImage(layout, 'v2');
    expect(run(['convert', `oci:${layout}:v2`, 'oci-archive:v2.tar:v2'])).toBe(`${manifestDigest}\n`);
    expect(run(['convert', `oci:${layout}:v2`, 'docker-archive:v2-docker.tar:web:v2'])).toBe(
      `${manifestDigest}\n`,
    );
    expect(run(['verify', 'oci-archive:v2.tar:v2'])).toMatch(new RegExp(`^ok  ${manifestDigest}$`, 'm'));
    expect(run(['verify', 'docker-archive:v2-docker.tar'])).toMatch(/^ok {2}sha256:/m);
  });

  it('inspect prints the summary, and the exact manifest and config bytes', () => {
    const v2 = readImage(layout, 'v2');
    const summary = JSON.parse(run(['inspect', `oci:${layout}:v2`]));
    expect(summary).toMatchObject({
      Digest: v2.manifestDigest,
      ImageID: v2.configDigest,
      Author: 'Tao Wang <twang2218@gmail.com>',
      Os: 'linux',
      Architecture: 'amd64',
      DiffIDs: v2.config.rootfs.diff_ids,
    });
    const blob = (digest: string) => readFileSync(join(layout, 'blobs/sha256', digest.slice(7)), 'utf8');
    expect(run(['inspect', '--type', 'config', `oci:${layout}:v2`])).toBe(`${blob(v2.configDigest)}\n`);
    expect(run(['inspect', '--type', 'manifest', `oci:${layout}:v2`])).toBe(`${blob(v2.manifestDigest)}\n`);
  });

  it('verify lists every layer and the manifest as ok', () => {
    const v2 = readImage(layout, 'v2');
    expect(run(['verify', `oci:${layout}:v2`])).toBe(
      [...v2.manifest.layers.map((l) => `ok  layer ${l.digest}`), `ok  ${v2.manifestDigest}`, ''].join('\n'),
    );
  });

  it('tag points another name at the same manifest', () => {
    const { manifestDigest } = readImage(layout, 'v2');
    expect(run(['tag', `oci:${layout}:v2`, `oci:${layout}:latest`])).toBe(`${manifestDigest}\n`);
    expect(readImage(layout, 'latest').manifestDigest).toBe(manifestDigest);
  });

  it('gc deletes what no tag reaches, and every tag still verifies', () => {
    const gcLayout = join(work.path, 'gc-images');
    run(['convert', base, `oci:${gcLayout}:x`]);
    run(['commit', base, 'rootfs', `oci:${gcLayout}:x`]); // moves x: the old manifest is unreferenced
    const dropped = readImage(layout, 'base').manifestDigest;
    const out = run(['gc', gcLayout]);
    expect(out).toMatch(new RegExp(`^deleted: ${dropped}$`, 'm'));
    expect(out).toMatch(/^Total reclaimed space: \d/m);
    expect(existsSync(join(gcLayout, 'blobs/sha256', dropped.slice(7)))).toBe(false);
    expect(layerkit(['verify', `oci:${gcLayout}:x`]).status).toBe(0);
    expect(run(['gc', gcLayout])).toBe('Total reclaimed space: 0 B\n');
  });
});
