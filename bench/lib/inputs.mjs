/**
 * Benchmark inputs, built once and cached outside the repository: the realistic root file system
 * (Debian minbase via debootstrap), the 100,000-small-file tree, the optional large tree, and a
 * one-layer OCI image of each (built with umoci, so no tool reads its own output).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRandomFiles, generateTree } from './generate.mjs';
import { bash, commandLine, run } from './shell.mjs';
import { describeTree, walkTree } from './walk.mjs';

const MiB = 1024 * 1024;
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
/** Size of the /usr fallback, close to a minbase root file system. */
const USR_FALLBACK_BYTES = 230 * MiB;

/**
 * @typedef {object} Input
 * @property {string} name
 * @property {string} dir the tree (never modified by workloads)
 * @property {string} kind how it was made
 * @property {{entries: number, files: number, bytes: number}} summary
 */

/**
 * Builds `dir` with `build(tmpDir)` unless a finished copy is cached (marker `<dir>.json`).
 * @param {string} dir
 * @param {(tmp: string) => string} build returns a description of what it made
 * @returns {Input}
 */
function cached(dir, build) {
  const marker = `${dir}.json`;
  if (existsSync(marker) && existsSync(dir)) return JSON.parse(readFileSync(marker, 'utf8'));
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  process.stderr.write(`bench: building input ${dir}\n`);
  const kind = build(tmp);
  renameSync(tmp, dir);
  const input = { name: dir.split('/').at(-1), dir, kind, summary: describeTree(dir) };
  writeFileSync(marker, `${JSON.stringify(input, null, 2)}\n`);
  return input;
}

/** Debian bookworm minbase; on failure a deterministic slice of this machine's /usr. */
function buildRootfs(tmp) {
  try {
    run('debootstrap', ['--variant=minbase', 'bookworm', tmp, DEBIAN_MIRROR], { stdio: 'ignore' });
    return 'debootstrap --variant=minbase bookworm';
  } catch (error) {
    process.stderr.write(
      `bench: debootstrap failed (${error.message.split('\n')[0]}); copying /usr instead\n`,
    );
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    copyUsrSlice(tmp);
    return `copy of the first ${USR_FALLBACK_BYTES / MiB} MiB of /usr in sorted order (debootstrap failed)`;
  }
}

/** Copies entries of /usr in walk order until their file bytes reach the fallback size. */
function copyUsrSlice(tmp) {
  const paths = [];
  let bytes = 0;
  for (const { rel, stat } of walkTree('/usr')) {
    if (bytes >= USR_FALLBACK_BYTES) break;
    paths.push(`usr/${rel}`);
    if (stat.isFile()) bytes += stat.size;
  }
  const list = `${tmp}.list`;
  writeFileSync(list, `usr\n${paths.join('\n')}\n`);
  bash(`tar -C / --no-recursion -cf - -T ${commandLine([list])} | tar -C ${commandLine([tmp])} -xf -`);
  rmSync(list);
}

/**
 * Prepares every input the selected workloads need.
 * @param {{cache: string, quick: boolean, large: boolean, huge?: boolean}} options
 * @returns {{rootfs: Input, smallfiles?: Input, huge?: Input, large?: Input}} (quick: only a tiny rootfs)
 */
export function prepareInputs({ cache, quick, large, huge = false }) {
  const dir = join(cache, 'inputs');
  mkdirSync(dir, { recursive: true });
  if (quick) {
    return {
      rootfs: cached(join(dir, 'quick-rootfs'), (tmp) => {
        generateTree(tmp, {
          fanout: [4, 4],
          filesPerDir: 6,
          minSize: 16,
          maxSize: 4096,
          seed: 'quick',
          extras: true,
        });
        return 'generated (quick: 96 files in 16 dirs, symlinks, a hardlink)';
      }),
    };
  }
  const inputs = {
    rootfs: cached(join(dir, 'debian-minbase'), buildRootfs),
    smallfiles: cached(join(dir, 'smallfiles-100k'), (tmp) => {
      generateTree(tmp, {
        fanout: [10, 10, 10],
        filesPerDir: 100,
        minSize: 256,
        maxSize: 4096,
        seed: 'small',
      });
      return 'generated: 100,000 text files of 256 B-4 KiB in 1,000 dirs (10 x 10 x 10)';
    }),
  };
  if (huge) {
    inputs.huge = cached(join(dir, 'smallfiles-1m'), (tmp) => {
      generateTree(tmp, {
        fanout: [10, 10, 10, 10],
        filesPerDir: 100,
        minSize: 16,
        maxSize: 512,
        seed: 'huge',
      });
      return 'generated: 1,000,000 text files of 16-512 B in 10,000 dirs (10 x 10 x 10 x 10)';
    });
  }
  if (!large) return inputs;
  return {
    ...inputs,
    large: cached(join(dir, 'large-2g'), (tmp) => {
      generateRandomFiles(join(tmp, 'random'), { count: 2, size: 1024 * MiB, seed: 'large' });
      generateTree(join(tmp, 'text'), {
        fanout: [8],
        filesPerDir: 16,
        minSize: 256 * 1024,
        maxSize: 1024 * 1024,
        seed: 'large-text',
      });
      return 'generated: 2 x 1 GiB incompressible files + 128 text files of 256 KiB-1 MiB';
    }),
  };
}

/**
 * An OCI layout holding `empty` (no layers) and `base` (one layer: the input tree), made with
 * umoci the way a user would: unpack the empty image, fill the rootfs, `umoci repack`.
 * @param {string} cache
 * @param {Input} input
 * @returns {string} the layout directory
 */
export function prepareBaseImage(cache, input) {
  const layout = join(cache, 'images', input.name);
  const marker = `${layout}.json`;
  if (existsSync(marker) && existsSync(layout)) return layout;
  rmSync(layout, { recursive: true, force: true });
  const bundle = `${layout}.bundle`;
  rmSync(bundle, { recursive: true, force: true });
  mkdirSync(join(cache, 'images'), { recursive: true });
  process.stderr.write(`bench: building base image ${layout}\n`);
  run('umoci', ['init', '--layout', layout]);
  run('umoci', ['new', '--image', `${layout}:empty`]);
  run('umoci', ['unpack', '--image', `${layout}:empty`, bundle]);
  bash(`cp -a ${commandLine([`${input.dir}/.`, `${bundle}/rootfs/`])}`);
  run('umoci', ['repack', '--image', `${layout}:base`, bundle]);
  rmSync(bundle, { recursive: true, force: true });
  writeFileSync(marker, `${JSON.stringify({ input: input.name, tags: ['empty', 'base'] })}\n`);
  return layout;
}
