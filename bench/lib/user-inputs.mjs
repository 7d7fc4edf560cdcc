/**
 * The user's own inputs (`--tree`, `--pair`, `--image`): described like the built-in ones, never
 * modified, and never cached (a directory or an image may change between runs): their images are
 * built under the run's work directory, which is removed at the end.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { prepareBaseImage } from './inputs.mjs';
import { run } from './shell.mjs';
import { describeTree } from './walk.mjs';

/**
 * @typedef {import('./inputs.mjs').Input & {use: 'tree' | 'pair' | 'image', other?: string}} UserInput
 *   `other`: a pair's second directory
 */

/** A name safe in a path and a table cell, unique among `taken`. */
function uniqueName(wanted, taken) {
  const base = wanted.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'input';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

function directory(path, flag) {
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${flag} ${path}: not a directory`);
  return dir;
}

/**
 * Throws when a `--tree` or `--pair` argument is not a directory: called before the built-in
 * inputs are prepared (minutes on a first run), so a typo fails at once.
 * @param {{trees: string[], pairs: Array<[string, string]>}} user
 */
export function checkUserDirectories({ trees, pairs }) {
  for (const path of trees) directory(path, '--tree');
  for (const path of pairs.flat()) directory(path, '--pair');
}

const count = ({ entries, files }) => `${entries} entries, ${files} regular files`;

/**
 * Describes the user's inputs and builds the images their workloads start from: a one-layer
 * image of each `--tree` (umoci, as for the built-in trees) and an OCI layout copy of each
 * `--image` (skopeo copy; tag `base`).
 * @param {{trees: string[], pairs: Array<[string, string]>, images: string[]}} user
 * @param {string} dir where the images go (inside the run's work directory)
 * @param {Set<string>} taken input names already used (the built-in inputs')
 * @returns {{inputs: UserInput[], layouts: Record<string, string>}}
 */
export function prepareUserInputs({ trees, pairs, images }, dir, taken) {
  const inputs = [];
  const layouts = {};
  for (const path of trees) {
    const tree = directory(path, '--tree');
    const input = {
      use: 'tree',
      name: uniqueName(`tree-${basename(tree)}`, taken),
      dir: tree,
      kind: `your tree (--tree ${tree})`,
      summary: describeTree(tree),
    };
    layouts[input.name] = prepareBaseImage(dir, input);
    inputs.push(input);
  }
  for (const [a, b] of pairs) {
    const lower = directory(a, '--pair');
    const upper = directory(b, '--pair');
    const other = describeTree(upper);
    inputs.push({
      use: 'pair',
      name: uniqueName(`pair-${basename(lower)}-${basename(upper)}`, taken),
      dir: lower,
      other: upper,
      kind: `your pair (--pair ${lower} ${upper}; the second: ${count(other)})`,
      summary: describeTree(lower),
    });
  }
  for (const ref of images) {
    const name = uniqueName(
      `image-${ref
        .replace(/^[a-z-]+:/, '')
        .split('/')
        .at(-1)}`,
      taken,
    );
    const layout = join(dir, 'images', name);
    mkdirSync(join(dir, 'images'), { recursive: true });
    run('skopeo', ['copy', '--quiet', ref, `oci:${layout}:base`]);
    // Its root filesystem, counted for the inputs table from umoci's unpack (then removed).
    const bundle = `${layout}.bundle`;
    run('umoci', ['unpack', '--image', `${layout}:base`, bundle]);
    const summary = describeTree(join(bundle, 'rootfs'));
    rmSync(bundle, { recursive: true, force: true });
    inputs.push({ use: 'image', name, dir: ref, kind: `your image (--image ${ref})`, summary });
    layouts[name] = layout;
  }
  return { inputs, layouts };
}
