/**
 * Issue 6: exit statuses and error lines. A usage mistake exits 2, an operation that fails
 * exits 1; either way stderr holds ONE line naming the command (and, for a damaged image, the
 * blob's digest), stdout stays empty, no stack trace appears unless `--debug`, and nothing in
 * the destination changes.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { blobNames, buildCli, bytesOf, layerkit, ok, readImage, writeTree } from './cli.js';

const work = useScratchDir('cli-errors');
let layout: string;
let image: string;
let rootfs: string;

beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  image = `oci:${layout}:base`;
  rootfs = join(work.path, 'rootfs');
  writeTree(rootfs, { 'etc/hostname': 'base\n', 'usr/lib/data.bin': bytesOf(7, 64 * 1024) });
  ok(['import', rootfs, image]);
  writeFileSync(join(rootfs, 'etc/hostname'), 'changed\n');
});

/** Runs layerkit and checks it wrote nothing on stdout and exactly one line on stderr. */
function fails(args: string[], env: Record<string, string> = {}) {
  const run = layerkit(args, { cwd: work.path, env });
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^layerkit: [^\n]+\n$/);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return run;
}

describe('usage errors exit 2 with one line that points at the help', () => {
  it.each<[string, string[], RegExp]>([
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'; see 'layerkit --help'/],
    [
      'a missing argument',
      ['history'],
      /^layerkit: history: expected 1 argument, got 0; see 'layerkit history --help'/,
    ],
    ['too many arguments', ['verify', 'oci:a', 'oci:b'], /^layerkit: verify: expected 1 argument, got 2/],
    ['an unknown flag', ['history', '--bogus', 'oci:x'], /^layerkit: history: .*--bogus/],
    ['a flag without its value', ['commit', 'oci:a', 'b', 'oci:c', '-m'], /^layerkit: commit: .*-m/],
    ['a bad boolean', ['history', '-H=maybe', 'oci:x'], /invalid boolean value "maybe" for --human/],
    ['a bad --format', ['diff', '--format', 'yaml', 'a', 'b'], /^layerkit: diff: invalid --format "yaml"/],
    ['a bad history --format', ['history', '--format', 'xml', 'oci:x'], /invalid --format "xml"/],
    ['a bad --mode', ['diff', '--mode', 'fast', 'a', 'b'], /invalid --mode "fast": expected one of/],
    [
      'a bad --compression',
      ['commit', '--compression', 'lz4', 'oci:a', 'b', 'oci:c'],
      /invalid --compression "lz4"/,
    ],
    ['a bad --level', ['import', '--level', '12', 'a', 'oci:b'], /invalid --level "12": expected 1 to 9/],
    [
      'a bad --deflate',
      ['layer', '--deflate', 'zopfli', 'a', '-o', 'b'],
      /invalid --deflate "zopfli": expected one of native, portable/,
    ],
    [
      'a bad zstd --level (zstd has 1 to 19, on every Node)',
      ['import', '--compression', 'zstd', '--level', '20', 'a', 'oci:b'],
      /invalid --level "20": expected 1 to 19/,
    ],
    ['layer without -o', ['layer', 'a', 'b'], /^layerkit: layer: -o FILE is required/],
    [
      'an image reference without a transport',
      ['history', 'nginx'],
      /^layerkit: history: invalid image reference "nginx"/,
    ],
    ['an unsupported transport', ['verify', 'dir:/tmp/x'], /unsupported transport "dir"/],
    [
      'a bad --platform',
      ['inspect', '--platform', 'linux', 'oci:x'],
      /^layerkit: inspect: invalid platform "linux"/,
    ],
    ['config with nothing to change', ['config', 'oci:a', 'oci:b'], /nothing to change/],
    ['a bad --env', ['config', '--env', 'NOEQUALS', 'oci:a', 'oci:b'], /invalid --env "NOEQUALS"/],
  ])('%s', (_what, args, message) => {
    const run = fails(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  // Every command that records times reads SOURCE_DATE_EPOCH through the library's one parser.
  it.each<[string, string, string[]]>([
    ['commit', 'yesterday', ['commit', image, 'rootfs', `oci:${layout}:v2`]],
    ['commit', '-1', ['commit', image, 'rootfs', `oci:${layout}:v2`]],
    ['commit', '1.5', ['commit', image, 'rootfs', `oci:${layout}:v2`]],
    ['commit', '253402300800', ['commit', image, 'rootfs', `oci:${layout}:v2`]],
    ['import', 'now', ['import', 'rootfs', `oci:${layout}:imported`]],
    ['config', '1e9', ['config', '--user', 'nobody', image, `oci:${layout}:v3`]],
    ['append', '0x10', ['append', image, 'layer.tar', `oci:${layout}:appended`]],
    ['layer', '+5', ['layer', 'rootfs', '-o', 'layer.tar.gz']],
  ])(
    'a bad SOURCE_DATE_EPOCH for %s (%j) is a usage error naming it, and writes nothing',
    (command, value, args) => {
      const before = readFileSync(join(layout, 'index.json'));
      const blobs = blobNames(layout);
      const run = fails(args, { SOURCE_DATE_EPOCH: value });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(
        `layerkit: ${command}: SOURCE_DATE_EPOCH must be a whole number of seconds between 0 and 253402300799, got "${value}"; see 'layerkit ${command} --help'\n`,
      );
      expect(readFileSync(join(layout, 'index.json'))).toEqual(before);
      expect(blobNames(layout)).toEqual(blobs);
      expect(existsSync(join(work.path, 'layer.tar.gz'))).toBe(false);
    },
  );

  it('no command at all prints the help on stderr and exits 2', () => {
    const run = layerkit([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Usage: layerkit COMMAND/);
  });
});

describe('failed operations exit 1 with one line', () => {
  it('a missing layout names its path', () => {
    const run = fails(['history', `oci:${join(work.path, 'nowhere')}:x`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(join(work.path, 'nowhere'));
  });

  it('terminal controls in a message (a hostile path or tag) are shown escaped, never sent raw', () => {
    const hostile = join(work.path, 'x\x1b]0;pwned\x07\x9b31m');
    const run = fails(['history', `oci:${hostile}:x`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('x\\u001b]0;pwned\\u0007\\u009b31m');
    expect(run.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  });

  it('a bad --change fails before any layer is stored', () => {
    const before = blobNames(layout);
    const run = fails(['commit', '-c', 'FROBNICATE now', image, 'rootfs', `oci:${layout}:v2`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^layerkit: commit: .*FROBNICATE/);
    expect(blobNames(layout)).toEqual(before);
  });
});

describe('a corrupt image (one byte of a layer blob flipped)', () => {
  let damaged: string;
  let damagedImage: string;
  let layer: string;

  beforeAll(() => {
    damaged = join(work.path, 'damaged');
    damagedImage = `oci:${damaged}:base`;
    ok(['convert', image, damagedImage]);
    layer = readImage(damaged, 'base').manifest.layers[0]!.digest;
    const path = join(damaged, 'blobs/sha256', layer.slice(7));
    const bytes = readFileSync(path);
    const middle = bytes.length >> 1;
    bytes[middle] = bytes[middle]! ^ 0x01;
    writeFileSync(path, bytes);
  });

  const corrupt = (command: string) =>
    new RegExp(`^layerkit: ${command}: .*blob ${layer} is corrupt \\(.+\\)$`, 'm');

  it('commit exits 1 naming the blob, and the layout is as it was (no temp files)', () => {
    const index = readFileSync(join(damaged, 'index.json'));
    const blobs = blobNames(damaged);
    const run = fails(['commit', damagedImage, 'rootfs', `oci:${damaged}:v2`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(corrupt('commit'));
    expect(readFileSync(join(damaged, 'index.json'))).toEqual(index);
    expect(blobNames(damaged)).toEqual(blobs);
    expect(existsSync(join(damaged, 'index.json.lock'))).toBe(false);
  });

  it.each([
    ['unpack', () => [damagedImage, join(work.path, 'unpacked')]],
    ['convert', () => [damagedImage, `oci-archive:${join(work.path, 'copy.tar')}`]],
    ['diff', () => [damagedImage, 'rootfs']],
  ])('%s exits 1 naming the blob', (command, args) => {
    const run = fails([command, ...args()]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(corrupt(command));
  });

  it('unpack and convert leave no rootfs, archive or work directory behind', () => {
    expect(readdirSync(work.path).filter((name) => /unpacked|copy\.tar/.test(name))).toEqual([]);
  });

  it('verify names the bad layer on stdout and still exits 1 with the one-line reason', () => {
    const run = layerkit(['verify', damagedImage]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`BAD  layer ${layer}`);
    expect(run.stderr).toMatch(/^layerkit: verify: BLOB_CORRUPT: [^\n]+\n$/);
  });

  it('--debug adds the stack trace', () => {
    const run = layerkit(['--debug', 'commit', damagedImage, 'rootfs', `oci:${damaged}:v2`], {
      cwd: work.path,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.split('\n')[0]).toMatch(corrupt('commit'));
    expect(run.stderr).toMatch(/^\s+at /m);
    expect(statSync(join(damaged, 'index.json')).isFile()).toBe(true);
  });
});
