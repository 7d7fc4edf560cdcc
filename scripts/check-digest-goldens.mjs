#!/usr/bin/env node
/**
 * Checks the digest goldens (tests/golden/digests/) on another Node or another architecture
 * without vitest: bundles tests/golden/digests/digests-standalone.ts against the BUILT packages
 * (packages/*\/dist: run `pnpm build` first) into the OS temp dir, then runs the bundle with
 * scripts/with-node.sh. `pnpm test:arm64` runs it on the pinned Node 24 for arm64 under qemu.
 *   usage: node scripts/check-digest-goldens.mjs [--arch x64|arm64] MAJOR|VERSION
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const goldens = join(repo, 'tests', 'golden', 'digests');
const args = process.argv.slice(2);
if (args.length === 0 || args.includes('--help')) {
  process.stderr.write('usage: node scripts/check-digest-goldens.mjs [--arch x64|arm64] MAJOR|VERSION\n');
  process.exit(args.length === 0 ? 2 : 0);
}

/** `@layerkit/<package>[/node|/internal|/internal/node]` → that package's built entry point. */
const builtPackages = {
  name: 'built-packages',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@layerkit\// }, ({ path }) => {
      const [, name, subpath = ''] = path.match(/^@layerkit\/([^/]+)(\/.*)?$/) ?? [];
      const entry = { '': 'index.js', '/node': 'node/index.js', '/internal': 'internal.js' }[subpath];
      if (entry === undefined) return { errors: [{ text: `no built entry point for ${path}` }] };
      return { path: join(repo, 'packages', name, 'dist', entry) };
    });
  },
};

const started = performance.now();
const temp = mkdtempSync(join(tmpdir(), 'layerkit-digest-goldens-'));
try {
  const bundle = join(temp, 'digests-standalone.mjs');
  await build({
    entryPoints: [join(goldens, 'digests-standalone.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    plugins: [builtPackages],
    logLevel: 'warning',
  });
  const run = spawnSync('bash', [join(repo, 'scripts', 'with-node.sh'), ...args, 'node', bundle, goldens], {
    stdio: 'inherit',
  });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(temp, { recursive: true, force: true });
}
process.stderr.write(`check-digest-goldens: ${((performance.now() - started) / 1000).toFixed(1)} s in all\n`);
