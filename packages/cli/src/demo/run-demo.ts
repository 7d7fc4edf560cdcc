/**
 * The seed scenario, end to end and offline: build a base image, unpack it, change the web
 * page, `diff`, `commit` with an author and a message, list the images, and show the history — each step run
 * through the real CLI entry point and printed as a user would type it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { main } from '../main.js';
import { buildBaseImage } from './base-image.js';

const say = (text: string) => process.stdout.write(`${text}\n`);

/** Runs `layerkit ARGS…` in-process after echoing it; throws when it fails. */
async function layerkit(...args: string[]): Promise<void> {
  say(`\n$ layerkit ${args.map((a) => (/^[\w./:@=-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`);
  const status = await main(args);
  if (status !== 0) throw new Error(`layerkit ${args[0]} exited with status ${status}`);
}

/** Runs the demo in `workDir` (recreated from scratch). */
export async function runDemo(workDir: string): Promise<void> {
  const dir = resolve(workDir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.chdir(dir);
  say(`# layerkit demo in ${dir}`);
  say('# 1. a built-in base image (generated offline): oci:images:nginx');
  await buildBaseImage(dir, 'images', 'nginx');
  await layerkit('history', 'oci:images:nginx');

  say('\n# 2. "docker run": the image\'s root filesystem, with a snapshot kept beside it');
  await layerkit('unpack', 'oci:images:nginx', './webserver');
  say(`\n$ echo '<h1>Hello, Docker!</h1>' > ./webserver/usr/share/nginx/html/index.html`);
  writeFileSync('webserver/usr/share/nginx/html/index.html', '<h1>Hello, Docker!</h1>\n');

  say('\n# 3. "docker diff", "docker commit", "docker image ls", "docker history"');
  await layerkit('diff', 'oci:images:nginx', './webserver');
  await layerkit(
    'commit',
    '--author',
    'Tao Wang <twang2218@gmail.com>',
    '--message',
    '修改了默认网页',
    'oci:images:nginx',
    './webserver',
    'oci:images:nginx:v2',
  );
  await layerkit('images', 'oci:images');
  await layerkit('history', 'oci:images:nginx:v2');

  say('\n# 4. the new image, checked and exported for docker load / podman load');
  await layerkit('inspect', 'oci:images:nginx:v2');
  await layerkit('verify', 'oci:images:nginx:v2');
  await layerkit('convert', 'oci:images:nginx:v2', 'docker-archive:nginx-v2.tar:nginx:v2');
  say(`\n# Done. The OCI layout is ${dir}/images (tags nginx, nginx:v2);`);
  say(`# ${dir}/nginx-v2.tar loads with: docker load -i nginx-v2.tar   or   podman load -i nginx-v2.tar`);
}
