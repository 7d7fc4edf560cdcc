/**
 * Issue 6: Ctrl-C (SIGINT) in the middle of a commit or an unpack of a large tree leaves the
 * destination as it was: `index.json` byte-identical, the same blobs, no temp file in `blobs/`,
 * no lock, the base still verifies; no rootfs, work directory or metadata after an unpack. The
 * signal is sent once the operation's temp file or directory has appeared, i.e. mid-way.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobNames, buildCli, layerkit, ok, type Run, scratch, start, writeTree } from './cli.js';

/** 32 incompressible files of 4 MiB: a layer that takes seconds to write, even uncompressed. */
const BIG_FILES = 32;
const FILE_SIZE = 4 << 20;

let work: ReturnType<typeof scratch>;
let layout: string;
let base: string;

beforeAll(() => {
  buildCli();
  work = scratch('interrupt');
  layout = join(work.dir, 'images');
  base = `oci:${layout}:base`;
  writeTree(join(work.dir, 'small'), { 'etc/hostname': 'base\n' });
  ok(['import', 'small', base], { cwd: work.dir });
  const big = join(work.dir, 'big');
  mkdirSync(join(big, 'data'), { recursive: true });
  writeFileSync(join(big, 'etc-hostname'), 'big\n');
  for (let i = 0; i < BIG_FILES; i++) writeFileSync(join(big, 'data', `blob-${i}`), randomBytes(FILE_SIZE));
});

afterAll(() => work?.dispose());

/** Waits (polling) until `appeared` is true; fails the test after `timeoutMs`. */
async function waitFor(appeared: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!appeared()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Starts `layerkit ARGS…`, sends SIGINT once `midway` holds, and returns how it ended. */
async function interrupt(args: string[], midway: () => boolean, what: string): Promise<Run> {
  const { child, done } = start(args, { cwd: work.dir });
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  await waitFor(() => midway() || exited, what);
  expect(exited, `layerkit ${args[0]} ended before ${what} appeared`).toBe(false);
  child.kill('SIGINT');
  return done;
}

/** The interrupted command's one line on stderr and status 130. */
function expectInterrupted(run: Run, command: string): void {
  expect(run.status).toBe(130);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`layerkit: ${command}: interrupted; the destination was left as it was\n`);
}

describe('Ctrl-C during commit', () => {
  it.each([['gzip'], ['none']])('--compression %s: the layout is exactly as before', async (compression) => {
    const index = readFileSync(join(layout, 'index.json'));
    const blobs = blobNames(layout);
    const run = await interrupt(
      ['commit', '--compression', compression, base, 'big', `oci:${layout}:v2`],
      () => blobNames(layout).temp.length > 0,
      'a temp blob',
    );
    expectInterrupted(run, 'commit');
    expect(readFileSync(join(layout, 'index.json'))).toEqual(index);
    expect(blobNames(layout)).toEqual(blobs);
    expect(blobNames(layout).temp).toEqual([]);
    expect(existsSync(join(layout, 'index.json.lock'))).toBe(false);
    expect(layerkit(['verify', base]).status).toBe(0);
  });
});

describe('Ctrl-C during unpack', () => {
  beforeAll(() => {
    ok(['import', '--level', '1', 'big', `oci:${layout}:big`], { cwd: work.dir });
  });

  it('leaves no rootfs, no work directory and no metadata', async () => {
    const run = await interrupt(
      ['unpack', `oci:${layout}:big`, 'out'],
      () => readdirSync(work.dir).some((name) => name.startsWith('.out.unpack-')),
      'the unpack work directory',
    );
    expectInterrupted(run, 'unpack');
    expect(readdirSync(work.dir).filter((name) => name.includes('out'))).toEqual([]);
  });

  it('a later unpack of the same image into the same place succeeds', () => {
    expect(layerkit(['unpack', `oci:${layout}:big`, 'out'], { cwd: work.dir }).status).toBe(0);
    expect(readFileSync(join(work.dir, 'out/etc-hostname'), 'utf8')).toBe('big\n');
  });
});
