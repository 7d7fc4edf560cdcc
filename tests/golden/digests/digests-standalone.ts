/**
 * The digest goldens without vitest, for runtimes where vitest is too slow (arm64 under qemu):
 * scripts/check-digest-goldens.mjs bundles this file against the built packages and runs it as
 * `node BUNDLE GOLDEN_DIR`. It computes what digests-golden.test.ts computes, compares with the
 * same golden files, prints the runtime (`process.arch` proves what ran) and exits 1 on a difference.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLayerkitError } from '@layerkit/digest';
import * as corpus from './digest-corpus.js';

const goldenDir = process.argv[2];
if (goldenDir === undefined) throw new Error('usage: node digests-standalone.js GOLDEN_DIR');

let failures = 0;
function compare(golden: string, actual: string): void {
  const expected = readFileSync(join(goldenDir!, golden), 'utf8');
  if (actual === expected) {
    process.stdout.write(`  ${golden}: same\n`);
    return;
  }
  failures++;
  process.stdout.write(`  ${golden}: DIFFERENT\n--- expected\n${expected}+++ actual\n${actual}`);
}

const started = performance.now();
process.stdout.write(`digest goldens on Node ${process.version}, ${process.platform} ${process.arch}\n`);
const tar = await corpus.corpusTar();
compare(corpus.GZIP_GOLDEN, corpus.renderGolden(await corpus.gzipDigests(tar)));
if (corpus.hasZstd()) {
  compare(corpus.ZSTD_GOLDEN, corpus.renderGolden(await corpus.zstdDigests(tar)));
} else {
  const error = await corpus.zstdDigests(tar).then(
    () => undefined,
    (e: unknown) => e,
  );
  const typed = isLayerkitError(error) && error.code === 'UNSUPPORTED_COMPRESSION';
  if (!typed) failures++;
  process.stdout.write(`  zstd: ${typed ? 'UNSUPPORTED_COMPRESSION, as expected' : `UNEXPECTED ${error}`}\n`);
}
process.stdout.write(
  `${failures === 0 ? 'ok' : `${failures} FAILED`} in ${Math.round(performance.now() - started)} ms\n`,
);
process.exitCode = failures === 0 ? 0 : 1;
