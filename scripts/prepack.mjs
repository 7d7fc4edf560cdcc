#!/usr/bin/env node
/**
 * `prepack` of every package (run by `pnpm pack` / `pnpm publish` in the package's directory):
 * builds the package so that its tarball ships a complete dist even from a fresh clone with no
 * prior `pnpm build`, then checks what is about to be packed.
 *
 *   1. `tsc -b` of the package (and, through its project references, of the packages it depends
 *      on); a no-op when the build is up to date. @layerkit/cli is then bundled into
 *      dist/layerkit-main.js, loaded by its `bin` dist/layerkit.js (scripts/bundle-cli.mjs).
 *   2. Stale output is removed: a dist file whose source in src/ no longer exists (tsc never
 *      deletes the output of a removed or renamed module) would otherwise be published.
 *   3. Every `exports` target and `bin` named in package.json must exist, and every module in src/
 *      must have its .js and .d.ts in dist/.
 *
 * Run from a package directory (`node ../../scripts/prepack.mjs`), or from anywhere with the
 * package directory as the argument.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = resolve(process.argv[2] ?? process.cwd());
const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const name = manifest.name;

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`prepack ${name}: ${[command, ...args].join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

// 1. Build.
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', pkgDir]);
if (name === '@layerkit/cli') run(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')]);

// 2. Prune output whose source is gone. Outputs of tsc: X.js, X.js.map, X.d.ts, X.d.ts.map for
// src/X.ts. Anything else in dist (the CLI's bundle) is left alone.
const src = join(pkgDir, 'src');
const dist = join(pkgDir, 'dist');
const OUTPUT = /\.(?:js|js\.map|d\.ts|d\.ts\.map)$/;
// The CLI's launcher and the bundle it loads (scripts/bundle-cli.mjs).
const keep = new Set(name === '@layerkit/cli' ? ['layerkit.js', 'layerkit-main.js'] : []);
for (const file of walk(dist)) {
  const rel = relative(dist, file);
  if (keep.has(rel) || !OUTPUT.test(rel)) continue;
  const source = join(src, rel.replace(OUTPUT, '.ts'));
  if (!existsSync(source)) {
    console.error(`prepack ${name}: removing stale dist/${rel} (no src/${relative(src, source)})`);
    rmSync(file);
  }
}

// 3. Check what will be packed.
const missing = [];
for (const file of walk(src)) {
  if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
  const base = join(dist, relative(src, file)).replace(/\.ts$/, '');
  for (const output of [`${base}.js`, `${base}.d.ts`]) if (!existsSync(output)) missing.push(output);
}
const targets = [];
const collect = (value) => {
  if (typeof value === 'string') targets.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collect(v);
};
collect(manifest.exports);
collect(manifest.bin);
for (const target of targets) {
  const path = join(pkgDir, target);
  if (!existsSync(path) || !statSync(path).isFile()) missing.push(path);
}
if (missing.length > 0) {
  console.error(
    `prepack ${name}: missing build output:\n  ${missing.map((p) => relative(root, p)).join('\n  ')}`,
  );
  process.exit(1);
}
