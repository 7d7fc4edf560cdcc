/**
 * applyLayer on GNU sparse files: the expanded file is written (holes as zeros), and the cap on
 * the holes follows maxDecompressedBytes (T18, T28).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { applyLayer } from '@layerkit/diff/node';
import { isLayerkitError } from '@layerkit/digest';
import { expect, test } from 'vitest';
import { chunks } from '../../../fixtures/raw-tar.js';
import { testScratchDir } from '../../../fixtures/scratch.js';

const MIB = 1024 * 1024;

/** A layer made by GNU tar holding `data`, an 8 MiB sparse file with three written regions. */
function sparseLayer(format: string[]): { layer: Uint8Array; expected: Uint8Array } {
  const dir = testScratchDir('sparse-src');
  const file = join(dir, 'data');
  const fd = openSync(file, 'w', 0o640);
  try {
    ftruncateSync(fd, 8 * MIB);
    for (const [offset, text] of [
      [0, 'start'],
      [3 * MIB + 5, 'middle'],
      [8 * MIB - 3, 'end'],
    ] as const)
      writeSync(fd, Buffer.from(text), 0, text.length, offset);
  } finally {
    closeSync(fd);
  }
  const archive = join(dir, 'layer.tar');
  const result = spawnSync('tar', ['--sparse', ...format, '-cf', archive, '-C', dir, 'data'], {
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return { layer: readFileSync(archive), expected: readFileSync(file) };
}

test.each([
  ['old GNU', ['--format=gnu']],
  ['PAX 0.1', ['--format=posix', '--sparse-version=0.1']],
  ['PAX 1.0', ['--format=posix', '--sparse-version=1.0']],
])('%s: the sparse file is written expanded under its real name', async (_, format) => {
  const { layer, expected } = sparseLayer(format);
  const root = testScratchDir('apply');
  const report = await applyLayer(root, chunks(layer, 4096));
  expect(report.bytes).toBe(layer.length);
  const written = readFileSync(join(root, 'data'));
  expect(written.length).toBe(8 * MIB);
  expect(written.equals(expected)).toBe(true);
  expect(lstatSync(join(root, 'data')).mode & 0o7777).toBe(0o640);
});

test('the holes count against maxDecompressedBytes: TAR_TOO_LARGE, nothing written (T28)', async () => {
  const { layer } = sparseLayer(['--format=posix', '--sparse-version=1.0']);
  const root = testScratchDir('apply');
  const error = await applyLayer(root, chunks(layer), { limits: { maxDecompressedBytes: 4 * MIB } }).catch(
    (e: unknown) => e,
  );
  expect(isLayerkitError(error, 'TAR_TOO_LARGE')).toBe(true);
  expect((error as Error).message).toMatch(
    /^tar entry "data" at offset \d+: the sparse file expands to 8388608 bytes/,
  );
  expect(lstatSync(join(root, 'data'), { throwIfNoEntry: false })).toBeUndefined();
});
