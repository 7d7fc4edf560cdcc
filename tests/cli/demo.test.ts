/**
 * Issue 6: the demo (`node packages/cli/dist/demo.js DIR`) runs the seed scenario and prints
 * what README promises, and README's two commands are the ones CI and `pnpm demo` run.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { buildCli, DEMO, layerkit, REPO, type Run, readImage } from './cli.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const ciRun = readFileSync(join(REPO, '.ci/run'), 'utf8');

/** README's command line that ends in `pnpm COMMAND`, without its trailing comment. */
function readmeCommand(pnpmCommand: string): string {
  const line = readme.split('\n').find((l) => new RegExp(`&& pnpm ${pnpmCommand}\\b`).test(l));
  if (line === undefined) throw new Error(`README has no "… && pnpm ${pnpmCommand}" line`);
  return line.replace(/\s+#.*$/, '').trim();
}

/** The five lines README's transcript shows for `layerkit diff`. */
const FIVE_CHANGES = [
  'C /usr',
  'C /usr/share',
  'C /usr/share/nginx',
  'C /usr/share/nginx/html',
  'C /usr/share/nginx/html/index.html',
];

describe('the demo', () => {
  const work = useScratchDir('cli-demo');
  let demo: Run;

  beforeAll(() => {
    buildCli();
    const run = spawnSync(process.execPath, [DEMO, join(work.path, 'demo')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    demo = { status: run.status, stdout: run.stdout, stderr: run.stderr };
  });

  it('exits 0 with nothing on stderr', () => {
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
  });

  it('prints the five C lines of docker diff right after the diff command', () => {
    const lines = demo.stdout.split('\n');
    const at = lines.indexOf('$ layerkit diff oci:images:nginx ./webserver');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 7)).toEqual([...FIVE_CHANGES, '']);
  });

  it('prints the new image ID after the commit and the new history row on top', () => {
    const v2 = readImage(join(work.path, 'demo/images'), 'nginx:v2');
    const lines = demo.stdout.split('\n');
    const commit = lines.findIndex((line) => line.startsWith('$ layerkit commit '));
    expect(lines[commit + 1]).toBe(v2.configDigest);
    const history = lines.indexOf('$ layerkit history oci:images:nginx:v2');
    expect(lines[history + 1]).toMatch(/^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    expect(lines[history + 2]).toMatch(
      new RegExp(`^${v2.configDigest.slice(7, 19)}   .+ ago +nginx -g daemon off; +24B +修改了默认网页$`),
    );
    expect(v2.config.history?.at(-1)).toMatchObject({
      author: 'Tao Wang <twang2218@gmail.com>',
      comment: '修改了默认网页',
    });
  });

  it('lists the images after the commit: nginx:v2 on top of nginx:latest, as README shows', () => {
    const images = join(work.path, 'demo/images');
    const lines = demo.stdout.split('\n');
    const at = lines.indexOf('$ layerkit images oci:images');
    expect(at).toBeGreaterThan(lines.findIndex((line) => line.startsWith('$ layerkit commit ')));
    const id = (tag: string) => readImage(images, tag).configDigest.slice(7, 19);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      expect.stringMatching(/^REPOSITORY {3}TAG {7}IMAGE ID {7}CREATED +SIZE$/),
      expect.stringMatching(new RegExp(`^nginx {8}v2 {8}${id('nginx:v2')}   .+ ago +87\\.9kB$`)),
      expect.stringMatching(new RegExp(`^nginx {8}latest {4}${id('nginx')}   \\d+ years ago +87\\.6kB$`)),
    ]);
    // README's transcript shows the same rows (with its own commit's ID and time).
    expect(readme).toContain(
      `$ layerkit images oci:images\nREPOSITORY   TAG       IMAGE ID       CREATED                  SIZE\n`,
    );
    expect(readme).toMatch(new RegExp(`\\nnginx {8}latest {4}${id('nginx')}   \\d+ years ago +87\\.6kB\\n`));
  });

  it('writes the docker-archive README mentions, and the image verifies', () => {
    expect(existsSync(join(work.path, 'demo/nginx-v2.tar'))).toBe(true);
    expect(layerkit(['verify', 'docker-archive:nginx-v2.tar'], { cwd: join(work.path, 'demo') }).status).toBe(
      0,
    );
  });
});

describe("README's commands", () => {
  it('the test command is what .ci/run runs, in order, ending with pnpm test', () => {
    const ciCommands = ciRun
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && !/^(set|cd) /.test(line));
    const steps = readmeCommand('test')
      .split('&&')
      .map((step) => step.trim());
    expect(steps).toEqual(['bash scripts/setup.sh', 'pnpm test']);
    const positions = steps.map((step) => ciCommands.indexOf(step));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(ciCommands.at(-1)).toBe(steps.at(-1));
  });

  it('the demo command sets up minimally and runs pnpm demo, which builds and runs the demo script', () => {
    expect(readmeCommand('demo')).toBe('bash scripts/setup.sh --minimal && pnpm demo');
    expect(readFileSync(join(REPO, 'scripts/setup.sh'), 'utf8')).toContain('"--minimal"');
    const { scripts } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(scripts.demo).toBe('pnpm build && node packages/cli/dist/demo.js');
    expect(scripts.build).toBe('tsc -b && node scripts/bundle-cli.mjs');
  });

  it("README's transcript shows the demo's diff lines and the CLI's command list", () => {
    expect(readme).toContain(`$ layerkit diff oci:images:nginx ./webserver\n${FIVE_CHANGES.join('\n')}\n`);
    const listed = /lists every command \(`([^`]+)`\)/.exec(readme)?.[1]?.split(/\s+/);
    const help = layerkit(['--help']).stdout;
    const commands = [...help.matchAll(/^ {2}(\w+) {2,}/gm)].map((match) => match[1]);
    expect(listed).toEqual(commands);
  });
});
