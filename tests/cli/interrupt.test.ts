/**
 * Issue 6: Ctrl-C (SIGINT) in the middle of a commit or an unpack of a large tree leaves the
 * destination as it was: `index.json` byte-identical, the same blobs, no temp file in `blobs/`,
 * no lock, the base still verifies; no rootfs, work directory or metadata after an unpack.
 * Issue 15: SIGTERM (`kill`, systemd, CI runners) and SIGHUP stop a commit just as cleanly,
 * exiting 143 and 129.
 *
 * Mid-way is a point of the run, not a moment: the CLI runs held (pause-hook.mjs) at its first
 * open of the operation's temp blob or of a file in its unpack work directory, the test checks it
 * is there, sends SIGINT and lets it go on. So the signal lands mid-way on every run, however
 * loaded the machine (polling for the temp file raced the end of the operation).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { blobNames, buildCli, bytesOf, layerkit, ok, type Run, startHeld, writeTree } from './cli.js';

/**
 * 16 incompressible files of 4 MiB: held at its first write, the operation still has ~60 MiB to
 * go, that is many progress checkpoints and event-loop turns (one every 4 MiB) to see the signal.
 */
const BIG_FILES = 16;
const FILE_SIZE = 4 << 20;

const work = useScratchDir('cli-interrupt');
let layout: string;
let base: string;

beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  base = `oci:${layout}:base`;
  writeTree(join(work.path, 'small'), { 'etc/hostname': 'base\n' });
  ok(['import', 'small', base], { cwd: work.path });
  const big = join(work.path, 'big');
  mkdirSync(join(big, 'data'), { recursive: true });
  writeFileSync(join(big, 'etc-hostname'), 'big\n');
  for (let i = 0; i < BIG_FILES; i++)
    writeFileSync(join(big, 'data', `blob-${i}`), bytesOf(i + 1, FILE_SIZE));
});

/**
 * Runs `layerkit ARGS…` held at its first open of a path matching `midway`, runs `whileHeld`
 * there, then sends `signal` (SIGINT unless given) and lets it go on; returns how it ended.
 */
async function interrupt(
  args: string[],
  midway: RegExp,
  whileHeld: () => void,
  signal: NodeJS.Signals = 'SIGINT',
): Promise<Run> {
  const run = startHeld(args, midway, { cwd: work.path });
  const held = await run.held;
  if (!held) {
    const { status, stderr } = await run.done;
    expect.fail(`layerkit ${args[0]} ended (${status}) before opening ${midway}: ${stderr}`);
  }
  try {
    whileHeld();
  } catch (error) {
    run.child.kill('SIGKILL');
    throw error;
  }
  // The signal is pending before the run resumes, so its handler runs before the next turn.
  run.child.kill(signal);
  run.resume();
  return run.done;
}

/** The interrupted command's one line on stderr and its status (130 after SIGINT). */
function expectInterrupted(run: Run, command: string, status = 130): void {
  expect(run.status).toBe(status);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`layerkit: ${command}: interrupted; the destination was left as it was\n`);
}

describe('Ctrl-C during commit', () => {
  it.each([['gzip'], ['none']])('--compression %s: the layout is exactly as before', async (compression) => {
    const index = readFileSync(join(layout, 'index.json'));
    const blobs = blobNames(layout);
    const run = await interrupt(
      ['commit', '--compression', compression, base, 'big', `oci:${layout}:v2`],
      /\/blobs\/blob\.tmp-/,
      () => expect(blobNames(layout).temp).toHaveLength(1),
    );
    expectInterrupted(run, 'commit');
    expect(readFileSync(join(layout, 'index.json'))).toEqual(index);
    expect(blobNames(layout)).toEqual(blobs);
    expect(blobNames(layout).temp).toEqual([]);
    expect(existsSync(join(layout, 'index.json.lock'))).toBe(false);
    expect(layerkit(['verify', base]).status).toBe(0);
  });
});

// What `kill`, systemd and CI runners send (SIGTERM), and a closed terminal (SIGHUP): the same
// clean stop as Ctrl-C, with the shell's status for the signal.
describe.each([
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)('%s during commit', (signal, status) => {
  it(`leaves no temporary file, the layout exactly as before, and exits ${status}`, async () => {
    const index = readFileSync(join(layout, 'index.json'));
    const blobs = blobNames(layout);
    const run = await interrupt(
      ['commit', base, 'big', `oci:${layout}:v2`],
      /\/blobs\/blob\.tmp-/,
      () => expect(blobNames(layout).temp).toHaveLength(1),
      signal,
    );
    expectInterrupted(run, 'commit', status);
    expect(readFileSync(join(layout, 'index.json'))).toEqual(index);
    expect(blobNames(layout)).toEqual(blobs);
    expect(existsSync(join(layout, 'index.json.lock'))).toBe(false);
  });
});

describe('kill -9 during commit', () => {
  it("leaves its temporary blob, which gc removes as a dead writer's; the layout is as before", async () => {
    const index = readFileSync(join(layout, 'index.json'));
    const blobs = blobNames(layout);
    const run = startHeld(['commit', base, 'big', `oci:${layout}:v3`], /\/blobs\/blob\.tmp-/, {
      cwd: work.path,
    });
    expect(await run.held).toBe(true);
    const [temporary] = blobNames(layout).temp;
    expect(temporary).toBeDefined();
    run.child.kill('SIGKILL');
    expect((await run.done).status).toBe(null);
    expect(blobNames(layout).temp).toEqual([temporary]);

    const gc = layerkit(['gc', layout]);
    expect(gc.stderr).toBe('');
    expect(gc.stdout).toBe(
      `deleted unfinished write: ${join(layout, 'blobs', temporary!)}\nTotal reclaimed space: 0 B\n`,
    );
    expect(readFileSync(join(layout, 'index.json'))).toEqual(index);
    expect(blobNames(layout)).toEqual(blobs);
    expect(layerkit(['verify', base]).status).toBe(0);
  });
});

describe('Ctrl-C during unpack', () => {
  beforeAll(() => {
    ok(['import', '--level', '1', 'big', `oci:${layout}:big`], { cwd: work.path });
  });

  it('leaves no rootfs, no work directory and no metadata', async () => {
    const run = await interrupt(
      ['unpack', `oci:${layout}:big`, 'out'],
      /\/\.out\.unpack-[^/]*\/.*\/blob-/,
      () =>
        expect(readdirSync(work.path).filter((name) => name.includes('out'))).toMatchObject([
          expect.stringMatching(/^\.out\.unpack-/),
        ]),
    );
    expectInterrupted(run, 'unpack');
    expect(readdirSync(work.path).filter((name) => name.includes('out'))).toEqual([]);
  });

  it('a later unpack of the same image into the same place succeeds', () => {
    expect(layerkit(['unpack', `oci:${layout}:big`, 'out'], { cwd: work.path }).status).toBe(0);
    expect(readFileSync(join(work.path, 'out/etc-hostname'), 'utf8')).toBe('big\n');
  });
});
